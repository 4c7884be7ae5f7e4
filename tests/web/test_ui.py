"""Issue 15 through the test client: the clerk's queue (search, light filter, sort, bulk), the
contact date, the business's list and progress, labels instead of codes, spoken durations,
even chart ticks, the manual 督办 on the board, the favicon."""
from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import event

from app.extensions import db as _db
from app.services import clocks, handling, supervision
from app.web import labels
from app.web.charts import nice_ticks
from tests.conftest import csrf_token, login
from tests.worlds import route_to, shanghai_today


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_queue_search_by_number_enterprise_and_words(client, w):
    a = w.file(title="冷库消防验收", description="新建冷库的消防验收迟迟没有安排现场检查。")
    b = w.file(user=w.biz2, title="广告审批", description="食品广告审查材料提交很久没有结果。")
    login(client, "clerk_scj")
    assert a.number in _page(client, f"/desk/?q={a.number}") and b.number not in _page(client, f"/desk/?q={a.number}")
    page = _page(client, "/desk/?q=广告审查")
    assert b.number in page and a.number not in page
    page = _page(client, f"/desk/?q={b.enterprise.name}")
    assert b.number in page and a.number not in page
    assert "没有符合条件的工单" in _page(client, "/desk/?q=完全不存在的词")


def test_queue_light_filter_and_sort(client, w, db):
    late, fresh = w.file(title="早就超期的工单"), w.file(title="刚提交的工单")
    # Restart the first ticket's clocks 20 working days ago: both its sign and resolve deadlines passed.
    cal = clocks.calendar_for("liaoyuan")
    start = late.created_at
    while cal.working_days_between(start, fresh.created_at) < 20:
        start -= timedelta(days=1)
    clocks.start(late.assignments[0], start)
    db.session.commit()
    login(client, "clerk_scj")
    page = _page(client, "/desk/?light=overdue")
    assert late.number in page and fresh.number not in page
    assert "超期" in page and "工作小时" not in page  # durations as people say them
    deadline = _page(client, "/desk/?sort=deadline")
    assert deadline.index(late.number) < deadline.index(fresh.number)  # nearest deadline first
    filed = _page(client, "/desk/?sort=filed")
    assert filed.index(fresh.number) < filed.index(late.number)  # newest filing first


def test_queue_queries_do_not_grow_with_the_rows(client, w, app):
    """The queue page issues the same number of queries for 2 rows as for 12 (no per-row loads
    from the queue itself; the SLA light's own reads are engineer F's part and counted apart)."""
    login(client, "clerk_scj")

    def count(url):
        n = {"q": 0}

        def on(*_a, **_k):
            n["q"] += 1

        event.listen(_db.engine, "before_cursor_execute", on)
        try:
            client.get(url)
        finally:
            event.remove(_db.engine, "before_cursor_execute", on)
        return n["q"]

    # the SLA lights included: clocks.statuses reads them for the whole page at once
    for _ in range(2):
        w.file()
    few = count("/desk/?sort=updated")
    for _ in range(10):
        w.file()
    many = count("/desk/?sort=updated")
    assert many == few, (few, many)


