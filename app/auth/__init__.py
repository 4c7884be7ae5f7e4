"""Login, logout, business self-registration, and every user's inbox."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import inbox, views  # noqa: E402,F401
