"""Browser tests: a live server on a free loopback port with a fresh database seeded like
`make run` (plans, calendar, demo desk), driven by Playwright with Debian's Chromium.

Every page the walk opens is watched: a console error, a 5xx response or a request to any host
other than the app's fails the test, and axe-core (vendored) must find no serious or critical
violation. Skipped only when /usr/bin/chromium is absent (CI installs it: .ci/run)."""
import functools
import os
import re
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import PG_URL, _config, _truncate_all

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "demo12345"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _need_chromium() -> None:
    """Skip (never fail) where Debian's Chromium is absent; CI installs it (.ci/run)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(app) -> None:
    """What `make run` does before serving: the plans, the calendar, the demo desk. Password hashing
    is made cheap here only (60 accounts × scrypt would take most of a minute)."""
    import werkzeug.security

    from app.cli import demo, demo_desk
    from app.models import accounts as account_model
    from app.services import catalog

    cheap = functools.partial(werkzeug.security.generate_password_hash, method="pbkdf2:sha256:1000")
    original = account_model.generate_password_hash
    account_model.generate_password_hash = cheap
    try:
        catalog.import_plans(None)
        assert app.test_cli_runner().invoke(args=["calendar", "seed"]).exit_code == 0
        demo.seed_accounts()
        demo.seed_tickets()
        demo_desk.seed_desk()
    finally:
        account_model.generate_password_hash = original


@pytest.fixture(scope="session")
def live_server(_template, tmp_path_factory):
    """The app on http://127.0.0.1:<free port>, with its own freshly seeded database."""
    _need_chromium()
    from app import create_app
    from app.extensions import db

    uri, path = _template
    tmp = tmp_path_factory.mktemp("e2e")
    if PG_URL:
        _truncate_all(uri)
    else:
        target = tmp / "e2e.sqlite"
        shutil.copy(path, target)
        uri = f"sqlite:///{target}"
    cfg = _config(uri, tmp)
    app = create_app(cfg)
    with app.app_context():
        _seed(app)
        db.session.remove()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{port}"
    yield app
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    # No truncation here: every later test (and the next session's template) starts from empty.


@pytest.fixture(scope="session")
def browser():
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"


class Watch:
    """Collects what must never happen on a page: console errors, 5xx, requests to other hosts."""

    def __init__(self, base_url: str):
        self.host = urlsplit(base_url).netloc
        self.problems: list[str] = []

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(f"{r.status} {r.url}"))

        def guard(route):
            url = route.request.url
            if urlsplit(url).netloc != self.host and not url.startswith(("data:", "blob:", "about:")):
                self.problems.append(f"outside request: {url}")
                return route.abort()
            return route.continue_()

        page.route("**/*", guard)

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


class Desk:
    """A browser page on the live server with helpers: log in, open a page and check it with axe."""

    def __init__(self, page, base_url: str, watch: Watch):
        self.page, self.base, self.watch = page, base_url, watch
        self.checked: list[str] = []

    def go(self, path: str):
        self.page.goto(self.base + path)
        self.axe()
        return self.page

    def login(self, username: str, *, form: bool = False) -> None:
        """Log in as `username`: through the login page in the browser (`form=True`, as the walk's
        first login does), or else by posting the same form from the page's context (it shares
        the browser's cookies), which skips rendering the landing page the test opens next anyway."""
        if form:
            self.page.goto(self.base + "/login")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", PASSWORD)
            self.page.click("button[type=submit], input[type=submit]")
            self.page.wait_for_load_state()
            assert "/login" not in self.page.url, f"login of {username} failed"
            return
        api = self.page.context.request
        page = api.get(self.base + "/login")
        assert page.status == 200, page.status
        r = api.post(self.base + "/login", max_redirects=0, form={
            "username": username, "password": PASSWORD, "csrf_token": CSRF.search(page.text()).group(1)})
        assert r.status == 302 and "/login" not in r.headers.get("location", "/login"), \
            f"login of {username} failed: {r.status}"

    def logout(self) -> None:
        self.page.context.clear_cookies()

    def axe(self) -> None:
        """No serious or critical WCAG A/AA violation on the current page."""
        # Evaluated through the DevTools protocol, which the page's CSP (no inline script) does not
        # govern; a <script> tag would be refused, as it should be.
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(_axe_source())
        result = self.page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        self.checked.append(self.page.url)
        assert not bad, f"axe on {self.page.url}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:160]}" for v in bad)


@pytest.fixture
def desk(live_server, browser):
    """A fresh browser context (no cookies) at 1280 px; fails the test on anything Watch saw."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = Watch(live_server.base_url)
    watch.attach(page)
    d = Desk(page, live_server.base_url, watch)
    yield d
    context.close()
    watch.check()