def test_bulk_sign_and_assign(client, w):
    t1, t2 = w.file(), w.file()
    login(client, "agencyadmin_scj")
    token = csrf_token(client, "/desk/")
    resp = client.post("/desk/bulk", data={"csrf_token": token, "ids": [t1.id, t2.id], "action": "assign",
                                           "clerk_id": w.clerk_b.id}, follow_redirects=True)
    assert "已分配2件" in resp.get_data(as_text=True)
    assert {a.clerk_id for t in (t1, t2) for a in t.assignments} == {w.clerk_b.id}
    client.post("/logout", data={"csrf_token": token})
    login(client, "clerk_scj")
    token = csrf_token(client, "/desk/")
    page = client.post("/desk/bulk", data={"csrf_token": token, "ids": [t1.id, t2.id], "action": "sign"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已签收2件" in page and t1.state == t2.state == "in_progress"
    # Again: both are signed already, each refusal is reported once, nothing changes.
    page = client.post("/desk/bulk", data={"csrf_token": token, "ids": [t1.id, t2.id], "action": "sign"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已签收0件" in page and "2件未办理" in page
    page = client.post("/desk/bulk", data={"csrf_token": token, "action": "sign"},
                       follow_redirects=True).get_data(as_text=True)
    assert "请先勾选工单" in page


def test_contact_date_defaults_to_today_and_cannot_precede_the_filing(client, w):
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "clerk_scj")
    url = f"/desk/tickets/{t.id}"
    page = _page(client, url)
    today = shanghai_today().isoformat()
    assert f'value="{today}"' in page and f'min="{today}"' in page
    token = csrf_token(client, url)
    before = (shanghai_today() - timedelta(days=1)).isoformat()
    page = client.post(f"{url}/contact", data={"csrf_token": token, "contacted_on": before, "way": "phone",
                                               "summary": "电话沟通"}, follow_redirects=True).get_data(as_text=True)
    assert "联系日期不能早于诉求提交日期" in page
    assert [e.action for e in t.events].count("contact") == 0


def test_pending_co_warning_once_and_gone_after_the_reply(client, w, monkeypatch):
    route_to(monkeypatch, co=("市税务局",))
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "clerk_scj")
    page = _page(client, f"/desk/tickets/{t.id}")
    assert page.count("个协办单位未提交意见") == 2  # the co card's status and the reply form's warning
    handling.reply(w.clerk, t.id, "经核查已处理完毕，并书面告知企业处理结果。", override_reason="协办单位已电话确认")
    page = _page(client, f"/desk/tickets/{t.id}")
    assert "个协办单位未提交意见" not in page


def test_business_list_and_ticket_show_agency_promise_and_progress(client, w):
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "biz1")
    page = _page(client, "/portal/")
    assert "承办单位" in page and "承诺办结时间" in page and "评价" in page and "市市场监管局" in page
    page = _page(client, f"/portal/tickets/{t.id}")
    assert "承诺办结时间" in page and 'aria-current="step">办理中' in page
    assert "执法检查" in page and ">inspection<" not in page  # topic label, not the code


def test_english_labels(client, w):
    t = w.file()
    login(client, "clerk_scj")
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    page = _page(client, "/desk/?lang=en")
    assert "Inspections and enforcement" in page and "执法检查" not in page
    refresh()
    page = _page(client, f"/desk/tickets/{t.id}")
    assert "Inspections and enforcement" in page
    assert "执法检查" not in page


@pytest.mark.parametrize("hours, zh, en", [
    (1 * 7 + 3, "1天3小时", "1 d 3 h"),      # a working day is 7 hours (09:00–12:00, 13:30–17:30)
    (2.5, "2小时30分钟", "2 h 30 min"),
    (0.75, "45分钟", "45 min"),
    (14, "2天", "2 d"),
    (0, "0分钟", "0 min"),
])
def test_duration_as_people_say_it(app, hours, zh, en):
    with app.test_request_context("/"):
        assert labels.duration(hours) == zh
    with app.test_request_context("/?lang=en"):
        refresh()
        assert labels.duration(hours) == en


@pytest.mark.parametrize("lo, hi, ticks", [
    (0, 100, [0, 20, 40, 60, 80, 100]),
    (0, 37, [0, 10, 20, 30, 40]),
    (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0, 250, [0, 50, 100, 150, 200, 250]),
])
def test_chart_ticks_are_even_and_round(lo, hi, ticks):
    got = nice_ticks(lo, hi)
    assert got == pytest.approx(ticks)
    steps = {round(b - a, 9) for a, b in zip(got, got[1:], strict=False)}
    assert len(steps) == 1


def test_manual_notice_appears_on_the_board(client, w):
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "supervisor_ly")
    assert t.number not in _page(client, "/supervision/")  # neither late nor escalated
    supervision.issue_notice(w.supervisor, t.id, "请加快办理", 3)
    page = _page(client, "/supervision/")
    assert t.number in page and "督办" in page
    assert t.number in _page(client, "/supervision/?level=supervise")


def test_staff_pages_show_labels_not_codes(client, w):
    t = w.file()
    login(client, "supervisor_ly")
    page = _page(client, f"/supervision/tickets/{t.id}")
    assert "待签收" in page and ">dispatched<" not in page


def test_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.data[:4] == b"\x00\x00\x01\x00"
