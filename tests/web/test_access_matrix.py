"""Every route × every role (anonymous included) against tests/web/access_rules.py, the hand-written
table of docs/security.md. A route without a rule fails the first test."""
import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import login
from tests.web.access_rules import RULES, SAMPLE_ARGS, allowed, refusal_status

ROLES = [None, "enterprise", "clerk", "agency_admin", "dispatcher", "supervisor", "admin"]
_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_every_route_has_a_rule(app):
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()} - set(RULES))
    assert missing == [], f"routes without an access rule in tests/web/access_rules.py: {missing}"


def _url(rule) -> str:
    values = {}
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            values[name] = 987654
        else:
            assert name in SAMPLE_ARGS, f"no sample value for <{name}> of {rule.rule}"
            values[name] = SAMPLE_ARGS[name]
    return rule.build(values, append_unknown=False)[1]


def _token(client) -> str:
    for url in ("/inbox", "/login"):
        m = _TOKEN.search(client.get(url).get_data(as_text=True))
        if m:
            return m.group(1)
    raise AssertionError("no csrf token")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_route_answers_each_role_by_the_rules(app, make_city, make_user, role):
    _, agencies = make_city()
    if role:
        make_user(role=role, username="who", agency=agencies["市税务局"] if role in ("clerk", "agency_admin") else None)
    client = app.test_client()
    if role:
        assert login(client, "who").status_code == 302
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.endpoint))
    wrong = []
    for rule in rules:
        url = _url(rule)
        if "GET" in rule.methods:
            r = client.get(url)
        else:
            r = client.post(url, data={"csrf_token": _token(client)})
        # Flask-Login sends the anonymous to the login page with ?next=; pages that simply go to the
        # login page (the home page, logout) do so without it.
        to_login = r.status_code == 302 and "/login?next=" in r.headers.get("Location", "")
        refused = r.status_code in (401, 403) or to_login
        if r.status_code >= 500:  # readiness too: the test schema is at the migration head
            wrong.append(f"{rule.endpoint}: {r.status_code}")
        elif allowed(rule.endpoint, role) == refused:
            wrong.append(f"{rule.endpoint}: {r.status_code} {r.headers.get('Location', '')}")
        elif refused and role is not None and r.status_code != refusal_status(rule.endpoint):
            wrong.append(f"{rule.endpoint}: a logged-in user refused with {r.status_code}, "
                         f"not {refusal_status(rule.endpoint)}")
    assert wrong == [], f"role {role or 'anonymous'}"
