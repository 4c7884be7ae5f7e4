"""Need-to-know access through the pages (issue 11, "Access"): a former agency, the admin, the
business's timeline and inbox, merges across businesses. Expected texts are written here by hand."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from app.models import Attachment, Notification
from app.services import ServiceError, dispatching, handling, supervision
from tests.conftest import login
from tests.worlds import PDF, World, route_to

REPLY = "经核查,已协调相关部门合并检查事项,今后将统一安排。"
RETURN_REASON = "该事项属于税务部门职责,本局无权办理,内部说明甲。"
DISPATCH_NOTE = "派单员备注:请重点核查乙。"
EXTENSION_REASON = "需要跨部门会商,延期理由丙。"
NOTICE_TEXT = "督办单正文丁,限期办结。"
EXCLUSION_REASON = "企业诉求明显不合理,核减理由戊,请审批。"
NOTE_TEXT = "内部备注己:联系人态度强硬。"


def pdf(name):
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


@pytest.fixture
def w(make_city, make_user, db, monkeypatch):
    world = World(make_city, make_user)
    world.dispatcher = make_user("dispatcher", username="disp_ly")
    world.site_admin = make_user("admin", username="root", jurisdiction=None)
    route_to(monkeypatch, to_dispatch=True)
    return world


def _returned_then_redispatched(w):
    """市场监管局 signs and returns; the centre gives it to 税务局, which replies with a file;
    the business rates it."""
    t = w.file()
    dispatching.dispatch(t, w.scj.id, [], w.dispatcher)
    handling.sign(w.clerk, t.id)
    handling.note(w.clerk, t.id, NOTE_TEXT)
    dispatching.return_ticket(t, w.clerk, "not_our_duty", RETURN_REASON)
    dispatching.dispatch(t, w.sw.id, [], w.dispatcher, note=DISPATCH_NOTE)
    handling.sign(w.other, t.id)
    handling.reply(w.other, t.id, REPLY, files=[pdf("税务答复函.pdf")])
    handling.rate(w.biz, t.id, resolved=True, satisfaction="very_satisfied", comment="评价内容庚")
    return t


def test_former_agency_sees_only_what_it_wrote(client, w, db):
    t = _returned_then_redispatched(w)
    login(client, "clerk_scj")
    resp = client.get(f"/desk/tickets/{t.id}")
    assert resp.status_code == 200  # it may still open what it handled …
    page = resp.get_data(as_text=True)
    assert RETURN_REASON in page and NOTE_TEXT in page  # … and read what it wrote itself
    for later in (REPLY, "税务答复函.pdf", "评价内容庚", DISPATCH_NOTE, "非常满意"):
        assert later not in page, later
    later_file = db.session.query(Attachment).filter_by(original_name="税务答复函.pdf").one()
    assert client.get(f"/attachments/{later_file.id}").status_code == 404


def test_agency_that_replied_keeps_its_ticket_after_closing(client, w, db):
    t = _returned_then_redispatched(w)
    login(client, "clerk_sw")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert REPLY in page and "税务答复函.pdf" in page and "评价内容庚" in page
    # the former agency's internal note is not its business
    assert NOTE_TEXT not in page


def test_admin_downloads_no_attachment(client, w, db):
    route_to_agency = dispatching  # noqa: F841  (readability: the ticket waits at the centre)
    t = w.file()
    handling.add_info(w.biz, t.id, "补充营业执照", files=[pdf("营业执照.pdf")])
    att = db.session.query(Attachment).filter_by(ticket_id=t.id).one()
    login(client, "root")
    assert client.get(f"/attachments/{att.id}").status_code == 404
    assert client.get(f"/desk/tickets/{t.id}").status_code == 403


def test_business_sees_no_internal_text(client, w, db):
    t = w.file()
    dispatching.dispatch(t, w.scj.id, [], w.dispatcher)
    handling.sign(w.clerk, t.id)
    dispatching.return_ticket(t, w.clerk, "not_our_duty", RETURN_REASON)
    dispatching.dispatch(t, w.sw.id, [], w.dispatcher, note=DISPATCH_NOTE)
    handling.sign(w.other, t.id)
    supervision.request_extension(w.other, t.id, 3, EXTENSION_REASON)
    supervision.issue_notice(w.supervisor, t.id, NOTICE_TEXT, 5)
    supervision.request_exclusion(w.other, t.id, "unreasonable", EXCLUSION_REASON)
    req = supervision.pending_exclusions(w.supervisor)[0]
    supervision.decide_exclusion(w.supervisor, req.id, grant=False, note="核减审批意见辛")
    login(client, "biz1")
    page = client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
    assert t.number in page
    for internal in (RETURN_REASON, DISPATCH_NOTE, EXTENSION_REASON, NOTICE_TEXT, EXCLUSION_REASON,
                     "核减审批意见辛", "decide_exclusion", "request_exclusion", "测试路由说明"):
        assert internal not in page, internal
    inbox = client.get("/inbox").get_data(as_text=True)
    for internal in (RETURN_REASON, DISPATCH_NOTE, EXTENSION_REASON, NOTICE_TEXT):
        assert internal not in inbox, internal


def test_merge_of_two_businesses_is_refused(w, db):
    theirs = w.file(user=w.biz2)
    mine = w.file()
    with pytest.raises(ServiceError, match="不同企业"):
        dispatching.merge(mine, theirs, w.dispatcher)
    db.session.expire_all()
    assert mine.state == "to_dispatch" and mine.merged_into_id is None
    told = db.session.query(Notification).filter_by(kind="merged").count()
    assert told == 0


def test_requests_of_one_agency_are_not_shown_to_another(client, w, db):
    t = w.file()
    dispatching.dispatch(t, w.sw.id, [w.scj.id], w.dispatcher)  # 税务局 leads, 市场监管局 assists
    handling.sign(w.other, t.id)
    supervision.request_exclusion(w.other, t.id, "unreasonable", EXCLUSION_REASON)
    req = supervision.pending_exclusions(w.supervisor)[0]
    supervision.decide_exclusion(w.supervisor, req.id, grant=False, note="核减审批意见辛")
    supervision.request_extension(w.other, t.id, 3, EXTENSION_REASON)
    ext = supervision.pending_extensions(w.supervisor)[0]
    supervision.decide_extension(w.supervisor, ext.id, grant=False, days=None, note="延期审批意见壬")
    login(client, "clerk_scj")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert t.number in page
    for theirs in ("核减审批意见辛", EXCLUSION_REASON, "延期审批意见壬"):
        assert theirs not in page.split('id="requests"')[-1].split("</section>")[0], theirs
    assert "核减审批意见辛" not in page and EXCLUSION_REASON not in page
