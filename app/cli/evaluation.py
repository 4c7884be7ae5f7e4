"""CLI commands: evaluation."""

COMMANDS: list = []
