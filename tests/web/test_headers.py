"""Security headers (issue 11, "Headers and files"); the expected values are docs/security.md's."""
import re
from pathlib import Path

import pytest

from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _csp(r) -> dict[str, str]:
    out = {}
    for part in r.headers.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, _sep, value = part.strip().partition(" ")
            out[name] = value
    return out


@pytest.mark.parametrize("url", ["/login", "/register", "/nope"])
def test_every_page_has_the_security_headers(client, url):
    r = client.get(url)
    csp = _csp(r)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline'
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert r.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in r.headers  # development is plain HTTP


def test_pages_with_personal_data_are_not_stored(client, make_user):
    make_user(username="alice")
    login(client, "alice")
    for url in ("/portal/", "/inbox"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


def test_production_sends_hsts(monkeypatch, tmp_path):
    from app import create_app
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    r = app.test_client().get("/login")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


_INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style", re.I)


def test_no_template_has_inline_script_or_style():
    # The CSP forbids inline script and style; a template that uses them breaks in the browser.
    offenders = [f"{p.relative_to(TEMPLATES)}: {m.group(0)}" for p in TEMPLATES.rglob("*.html")
                 for m in _INLINE.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []
