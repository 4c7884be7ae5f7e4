"""CLI commands: sla."""

COMMANDS: list = []
