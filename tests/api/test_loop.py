"""Done-when of issue 14, through the REST API alone: a business files, follows and rates; the
dispatch centre dispatches; an agency picks up its queue, signs and replies."""
from app.models import Ticket, TicketEvent
from tests.api.conftest import APPEAL, auth

PROBLEM = "application/problem+json"
TAG = "tag:enterprise-appeals-desk,2026:problem/"


def test_closed_loop_with_tokens_alone(client, world, db, to_dispatch):
    biz, clerk, disp = world.token(world.biz), world.token(world.clerk), world.token(world.dispatcher)

    r = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz))
    assert r.status_code == 201, r.get_json()
    t = r.get_json()
    assert r.headers["Location"] == f"/api/v1/tickets/{t['id']}"
    assert t["number"].startswith("LY")
    assert t["created_at"].endswith("+08:00")  # ISO 8601 with the Shanghai offset
    # The router is not sure: the ticket waits at the dispatch centre.
    assert t["state"] == "to_dispatch"

    r = client.post(f"/api/v1/tickets/{t['id']}/dispatch", headers=auth(disp),
                    json={"lead_agency_id": world.scj.id, "co_agency_ids": [world.rs.id], "note": "请主办"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "dispatched"
    assert {a["role"] for a in r.get_json()["assignments"]} == {"lead", "co"}

    queue = client.get("/api/v1/tickets?state=dispatched", headers=auth(clerk)).get_json()["items"]
    assert [q["id"] for q in queue] == [t["id"]]

    etag = client.get(f"/api/v1/tickets/{t['id']}", headers=auth(clerk)).headers["ETag"]
    r = client.post(f"/api/v1/tickets/{t['id']}/sign", headers=auth(clerk, **{"If-Match": etag}))
    assert r.status_code == 200 and r.get_json()["state"] == "in_progress"
    # The old ETag is stale now: a second action with it is refused with 412 and changes nothing.
    events_before = db.session.query(TicketEvent).count()
    r = client.post(f"/api/v1/tickets/{t['id']}/reply", headers=auth(clerk, **{"If-Match": etag}),
                    json={"answer": "经核查，已协调相关部门合并检查事项，今后统一安排。"})
    assert r.status_code == 412 and r.mimetype == PROBLEM
    assert r.get_json()["type"] == TAG + "precondition-failed" and "已被他人更新" in r.get_json()["detail"]
    assert db.session.query(TicketEvent).count() == events_before

    r = client.post(f"/api/v1/tickets/{t['id']}/reply", headers=auth(clerk, **{"If-Match": r.get_json()["current_etag"]}),
                    json={"answer": "经核查，已协调相关部门合并检查事项，今后统一安排。", "override_reason": "协办意见已电话沟通"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "replied"

    mine = client.get(f"/api/v1/tickets/{t['id']}", headers=auth(biz)).get_json()
    assert mine["reply"].startswith("经核查")
    r = client.post(f"/api/v1/tickets/{t['id']}/rate", headers=auth(biz),
                    json={"resolved": True, "satisfaction": "satisfied"})
    assert r.status_code == 200 and r.get_json()["state"] == "closed"

    actions = [e["action"] for e in client.get(f"/api/v1/tickets/{t['id']}/events", headers=auth(biz)).get_json()["items"]]
    assert actions[0] == "file" and actions[-1] == "rate" and "reply" in actions


def test_a_retried_filing_files_once(client, world, db):
    biz = world.token(world.biz)
    first = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz, **{"Idempotency-Key": "k-1"}))
    again = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz, **{"Idempotency-Key": "k-1"}))
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert db.session.query(Ticket).count() == 1
    other = dict(APPEAL, title="另一件事")
    r = client.post("/api/v1/tickets", json=other, headers=auth(biz, **{"Idempotency-Key": "k-1"}))
    assert r.status_code == 422 and r.get_json()["type"] == TAG + "idempotency-mismatch"
    assert db.session.query(Ticket).count() == 1


def test_a_refused_filing_keeps_the_key_free(client, world, db):
    biz = world.token(world.biz)
    r = client.post("/api/v1/tickets", json=dict(APPEAL, description="太短"), headers=auth(biz, **{"Idempotency-Key": "k"}))
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert "诉求内容" in r.get_json()["detail"]
    r = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz, **{"Idempotency-Key": "k2"}))
    assert r.status_code == 201


