"""`flask demo seed`: demo accounts (and, as the desk grows, demo tickets)."""
from flask.cli import AppGroup

demo = AppGroup("demo", help="Demo data for a newcomer.")

COMMANDS = [demo]
