"""Production refuses to start without a real secret and a database URL."""
import pytest

from app import create_app
from config import ProductionConfig


@pytest.mark.parametrize("env", [
    {},
    {"SECRET_KEY": "dev-only-not-secret", "DATABASE_URL": "postgresql+psycopg://x@y/z"},
    {"SECRET_KEY": "short", "DATABASE_URL": "postgresql+psycopg://x@y/z"},
    {"SECRET_KEY": "a-real-secret-of-enough-length"},
])
def test_production_refuses_without_real_settings(monkeypatch, env):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)


def test_production_starts_with_real_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SECRET_KEY"] == "a-real-secret-of-enough-length"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
