"""Supervisor web flow: the worst agency of a month, its overdue tickets, a 督办单, an extension,
an exclusion, exports; the desk requests; wrong roles; refused input changes nothing."""
import csv
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from tests.conftest import csrf_token, login


def at(day, hour=2, month=9):
    """A UTC instant in 2026 (02:00 UTC is 10:00 in Beijing)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def build_month(db, make_city, make_user):
    """September 2026 of 辽源市, built row by row (see the expected figures in test_evaluation).

    甲 市市场监管局 leads t1 t2 t3 t5 (and the excluded t4); 乙 市税务局 leads t6 and co-handles t1;
    丙 市人社局 has nothing.
    """
    from app.models import (
        Assignment,
        Escalation,
        Rating,
        SupervisionNotice,
        Ticket,
        TicketReturn,
    )

    _city, ag = make_city(agencies=("市市场监管局", "市税务局", "市人社局"))
    a, b = ag["市市场监管局"], ag["市税务局"]
    biz = make_user("enterprise")
    seq = {"n": 0}

    def ticket(state, lead, **kw):
        seq["n"] += 1
        t = Ticket(number=f"LY20260901-{seq['n']:06d}", jurisdiction="liaoyuan", enterprise_id=biz.enterprise_id,
                   kind="complaint", topic=kw.pop("topic", "tax"), title=f"测试诉求{seq['n']}",
                   description="企业反映办理事项久拖不决,请尽快处理。", state=state, lead_agency_id=lead.id,
                   created_at=at(10), **kw)
        db.session.add(t)
        db.session.flush()
        return t

    def assign(t, agency, role="lead", **kw):
        values = {"created_at": at(10), "sign_due_at": at(10, 6), "contact_due_at": at(11, 9),
                      "resolve_due_at": at(20, 9), "state": "signed"}
        values.update(kw)
        x = Assignment(ticket_id=t.id, agency_id=agency.id, role=role, **values)
        db.session.add(x)
        db.session.flush()
        return x

    def rate(t, agency, satisfaction, resolved, auto=False, created=None):
        db.session.add(Rating(ticket_id=t.id, agency_id=agency.id, satisfaction=satisfaction, resolved=resolved,
                              auto=auto, created_at=created or at(22)))

    t1 = ticket("closed", a)
    assign(t1, a, signed_at=at(10, 3), contacted_at=at(10, 4), replied_at=at(15), active=False)
    assign(t1, b, role="co", signed_at=at(10, 3), opinion_at=at(14), state="opinion_submitted", active=False)
    rate(t1, a, "very_satisfied", True)
    t2 = ticket("closed", a, reopen_count=1)
    a2 = assign(t2, a, signed_at=at(11), contacted_at=at(11, 5), replied_at=at(25), active=False)
    rate(t2, a, "basically_satisfied", False)
    db.session.add(TicketReturn(ticket_id=t2.id, assignment_id=a2.id, agency_id=a.id, category="other",
                                reason="非本单位职责范围内事项", decision="unjustified", created_at=at(12)))
    t3 = ticket("in_progress", a)  # signed late, never contacted, open past its deadline
    a3 = assign(t3, a, signed_at=at(11), escalation_level="flag")
    db.session.add(Escalation(assignment_id=a3.id, ticket_id=t3.id, agency_id=a.id, level="flag",
                              fired_at=at(22)))
    t4 = ticket("closed", a, excluded=True)
    assign(t4, a, replied_at=at(25), active=False)
    rate(t4, a, "very_dissatisfied", False)
    t5 = ticket("closed", a)
    assign(t5, a, signed_at=at(10, 3), contacted_at=at(10, 4), replied_at=at(16), active=False)
    rate(t5, a, "satisfied", True, auto=True)
    t6 = ticket("closed", b, topic="finance")
    a6 = assign(t6, b, signed_at=at(10, 3), contacted_at=at(10, 4), replied_at=at(16), active=False)
    rate(t6, b, "satisfied", True)
    db.session.add(SupervisionNotice(ticket_id=t6.id, assignment_id=a6.id, agency_id=b.id, note="请加快办理",
                                     created_at=at(12)))
    db.session.add(Escalation(assignment_id=a6.id, ticket_id=t6.id, agency_id=b.id, level="supervise",
                              fired_at=at(13)))
    db.session.commit()
    return {"agencies": ag, "t": {1: t1, 2: t2, 3: t3, 4: t4, 5: t5, 6: t6}}


@pytest.fixture
def month(db, make_city, make_user):
    return build_month(db, make_city, make_user)


def test_supervisor_flow(client, db, month, make_user):
    from app.models import (
        ExclusionRequest,
        ExtensionRequest,
        SupervisionNotice,
        Ticket,
        TicketEvent,
    )

    a = month["agencies"]["市市场监管局"]
    t3 = month["t"][3]
    make_user("supervisor", username="duban")
    clerk = make_user("clerk", username="clerk_a", agency=a)
    assert clerk.agency_id == a.id

    login(client, "duban")
    page = client.get("/supervision/evaluation?month=2026-09").get_data(as_text=True)
    # the worst ranked agency is 市市场监管局 (甲): 市税务局 first, then it, then the unscored one
    assert page.index("市税务局") < page.index("市市场监管局") < page.index("市人社局")
    drill = client.get(f"/supervision/evaluation/drill?month=2026-09&agency={a.id}&metric=late")
    assert drill.status_code == 200
    html = drill.get_data(as_text=True)
    assert t3.number in html and month["t"][1].number not in html

    board = client.get(f"/supervision/?agency={a.id}").get_data(as_text=True)
    assert t3.number in board and "挂牌督办" in board and "超期" in board

    url = f"/supervision/tickets/{t3.id}"
    token = csrf_token(client, url)
    r = client.post(f"{url}/notice", data={"csrf_token": token, "note": "请于期限内办结并报送结果", "days": "3"},
                    follow_redirects=True)
    assert "督办单已下发" in r.get_data(as_text=True)
    notice = db.session.query(SupervisionNotice).filter_by(ticket_id=t3.id).one()
    assert notice.agency_id == a.id and notice.due_at is not None
    assert db.session.query(TicketEvent).filter_by(ticket_id=t3.id, action="issue_notice").count() == 1
    assert "请于期限内办结并报送结果" in client.get(url).get_data(as_text=True)

    # the clerk asks for an extension and an exclusion through the desk
    client.post("/logout", data={"csrf_token": csrf_token(client, url)})
    login(client, "clerk_a")
    ext_url = f"/desk/tickets/{t3.id}/extension"
    r = client.post(ext_url, data={"csrf_token": csrf_token(client, ext_url), "days": "5",
                                   "reason": "需要跨部门联合核查"}, follow_redirects=True)
    assert db.session.query(ExtensionRequest).filter_by(ticket_id=t3.id).count() == 1
    exc_url = f"/desk/tickets/{t3.id}/exclusion"
    client.post(exc_url, data={"csrf_token": csrf_token(client, exc_url), "category": "in_litigation",
                               "reason": "该事项已进入行政复议程序,不属于本次诉求办理范围"})
    assert db.session.query(ExclusionRequest).filter_by(ticket_id=t3.id).count() == 1
    client.post("/logout", data={"csrf_token": csrf_token(client, ext_url)})

    login(client, "duban")
    ext = db.session.query(ExtensionRequest).filter_by(ticket_id=t3.id).one()
    due_before = db.session.get(Ticket, t3.id).assignments[0].resolve_due_at
    token = csrf_token(client, url)
    r = client.post(f"/supervision/extensions/{ext.id}", data={
        "csrf_token": token, "ticket_id": t3.id, "decision": "grant", "days": "3", "note": "同意延期"},
        follow_redirects=True)
    assert "延期申请已审批" in r.get_data(as_text=True)
    db.session.expire_all()
    ext = db.session.get(ExtensionRequest, ext.id)
    assert ext.state == "granted" and ext.granted_days == 3
    assignment = db.session.get(Ticket, t3.id).assignments[0]
    assert assignment.resolve_due_at > due_before

    exc = db.session.query(ExclusionRequest).filter_by(ticket_id=t3.id).one()
    # A decision that is neither choice is refused as such (not as an expired form), and nothing changes.
    r = client.post(f"/supervision/exclusions/{exc.id}", data={
        "csrf_token": token, "ticket_id": t3.id, "decision": "maybe", "note": "x"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    flashes = re.findall(r'class="flash flash-error"[^>]*>([^<]*)<', page)
    assert flashes == ["不是有效的选择。"], flashes
    db.session.expire_all()
    assert db.session.get(ExclusionRequest, exc.id).state == "pending"
    r = client.post(f"/supervision/exclusions/{exc.id}", data={
        "csrf_token": token, "ticket_id": t3.id, "decision": "grant", "note": "经核实已进入复议程序"},
        follow_redirects=True)
    assert "核减申请已审批" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ticket, t3.id).excluded is True
    assert "已核减" in client.get(url).get_data(as_text=True)  # still visible, marked

    x = client.get("/supervision/evaluation/export.xlsx?month=2026-09")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][1] == "承办单位" and len(rows) == 4
    assert {r[1] for r in rows[1:]} == {"市市场监管局", "市税务局", "市人社局"}
    c = client.get("/supervision/evaluation/export.csv?month=2026-09")
    assert c.data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(c.data.decode("utf-8-sig"))))
    assert table[0][1] == "承办单位" and len(table) == 4
    # t3 left 甲's scores: 3 assignments now
    jia = next(r for r in table[1:] if r[1] == "市市场监管局")
    assert jia[2] == "3"

    for page in ("/supervision/evaluation/trend?month=2026-09", f"/supervision/evaluation/trend?agency={a.id}",
                 "/supervision/evaluation/breakdown?month=2026-09", "/supervision/requests"):
        resp = client.get(page)
        assert resp.status_code == 200, page
    assert "<svg" in client.get("/supervision/evaluation/trend?month=2026-09").get_data(as_text=True)


def test_bad_requests_are_refused_in_chinese_and_change_nothing(client, db, month, make_user):
    from app.models import ExclusionRequest, ExtensionRequest, TicketEvent

    a = month["agencies"]["市市场监管局"]
    t3 = month["t"][3]
    make_user("clerk", username="clerk_a", agency=a)
    login(client, "clerk_a")
    events = db.session.query(TicketEvent).count()
    url = f"/desk/tickets/{t3.id}/extension"
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "days": "11", "reason": "需要更多时间"})
    assert "延期天数必须在1至10天之间" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "days": "5", "reason": ""})
    assert "请填写延期理由" in r.get_data(as_text=True)
    url = f"/desk/tickets/{t3.id}/exclusion"
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "category": "untrue", "reason": "不属实"})
    assert "核减理由不能少于10个字" in r.get_data(as_text=True)
    assert db.session.query(ExtensionRequest).count() == 0
    assert db.session.query(ExclusionRequest).count() == 0
    assert db.session.query(TicketEvent).count() == events

    # a supervisor granting 11 days is refused too
    from app.models import utcnow

    req = ExtensionRequest(ticket_id=t3.id, assignment_id=t3.assignments[0].id, days=5, reason="需要时间",
                           created_at=utcnow())
    db.session.add(req)
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desk/scorecard")})
    make_user("supervisor", username="duban")
    login(client, "duban")
    due = t3.assignments[0].resolve_due_at
    page = f"/supervision/tickets/{t3.id}"
    r = client.post(f"/supervision/extensions/{req.id}", data={
        "csrf_token": csrf_token(client, page), "ticket_id": t3.id, "decision": "grant", "days": "11",
        "note": "同意"}, follow_redirects=True)
    assert "延期天数必须在1至10天之间" in r.get_data(as_text=True)
    r = client.post(f"/supervision/extensions/{req.id}", data={
        "csrf_token": csrf_token(client, page), "ticket_id": t3.id, "decision": "grant", "days": "3",
        "note": ""}, follow_redirects=True)
    assert "请填写审批意见" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, req.id).state == "pending"
    assert db.session.get(type(t3.assignments[0]), t3.assignments[0].id).resolve_due_at == due


def test_wrong_roles(client, db, month, make_user):
    a = month["agencies"]["市市场监管局"]
    make_user("clerk", username="clerk_a", agency=a)
    make_user("enterprise", username="biz")
    login(client, "clerk_a")
    assert client.get("/supervision/").status_code == 403
    assert client.get("/supervision/evaluation?month=2026-09").status_code == 403
    assert client.get("/supervision/evaluation/export.csv?month=2026-09").status_code == 403
    own = client.get("/desk/scorecard?month=2026-09")
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert "市税务局" not in html  # only its own line
    r = client.get("/desk/scorecard/tickets?month=2026-09&metric=late").get_data(as_text=True)
    assert month["t"][3].number in r
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desk/scorecard")})
    login(client, "biz")
    assert client.get("/desk/scorecard").status_code == 403
    assert client.get("/supervision/evaluation").status_code == 403
    assert client.get(f"/desk/tickets/{month['t'][3].id}/extension").status_code == 403


def test_request_partial_for_the_desk_ticket_page(app, db, month, make_user):
    from flask import render_template
    from flask_login import login_user

    from app.models import ExtensionRequest, utcnow

    t3 = month["t"][3]
    clerk = make_user("clerk", username="clerk_a", agency=month["agencies"]["市市场监管局"])
    with app.test_request_context("/desk/"):
        login_user(clerk)
        html = render_template("desk/_request_actions.html", ticket=t3)
        assert f"/desk/tickets/{t3.id}/extension" in html and f"/desk/tickets/{t3.id}/exclusion" in html
        db.session.add(ExtensionRequest(ticket_id=t3.id, assignment_id=t3.assignments[0].id, days=4,
                                        reason="需要时间", created_at=utcnow()))
        db.session.commit()
        html = render_template("desk/_request_actions.html", ticket=t3)
        assert "待审批" in html and f"/desk/tickets/{t3.id}/extension" not in html


def test_breakdown_chart_names_the_topics_in_the_readers_language(client, db, month, make_user):
    """The chart's axis and its tooltips name each topic as the table does: in English for an English
    reader (the month has tax and finance tickets), cut to the bar's width with “…” only on the axis."""
    from flask_babel import refresh

    from tests.conftest import login

    make_user("supervisor", username="duban_en")
    login(client, "duban_en")
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    page = client.get("/supervision/evaluation/breakdown?month=2026-09&lang=en").get_data(as_text=True)
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert "Taxes and fees payment" in chart and "Financing and credit" in chart  # the tooltips, in full
    assert "纳税缴费" not in chart and "融资信贷" not in chart
    refresh()
    zh = client.get("/supervision/evaluation/breakdown?month=2026-09&lang=zh").get_data(as_text=True)
    assert "纳税缴费：" in zh[zh.index("<svg"):zh.index("</svg>")]  # a tooltip: full-width colon in Chinese
    assert "Taxes and fees payment: " in chart


@pytest.mark.parametrize("label, width, shown", [
    ("纳税缴费", 48, "纳税缴费"),                      # 4 characters of 10 px fit 48 px
    ("企业开办与注销", 48, "企业开…"),                 # 7 do not
    ("Financing and credit", 48, "Financ…"),          # a Latin letter is about half as wide
    ("Tax", 48, "Tax"),
])
def test_chart_axis_labels_fit_their_slot(label, width, shown):
    from app.web.charts import fit

    assert fit(label, width) == shown
