"""JSON API."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # token-less JSON clients; every write endpoint checks the logged-in user itself

from app.api import views  # noqa: E402,F401
from app.api.v1 import bp as v1_bp  # noqa: E402
from app.services import webhooks  # noqa: E402,F401  (the outbox is written with every ticket event)

bp.register_blueprint(v1_bp, url_prefix="/v1")
