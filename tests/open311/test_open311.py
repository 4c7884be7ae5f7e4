"""Open311 GeoReport v2: every resource in JSON and XML checked against schemas and element
names written from the spec; FixMyStreet's request shapes replayed as it sends them."""
from datetime import timedelta
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from app.domain.uscc import check_digit
from app.models import Enterprise, Open311Request, Ticket, TicketEvent
from app.services import handling
from tests.open311 import schemas

BASE = "/open311/v2"
NEW_USCC_BODY = "91220400MA17XYW01"
NEW_USCC = NEW_USCC_BODY + check_digit(NEW_USCC_BODY)


def fms_post(key: str, **over) -> dict:
    """What FixMyStreet's Open311.pm posts (form-encoded, jurisdiction_id and api_key first)."""
    form = {
        "jurisdiction_id": "liaoyuan", "api_key": key, "lat": "42.888", "long": "125.143",
        "email": "owner@example.com", "service_code": "inspection", "first_name": "Li", "last_name": "Ming",
        "description": "title:  一个月被检查五次\n\ndetail: 不同部门在一个月内对本企业检查了五次，影响经营。\n\n"
                       "url: https://fms.example/report/1\n\nSubmitted via FixMyStreet\n",
        "attribute[uscc]": NEW_USCC, "attribute[company_name]": "辽源市新开餐饮有限公司",
        "media_url": "https://fms.example/photo/1.jpeg",
    }
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


def xml_children(body: bytes, resource: str) -> list[dict]:
    root_name, item_name, allowed = schemas.XML[resource]
    root = ET.fromstring(body)
    assert root.tag == root_name
    items = []
    for item in root:
        assert item.tag == item_name
        names = {c.tag for c in item}
        assert names <= allowed, names - allowed
        items.append({c.tag: (c.text or "") for c in item})
    return items


def test_discovery_in_both_formats(client):
    r = client.get(f"{BASE}/discovery.json")
    jsonschema.validate(r.get_json(), schemas.DISCOVERY)
    assert r.get_json()["endpoints"][0]["url"].endswith("/open311/v2")
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").data)
    assert root.tag == "discovery"
    assert [e.tag for e in root.find("endpoints")] == ["endpoint"]
    assert {f.text for f in root.find("endpoints/endpoint/formats")} == {"text/xml", "application/json"}


def test_services_are_the_topics_of_the_city(client, setup):
    r = client.get(f"{BASE}/services.json?jurisdiction_id=liaoyuan")
    jsonschema.validate(r.get_json(), schemas.SERVICES)
    codes = {s["service_code"] for s in r.get_json()}
    assert {"tax", "inspection", "arrears", "other"} <= codes and len(codes) == 15
    assert all(s["metadata"] is True for s in r.get_json())
    items = xml_children(client.get(f"{BASE}/services.xml?jurisdiction_id=liaoyuan").data, "services")
    assert {i["service_code"] for i in items} == codes and items[0]["metadata"] == "true"
    r = client.get(f"{BASE}/services.json")
    assert r.status_code == 400
    jsonschema.validate(r.get_json(), schemas.ERRORS)


def test_service_definition(client, setup):
    r = client.get(f"{BASE}/services/tax.json?jurisdiction_id=liaoyuan")
    jsonschema.validate(r.get_json(), schemas.DEFINITION)
    attrs = {a["code"]: a for a in r.get_json()["attributes"]}
    assert attrs["uscc"]["required"] is True and attrs["company_name"]["required"] is False
    assert attrs["kind"]["datatype"] == "singlevaluelist"
    assert [v["name"] for v in attrs["kind"]["values"]] == ["投诉", "求助", "咨询", "建议", "举报"]
    root = ET.fromstring(client.get(f"{BASE}/services/tax.xml?jurisdiction_id=liaoyuan").data)
    assert root.tag == "service_definition"
    assert [a.tag for a in root.find("attributes")] == ["attribute"] * 4
    assert [v.find("name").text for v in root.find("attributes/attribute[code='kind']/values")] == \
        ["投诉", "求助", "咨询", "建议", "举报"]
    r = client.get(f"{BASE}/services/nope.xml?jurisdiction_id=liaoyuan")
    assert r.status_code == 404 and xml_children(r.data, "errors")[0]["code"] == "404"


