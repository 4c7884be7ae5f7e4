"""Open311 GeoReport v2 (/open311/v2): discovery, services, requests, tokens and FixMyStreet's
servicerequestupdates, each in JSON and XML."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("open311", __name__)
csrf.exempt(bp)  # machine clients authenticate with api_key, never with a session cookie

from app.open311 import views  # noqa: E402,F401
