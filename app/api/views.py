from flask import Response, jsonify

from app.api import bp
from app.services import operations


@bp.route("/health")
def health():
    """Database reachability (one SELECT 1), for load balancers; also the benchmarks' ceiling."""
    operations.ping_database()
    return jsonify(status="ok")


@bp.route("/live")
def live():
    """Liveness: the process answers (no database), so a stuck worker is restarted."""
    return jsonify(status="ok")


@bp.route("/ready")
def ready():
    """Readiness: the database answers and its schema is at the code's migration head."""
    problem = operations.not_ready()
    if problem:
        return jsonify(status="unavailable", reason=problem), 503
    return jsonify(status="ok")


def metrics():
    """Prometheus exposition (mounted at /metrics by the app factory)."""
    body, content_type = operations.metrics_text()
    return Response(body, content_type=content_type)
