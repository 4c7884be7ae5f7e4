"""The supervision office (督查室): overdue board, decisions, evaluations."""
from flask import Blueprint

bp = Blueprint("supervision", __name__)

from app.supervision import audit_views, views  # noqa: E402,F401
