"""REST API v1 (/api/v1): Bearer personal tokens, JSON in and out, errors as problem+json."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("v1", __name__)
csrf.exempt(bp)  # no cookies here: every request carries its Bearer token, checked in auth.py


@bp.after_request
def _vary_by_language(response):
    # Messages, labels and the router's explanations follow Accept-Language (app.web.i18n).
    response.vary.add("Accept-Language")
    return response


from app.api.v1 import auth, catalog, docs, tickets  # noqa: E402,F401
