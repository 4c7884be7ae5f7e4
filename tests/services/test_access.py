"""Access and audience through the services: visible_events per viewer, attachments, the inbox
filter. Expected outcomes come from docs/security.md, written out here by hand."""
import pytest

from app.models import Notification
from app.services import attachments, dispatching, handling, notifications
from app.services import tickets as core
from tests.conftest import received
from tests.worlds import World, pdf, route_to


@pytest.fixture
def w(make_city, make_user, db, monkeypatch):
    world = World(make_city, make_user)
    world.dispatcher = make_user("dispatcher", username="disp_ly")
    world.site_admin = make_user("admin", username="root", jurisdiction=None)
    world.other_city_sup = make_user("supervisor", username="sup_xm", jurisdiction="xiamen")
    route_to(monkeypatch, co=("市税务局",))
    return world


def names(user, t):
    return [e.action for e in core.visible_events(user, t)]


def test_who_sees_which_event(w, db):
    t = w.file()  # 市场监管局 leads, 税务局 assists
    handling.sign(w.clerk, t.id)
    handling.note(w.clerk, t.id, "内部备注")
    handling.reply(w.clerk, t.id, "经核查,已协调相关部门合并检查事项,今后将统一安排。", files=[pdf("答复.pdf")],
                   override_reason="协办单位逾期未提交意见")
    assert names(w.biz, t) == ["file", "route", "sign", "reply"]
    assert names(w.clerk, t) == ["file", "route", "sign", "note", "reply"]
    assert names(w.other, t) == ["file", "route", "sign", "reply"]  # co-agency: not the lead's note
    assert names(w.supervisor, t) == ["file", "route", "sign", "note", "reply"]
    assert names(w.site_admin, t) == [] and names(w.other_city_sup, t) == []
    assert names(w.biz2, t) == []
    route = next(e for e in core.visible_events(w.biz, t) if e.action == "route")
    assert route.note is None and route.details == {}  # the router's explanation is for staff
    staff_route = next(e for e in core.visible_events(w.clerk, t) if e.action == "route")
    assert staff_route.note == "测试路由说明"
    assert [a.original_name for a in attachments.visible(w.biz, t)] == ["答复.pdf"]
    assert attachments.visible(w.site_admin, t) == []


def test_former_agency_after_transfer(w, db):
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.record_contact(w.clerk, t.id, contacted_on=handling.contact_date_default(), way="phone",
                            summary="已电话联系企业")
    dispatching.transfer(t, w.sw, [], w.supervisor, note="改派税务局")
    assert core.access(w.clerk, t) == core.OWN and core.access(w.other, t) == core.FULL
    assert names(w.clerk, t) == ["sign", "contact"]  # only what 市场监管局 wrote


def test_the_inbox_reaches_only_the_audience(w, db):
    t = w.file()
    before = db.session.query(Notification).count()
    # the business, the agency, the city's supervision office
    people = [notifications.to_filer(t), notifications.to_agency(w.clerk.agency_id),
              notifications.to_city(t.jurisdiction, "supervisor")]
    assert notifications.notify(people, t, "extension_decided", "延期审批意见") == 2  # agency, supervision
    assert notifications.notify(people, t, "replied", "已答复") == 3
    assert notifications.notify(people, t, "some_new_kind", "x") == 2  # unknown: staff only
    db.session.commit()
    assert db.session.query(Notification).filter(Notification.id > before).count() == 7
    assert [n.kind for n in received(w.biz) if n.kind != "filed"] == ["replied"]
