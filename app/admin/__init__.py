"""Administration: the responsibility catalog, calendar, SLA policies, accounts."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import account_views, audit_views, calendar_views, sla_views, views  # noqa: E402,F401
