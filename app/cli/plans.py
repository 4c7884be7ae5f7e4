"""`flask plans import|export`: the responsibility catalog."""
from flask.cli import AppGroup

plans = AppGroup("plans", help="Import and export the responsibility catalog.")

COMMANDS = [plans]
