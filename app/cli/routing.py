"""CLI commands: routing."""

COMMANDS: list = []
