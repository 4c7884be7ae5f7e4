"""The integration pages: own tokens (shown once, revocable), the admin's Open311 keys, an agency
admin's webhook endpoints — each only for its role, with CSRF."""
import re

from app.models import ApiToken, Open311Key, WebhookEndpoint
from tests.conftest import csrf_token, login


def test_a_user_creates_and_revokes_own_token(client, world, db):
    login(client, "biz1")
    token = csrf_token(client, "/settings/api-tokens")
    r = client.post("/settings/api-tokens", data={"csrf_token": token, "name": "ERP", "scopes": ["tickets:read"],
                                                  "days": "30"})
    page = r.get_data(as_text=True)
    raw = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    row = db.session.query(ApiToken).one()
    assert row.user_id == world.biz.id and row.scopes == ["tickets:read"] and row.token_hash != raw
    assert raw not in client.get("/settings/api-tokens").get_data(as_text=True)  # shown once
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    client.post(f"/settings/api-tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/settings/api-tokens")})
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_no_token_without_a_scope_and_none_of_anothers(client, world, db):
    other_raw = world.token(world.biz2)  # noqa: F841
    other = db.session.query(ApiToken).one()
    login(client, "biz1")
    token = csrf_token(client, "/settings/api-tokens")
    r = client.post("/settings/api-tokens", data={"csrf_token": token, "name": "ERP", "days": "30"})
    assert r.status_code == 400 and db.session.query(ApiToken).count() == 1
    r = client.post(f"/settings/api-tokens/{other.id}/revoke", data={"csrf_token": token})
    assert r.status_code == 404 and db.session.get(ApiToken, other.id).revoked_at is None
    assert client.post("/settings/api-tokens", data={"name": "x", "scopes": ["tickets:read"], "days": "3"}).status_code == 400


def test_only_the_admin_manages_open311_keys(client, world, db):
    login(client, "biz1")
    assert client.get("/admin/open311-keys").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    login(client, "admin")
    token = csrf_token(client, "/admin/open311-keys")
    r = client.post("/admin/open311-keys", data={"csrf_token": token, "name": "FixMyStreet", "jurisdiction": "liaoyuan"})
    assert r.status_code == 200 and db.session.query(Open311Key).count() == 1
    key = db.session.query(Open311Key).one()
    client.post(f"/admin/open311-keys/{key.id}/revoke", data={"csrf_token": token})
    assert db.session.get(Open311Key, key.id).revoked_at is not None
    r = client.post("/admin/open311-keys", data={"csrf_token": token, "name": "X", "jurisdiction": "nowhere"})
    assert r.status_code == 400 and db.session.query(Open311Key).count() == 1


def test_agency_admin_manages_webhooks_of_own_agency(client, world, db):
    login(client, "clerk_scj")
    assert client.get("/desk/webhooks").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desk/")})
    login(client, "admin_scj")
    token = csrf_token(client, "/desk/webhooks")
    r = client.post("/desk/webhooks", data={"csrf_token": token, "url": "https://erp.example/hook"})
    assert r.status_code == 200 and "whsec_" in r.get_data(as_text=True)
    ep = db.session.query(WebhookEndpoint).one()
    assert ep.agency_id == world.scj.id
    assert client.get(f"/desk/webhooks/{ep.id}").status_code == 200
    client.post(f"/desk/webhooks/{ep.id}/active", data={"csrf_token": token, "active": "0"})
    assert db.session.get(WebhookEndpoint, ep.id).active is False
