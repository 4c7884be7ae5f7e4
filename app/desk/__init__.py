"""The agency clerks' desk: queues, signing, handling, replying; co-handling and returns;
extension and exclusion requests; the agency's own scorecard."""
from flask import Blueprint

bp = Blueprint("desk", __name__)

from app.desk import cohandling, requests, scorecard, views  # noqa: E402,F401
