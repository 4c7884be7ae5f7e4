"""The business portal: file appeals, follow them, add information, rate, reopen."""
from flask import Blueprint

bp = Blueprint("portal", __name__)

from app.portal import views  # noqa: E402,F401
