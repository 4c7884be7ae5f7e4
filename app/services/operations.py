"""What the machines around the app ask: is the database there, is the schema current, metrics."""
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from app.extensions import db

_heads: dict[str, set[str]] = {}


def ping_database() -> None:
    """One SELECT 1 (raises when the database is unreachable)."""
    db.session.execute(text("SELECT 1"))


def _code_heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    directory = str(Path(current_app.config.get("MIGRATIONS_DIR", "migrations")).resolve())
    if directory not in _heads:
        cfg = Config()
        cfg.set_main_option("script_location", directory)
        _heads[directory] = set(ScriptDirectory.from_config(cfg).get_heads())
    return _heads[directory]


def not_ready() -> str | None:
    """Why this process should not get traffic yet (None: ready)."""
    try:
        current = {r[0] for r in db.session.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        db.session.rollback()
        return "database unreachable or not migrated"
    if current != _code_heads():
        return "database schema is not at the migration head (run flask db upgrade)"
    return None


def metrics_text() -> tuple[bytes, str]:
    """Prometheus exposition text and content type (see app.services.metrics)."""
    from app.services import metrics

    return metrics.render()
