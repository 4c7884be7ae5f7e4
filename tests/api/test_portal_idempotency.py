"""Issue 11: "A double click files two tickets" — the filing form carries a hidden idempotency
token (app.services.idempotency), so the same form sent twice files once."""
import re
import threading

from app.models import Ticket
from tests.conftest import login

FORM = {"kind": "complaint", "topic": "inspection", "title": "检查过多",
        "description": "一个月内被不同部门检查了五次，影响经营。", "contact_phone": "13912345678"}


def _form_tokens(client) -> dict:
    page = client.get("/portal/tickets/new").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf, "idempotency_key": key}


def test_the_form_sent_twice_files_once(client, w, db):
    login(client, "biz1")
    data = dict(FORM, **_form_tokens(client))
    first = client.post("/portal/tickets/new", data=data)
    second = client.post("/portal/tickets/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(Ticket).count() == 1
    # A freshly rendered form is a new appeal.
    client.post("/portal/tickets/new", data=dict(FORM, title="另一件事", seen_similar="1", **_form_tokens(client)))
    assert db.session.query(Ticket).count() == 2


def test_each_rendered_form_has_its_own_token(client, w):
    login(client, "biz1")
    assert _form_tokens(client)["idempotency_key"] != _form_tokens(client)["idempotency_key"]


def test_a_refused_filing_can_be_corrected_with_the_same_form(client, w, db):
    login(client, "biz1")
    tokens = _form_tokens(client)
    client.post("/portal/tickets/new", data=dict(FORM, description="短", **tokens))
    assert db.session.query(Ticket).count() == 0
    r = client.post("/portal/tickets/new", data=dict(FORM, **tokens))
    assert r.status_code == 302 and db.session.query(Ticket).count() == 1


def test_a_double_click_at_the_same_moment_files_once(app, w, db):
    """Two requests of one form in flight together: one files, the other answers from its record.
    Each thread has its own app context (and so its own session and login)."""
    key = "same-form-token-1"
    results = []
    barrier = threading.Barrier(2, timeout=30)

    def post():
        c = app.test_client()
        login(c, "biz1")
        body = dict(FORM, csrf_token=_form_tokens(c)["csrf_token"], idempotency_key=key)
        barrier.wait()
        results.append(c.post("/portal/tickets/new", data=body).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    assert db.session.query(Ticket).count() == 1
    assert len(results) == 2 and all(code in (200, 302) for code in results), results
