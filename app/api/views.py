from flask import jsonify
from sqlalchemy import text

from app.api import bp
from app.extensions import db


@bp.route("/health")
def health():
    """Liveness and database reachability, for load balancers and `make run`."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
