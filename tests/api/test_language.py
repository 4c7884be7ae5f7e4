"""The API in the reader's language (docs/api.md, Language): Accept-Language: en turns the state's
label and the router's words — a ticket's routing, its 派单 event's note, the routing preview — into
English; what people wrote and names stay as written. The expected texts are written out by hand
(tests/web/test_inbox_language.py has the same router sentence for the pages)."""
import pytest
from flask_babel import refresh

from app.domain.routing.models import Candidate, Decision
from tests.api.conftest import APPEAL, auth
from tests.web.test_inbox_language import ROUTED, ROUTED_EN

NAMED, NAMED_EN = "来信点名「市场监管」", "The appeal names “市场监管”"
EN = {"Accept-Language": "en"}


def _get(client, url, headers):
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    return client.get(url, headers=headers)


def _post(client, url, body, headers):
    refresh()
    return client.post(url, json=body, headers=headers)


@pytest.fixture
def routed(monkeypatch):
    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency="市市场监管局", co_agencies=(), measure=None,
                        confidence=0.9, to_dispatch=False, explanation=ROUTED,
                        candidates=(Candidate("市市场监管局", 0.9, reasons=(NAMED, "职能相近")),))

    monkeypatch.setattr("app.services.routing.decide", decide)


def _filed(client, world):
    r = client.post("/api/v1/tickets", json=APPEAL, headers=auth(world.token(world.biz)))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_a_dispatcher_reads_the_router_in_english(client, world, routed):
    tid = _filed(client, world)
    disp = world.token(world.dispatcher)
    en = _get(client, f"/api/v1/tickets/{tid}", auth(disp, **EN))
    assert "Accept-Language" in en.headers["Vary"]
    body = en.get_json()
    assert body["state"] == "dispatched" and body["state_label"] == "Awaiting signing"
    assert body["routing"]["explanation"] == ROUTED_EN
    assert body["routing"]["candidates"][0]["reasons"] == [NAMED_EN, "职能相近"]  # not a pattern: as stored
    assert body["title"] == APPEAL["title"]  # a person's words
    zh = _get(client, f"/api/v1/tickets/{tid}", auth(disp)).get_json()
    assert zh["state_label"] == "待签收" and zh["routing"]["explanation"] == ROUTED
    assert zh["routing"]["candidates"][0]["reasons"] == [NAMED, "职能相近"]
    # One version, one ETag, whatever the language: If-Match compares the ticket, not its wording.
    assert en.headers["ETag"] == _get(client, f"/api/v1/tickets/{tid}", auth(disp)).headers["ETag"]


def test_the_route_event_s_note_follows_the_language(client, world, routed):
    tid = _filed(client, world)
    clerk = world.token(world.clerk)
    events = _get(client, f"/api/v1/tickets/{tid}/events", auth(clerk, **EN)).get_json()["items"]
    notes = {e["action"]: e["note"] for e in events}
    assert notes["route"] == ROUTED_EN
    zh = _get(client, f"/api/v1/tickets/{tid}/events", auth(clerk)).get_json()["items"]
    assert {e["action"]: e["note"] for e in zh}["route"] == ROUTED


def test_the_routing_preview_follows_the_language(client, world, routed):
    disp = world.token(world.dispatcher)
    body = {"jurisdiction": world.scj.jurisdiction, "title": "检查", "description": "一个月内被检查五次。"}
    en = _post(client, "/api/v1/routing/preview", body, auth(disp, **EN)).get_json()
    assert en["explanation"] == ROUTED_EN and en["candidates"][0]["reasons"][0] == NAMED_EN
    zh = _post(client, "/api/v1/routing/preview", body, auth(disp)).get_json()
    assert zh["explanation"] == ROUTED and zh["candidates"][0]["reasons"][0] == NAMED


def test_a_route_event_without_a_note_keeps_null(app):
    from types import SimpleNamespace

    from app.api.v1.serialize import event

    e = SimpleNamespace(id=1, action="route", from_state="submitted", to_state="dispatched", actor_role="system",
                        agency=None, note=None, internal=False, created_at=None)
    for lang in ("zh", "en"):
        with app.test_request_context("/api/v1/tickets/1/events", headers={"Accept-Language": lang}):
            assert event(e)["note"] is None
