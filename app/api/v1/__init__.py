"""REST API v1 (/api/v1): Bearer personal tokens, JSON in and out, errors as problem+json."""
from flask import Blueprint

bp = Blueprint("v1", __name__)

from app.api.v1 import auth, catalog, docs, tickets  # noqa: E402,F401