def test_auth_and_scopes(client, world, db):
    r = client.get("/api/v1/tickets")
    assert r.status_code == 401 and r.mimetype == PROBLEM and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["title"] == "未认证"
    read_only = world.token(world.biz, ["tickets:read"])
    assert client.get("/api/v1/tickets", headers=auth(read_only)).status_code == 200
    r = client.post("/api/v1/tickets", json=APPEAL, headers=auth(read_only))
    assert r.status_code == 403 and r.get_json()["type"] == TAG + "scope"
    assert db.session.query(Ticket).count() == 0
    assert client.get("/api/v1/tickets", headers=auth("eadk_not-a-token")).status_code == 401


def test_revoked_and_expired_tokens_are_refused(client, world, db):
    import time_machine

    from app.models import ApiToken
    from app.services import api_tokens

    raw = world.token(world.biz, days=1)
    token = db.session.query(ApiToken).one()
    assert client.get("/api/v1/tickets", headers=auth(raw)).status_code == 200
    with time_machine.travel(token.expires_at, tick=False):
        assert client.get("/api/v1/tickets", headers=auth(raw)).status_code == 401
    api_tokens.revoke_token(world.biz, token.id)
    assert client.get("/api/v1/tickets", headers=auth(raw)).status_code == 401
    assert token.token_hash != raw and raw not in (token.token_hash, token.prefix)


def test_need_to_know_same_as_the_pages(client, world, to_dispatch):
    biz = world.token(world.biz)
    t = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz)).get_json()
    for user in (world.biz2, world.other_clerk, world.clerk, world.admin):
        r = client.get(f"/api/v1/tickets/{t['id']}", headers=auth(world.token(user)))
        assert r.status_code == 404, user.username
        assert client.get("/api/v1/tickets", headers=auth(world.token(user))).get_json()["items"] == []
    # The dispatcher of the city sees it; an agency only once it holds it.
    assert client.get(f"/api/v1/tickets/{t['id']}", headers=auth(world.token(world.dispatcher))).status_code == 200
    # Only a business files; staff get a clear refusal and nothing is filed.
    r = client.post("/api/v1/tickets", json=APPEAL, headers=auth(world.token(world.clerk)))
    assert r.status_code == 403 and "企业用户" in r.get_json()["detail"]


def test_refused_transition_is_a_clear_conflict(client, world):
    biz = world.token(world.biz)
    t = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz)).get_json()
    r = client.post(f"/api/v1/tickets/{t['id']}/rate", headers=auth(biz),
                    json={"resolved": True, "satisfaction": "satisfied"})
    assert r.status_code == 409 and r.get_json()["type"] == TAG + "refused"
    r = client.post(f"/api/v1/tickets/{t['id']}/rate", headers=auth(biz), json={"resolved": "maybe"})
    assert r.status_code == 422 and r.get_json()["field"] in ("resolved", "body")
    r = client.post(f"/api/v1/tickets/{t['id']}/no-such-action", headers=auth(biz))
    assert r.status_code == 404 and r.mimetype == PROBLEM
    r = client.post(f"/api/v1/tickets/{t['id']}/withdraw", headers=auth(biz), json={"reason": "已自行解决"})
    assert r.status_code == 200 and r.get_json()["state"] == "withdrawn"


def test_keyset_pagination(client, world):
    biz = world.token(world.biz)
    ids = [client.post("/api/v1/tickets", json=dict(APPEAL, title=f"诉求{i}"), headers=auth(biz)).get_json()["id"]
           for i in range(5)]
    seen, url = [], "/api/v1/tickets?limit=2"
    while url:
        page = client.get(url, headers=auth(biz)).get_json()
        seen += [i["id"] for i in page["items"]]
        url = page["next"]
    assert seen == sorted(ids, reverse=True)
    assert client.get("/api/v1/tickets?before=99999999999999999999", headers=auth(biz)).status_code == 422


def test_return_and_decide_return(client, world, to_dispatch):
    biz, clerk, disp = world.token(world.biz), world.token(world.clerk), world.token(world.dispatcher)
    t = client.post("/api/v1/tickets", json=APPEAL, headers=auth(biz)).get_json()
    client.post(f"/api/v1/tickets/{t['id']}/dispatch", headers=auth(disp), json={"lead_agency_id": world.scj.id})
    r = client.post(f"/api/v1/tickets/{t['id']}/return", headers=auth(clerk),
                    json={"category": "not_our_duty", "reason": "该事项属于税务部门职责范围，请改派。"})
    assert r.status_code == 200 and r.get_json()["state"] == "to_dispatch"
    r = client.post(f"/api/v1/tickets/{t['id']}/decide-return", headers=auth(disp),
                    json={"decision": "accept", "lead_agency_id": world.sw.id})
    assert r.status_code == 200 and r.get_json()["lead_agency"]["id"] == world.sw.id
    # The former agency no longer sees the ticket in its list.
    assert client.get("/api/v1/tickets", headers=auth(clerk)).get_json()["items"] == []
