"""REST API v1 (/api/v1): Bearer personal tokens, JSON in and out, errors as problem+json."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("v1", __name__)
csrf.exempt(bp)  # no cookies here: every request carries its Bearer token, checked in auth.py

from app.api.v1 import auth, catalog, docs, tickets  # noqa: E402,F401
