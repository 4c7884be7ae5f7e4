"""JSON API."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # token-less JSON clients; every write endpoint checks the logged-in user itself

from app.api import views  # noqa: E402,F401
