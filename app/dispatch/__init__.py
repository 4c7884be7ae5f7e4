"""The dispatch centre (派单中心): what the router could not place, returns, merges."""
from flask import Blueprint

bp = Blueprint("dispatch", __name__)

from app.dispatch import enterprises, views  # noqa: E402,F401