def test_fixmystreet_post_files_and_routes_an_appeal(client, setup, db):
    r = client.post(f"{BASE}/requests.xml", data=fms_post(setup["key"]))
    assert r.status_code == 200, r.data.decode()
    [item] = xml_children(r.data, "requests")
    ticket = db.session.query(Ticket).one()
    assert item["service_request_id"] == ticket.number
    assert ticket.title == "一个月被检查五次" and ticket.kind == "complaint" and ticket.topic == "inspection"
    # Filed and routed like any other: the filing event, then the router's decision.
    actions = [e.action for e in ticket.events]
    assert actions[0] == "file" and actions[1] in ("route", "route_to_dispatch")
    assert ticket.events[0].details["channel"]["via"] == "open311"
    # The business had no account: recorded by its USCC (unverified), with the given name.
    ent = db.session.query(Enterprise).filter_by(uscc=NEW_USCC).one()
    assert ent.name == "辽源市新开餐饮有限公司" and ent.users == []
    link = db.session.query(Open311Request).one()
    assert (link.lat, link.long, link.media_url) == (42.888, 125.143, "https://fms.example/photo/1.jpeg")
    # The token resolves to the number (FixMyStreet's get_service_request_id_from_token).
    [tok] = xml_children(client.get(f"{BASE}/tokens/{item['token']}.xml?api_key={setup['key']}").data, "requests")
    assert tok["service_request_id"] == ticket.number


def test_post_json_answer_and_existing_business(client, setup, db, make_user):
    biz = make_user("enterprise", username="known")
    r = client.post(f"{BASE}/requests.json", data=fms_post(setup["key"], **{
        "attribute[uscc]": biz.enterprise.uscc, "attribute[company_name]": None, "attribute[kind]": "help",
        "attribute[urgent]": "true", "lat": None, "long": None, "address_string": "辽源市龙山区人民大街1号"}))
    assert r.status_code == 200, r.get_json()
    jsonschema.validate(r.get_json(), schemas.POST_RESPONSE)
    ticket = db.session.query(Ticket).one()
    assert ticket.enterprise_id == biz.enterprise_id and ticket.kind == "help" and ticket.urgent is True
    assert db.session.query(Enterprise).count() == 1


@pytest.mark.parametrize("change, status, words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "o311_wrong"}, 403, "api_key"),
    ({"jurisdiction_id": "xiamen"}, 403, "jurisdiction_id"),
    ({"attribute[uscc]": NEW_USCC[:-1] + ("0" if NEW_USCC[-1] != "0" else "1")}, 400, "校验位"),
    ({"attribute[uscc]": None}, 400, "uscc"),
    ({"description": "字" * 4001}, 400, "4000"),
    ({"description": "太短了"}, 400, "诉求内容"),
    ({"lat": None, "long": None}, 400, "位置"),
    ({"lat": "abc"}, 400, "lat"),
    ({"service_code": "nope"}, 404, "nope"),
    ({"attribute[kind]": "angry"}, 400, "kind"),
    ({"attribute[company_name]": None}, 400, "company_name"),
])
def test_post_errors_are_the_spec_errors_and_change_nothing(client, setup, db, change, status, words):
    for fmt in ("json", "xml"):
        r = client.post(f"{BASE}/requests.{fmt}", data=fms_post(setup["key"], **change))
        assert r.status_code == status
        if fmt == "json":
            jsonschema.validate(r.get_json(), schemas.ERRORS)
            assert r.get_json()[0]["code"] == status and words in r.get_json()[0]["description"]
        else:
            assert xml_children(r.data, "errors")[0]["code"] == str(status)
    assert db.session.query(Ticket).count() == 0
    assert db.session.query(Enterprise).count() == 0


