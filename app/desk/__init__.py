"""The agency clerks' desk: queues, signing, handling, replying."""
from flask import Blueprint

bp = Blueprint("desk", __name__)

from app.desk import views  # noqa: E402,F401
