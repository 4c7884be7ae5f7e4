"""Behind a reverse proxy (docs/security.md, "Running in production"): with PROXY_FIX_X_FOR = n the
app trusts the last n X-Forwarded-For hops, so the audit log and the rate limits see the client's
address; with the default 0 a forged X-Forwarded-For header is ignored."""
import pytest
from flask import g

from app import create_app
from app.models import AuditEntry
from tests.conftest import csrf_token

PROXY = "10.0.0.1"  # the address the app sees: the proxy's
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.23"


@pytest.fixture
def make_app(app):
    """An app on the test database with the given number of trusted proxies."""
    def make(hops: int):
        settings = {k: v for k, v in app.config.items() if k.isupper()}
        return create_app(type("Cfg", (), {**settings, "PROXY_FIX_X_FOR": hops}))
    return make


def _fail_login(client, forwarded: str):
    g.pop("csrf_token", None)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": "nobody", "password": "wrong", "csrf_token": token},
                       headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": PROXY})


def _register(client, token: str, forwarded: str):
    # An incomplete form: refused by the form, but the POST counts towards the limit.
    return client.post("/register", data={"csrf_token": token, "username": "x"},
                       headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": PROXY})


def _register_token(client) -> str:
    g.pop("csrf_token", None)
    return csrf_token(client, "/register")


def test_with_one_trusted_proxy_the_forwarded_address_is_the_client(make_app, db):
    other = make_app(1)
    with other.app_context():
        client = other.test_client()
        _fail_login(client, CLIENT_A)
        assert [e.ip for e in db.session.query(AuditEntry).filter_by(action="login_failed")] == [CLIENT_A]
        token = _register_token(client)
        for _ in range(10):
            assert _register(client, token, CLIENT_A).status_code == 200
        assert _register(client, token, CLIENT_A).status_code == 429
        # Another client behind the same proxy has its own count.
        assert _register(client, token, CLIENT_B).status_code == 200


def test_without_proxy_fix_a_forged_header_is_ignored(make_app, db, app):
    assert app.config["PROXY_FIX_X_FOR"] == 0  # the default: off
    other = make_app(0)
    with other.app_context():
        client = other.test_client()
        _fail_login(client, CLIENT_A)
        assert [e.ip for e in db.session.query(AuditEntry).filter_by(action="login_failed")] == [PROXY]
        token = _register_token(client)
        for i in range(10):
            assert _register(client, token, f"192.0.2.{i}").status_code == 200
        # A new forged address does not buy a fresh count: the limit is the proxy's address.
        assert _register(client, token, CLIENT_B).status_code == 429