def test_get_requests_and_one_request(client, setup, db):
    key = setup["key"]
    numbers = [client.post(f"{BASE}/requests.json", data=fms_post(key)).get_json()[0]["service_request_id"]
               for _ in range(3)]
    r = client.get(f"{BASE}/requests.json?api_key={key}&jurisdiction_id=liaoyuan")
    jsonschema.validate(r.get_json(), schemas.REQUESTS)
    assert sorted(i["service_request_id"] for i in r.get_json()) == sorted(numbers)
    r = client.get(f"{BASE}/requests.json?api_key={key}&service_request_id={numbers[0]},{numbers[2]}")
    assert {i["service_request_id"] for i in r.get_json()} == {numbers[0], numbers[2]}
    assert client.get(f"{BASE}/requests.json?api_key={key}&status=closed").get_json() == []
    assert len(client.get(f"{BASE}/requests.json?api_key={key}&status=open&service_code=inspection").get_json()) == 3
    r = client.get(f"{BASE}/requests.json?api_key={key}&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
    assert r.status_code == 400 and "90" in r.get_json()[0]["description"]
    r = client.get(f"{BASE}/requests.json?api_key={key}&start_date=yesterday")
    assert r.status_code == 400
    items = xml_children(client.get(f"{BASE}/requests/{numbers[1]}.xml?api_key={key}").data, "requests")
    assert items[0]["service_request_id"] == numbers[1] and items[0]["status"] == "open"
    # Another client's key sees none of them.
    other = setup["other_key"]
    assert client.get(f"{BASE}/requests/{numbers[1]}.json?api_key={other}").status_code == 404
    assert client.get(f"{BASE}/requests.json?api_key={other}").get_json() == []
    assert client.get(f"{BASE}/requests.json").status_code == 403


def test_reply_is_status_notes_and_an_update(client, setup, db, monkeypatch):
    from tests.worlds import route_to

    route_to(monkeypatch)
    key, clerk = setup["key"], setup["clerk"]
    number = client.post(f"{BASE}/requests.json", data=fms_post(key)).get_json()[0]["service_request_id"]
    ticket = db.session.query(Ticket).one()
    item = client.get(f"{BASE}/requests/{number}.json?api_key={key}").get_json()[0]
    assert item["agency_responsible"] == "市市场监管局" and item["expected_datetime"] is not None
    handling.sign(clerk, ticket.id)
    handling.note(clerk, ticket.id, "内部：先与区局沟通")
    handling.reply(clerk, ticket.id, "经核查，已协调相关部门合并检查事项，今后统一安排。")
    item = client.get(f"{BASE}/requests/{number}.json?api_key={key}").get_json()[0]
    jsonschema.validate([item], schemas.REQUESTS)
    assert item["status"] == "open" and item["status_notes"].startswith("经核查")
    r = client.get(f"{BASE}/servicerequestupdates.json?api_key={key}")
    jsonschema.validate(r.get_json(), schemas.UPDATES)
    statuses = [u["status"] for u in r.get_json()]
    assert statuses[-1] == "fixed" and "in_progress" in statuses
    assert all("内部" not in u["description"] for u in r.get_json())  # internal notes never leave
    xml_children(client.get(f"{BASE}/servicerequestupdates.xml?api_key={key}").data, "updates")
    # FixMyStreet posts the reporter's comment as an update (its post_service_request_update shape).
    r = client.post(f"{BASE}/servicerequestupdates.xml", data={
        "jurisdiction_id": "liaoyuan", "api_key": key, "update_id": "38362", "service_request_id": number,
        "status": "OPEN", "email": "owner@example.com", "description": "补充：检查通知书照片已上传",
        "updated_datetime": "2026-12-01T10:00:00+08:00", "first_name": "Li", "last_name": "Ming"})
    assert r.status_code == 400  # replied: the ticket takes no more information until it is reopened
    assert xml_children(r.data, "errors")[0]["code"] == "400"


def test_post_update_while_in_progress(client, setup, db, monkeypatch):
    from tests.worlds import route_to

    route_to(monkeypatch)
    key = setup["key"]
    number = client.post(f"{BASE}/requests.json", data=fms_post(key)).get_json()[0]["service_request_id"]
    r = client.post(f"{BASE}/servicerequestupdates.xml", data={
        "jurisdiction_id": "liaoyuan", "api_key": key, "update_id": "38362", "service_request_id": number,
        "status": "OPEN", "description": "补充：检查通知书照片已上传", "updated_datetime": "2026-12-01T10:00:00Z"})
    assert r.status_code == 200, r.data.decode()
    [upd] = xml_children(r.data, "updates")
    event = db.session.get(TicketEvent, int(upd["update_id"]))
    assert event.action == "add_info" and event.note == "补充：检查通知书照片已上传"
    assert event.details["update_id_ext"] == "38362"


def test_revoked_key_is_refused(client, setup, runner, db):
    from app.models import Open311Key

    k = db.session.query(Open311Key).filter_by(name="FixMyStreet").one()
    assert k.key_hash != setup["key"] and setup["key"] not in k.key_hash
    assert runner.invoke(args=["open311", "key", "revoke", str(k.id)]).exit_code == 0
    r = client.post(f"{BASE}/requests.json", data=fms_post(setup["key"]))
    assert r.status_code == 403
    assert db.session.query(Ticket).count() == 0


def test_unknown_paths_answer_spec_errors(client):
    r = client.get(f"{BASE}/nothing.xml")
    assert r.status_code == 404 and xml_children(r.data, "errors")[0]["code"] == "404"


def test_window_default_is_ninety_days(client, setup, db):
    import time_machine

    key = setup["key"]
    client.post(f"{BASE}/requests.json", data=fms_post(key))
    created = db.session.query(Ticket).one().created_at
    with time_machine.travel(created + timedelta(days=91)):
        assert client.get(f"{BASE}/requests.json?api_key={key}").get_json() == []
    with time_machine.travel(created + timedelta(days=89)):
        assert len(client.get(f"{BASE}/requests.json?api_key={key}").get_json()) == 1
