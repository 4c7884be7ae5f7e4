"""Queries per filing, per queue page and per ticket page are counted: they must not grow with the
data (the business's open tickets, the agency's queue, the notifications piling up, the people in a
ticket's timeline)."""
import contextlib

import pytest
from sqlalchemy import event, select, text

from app.models import User
from app.services import handling, notifications
from app.services import tickets as core
from tests.conftest import PG_URL, csrf_token, login

# Distinct appeals (no two alike, so the duplicate check lets each one through).
TEXTS = [
    ("检查过多", "一个月内被不同部门检查了五次,影响经营。"),
    ("退税迟迟未到账", "出口退税申请提交已经两个月,至今没有到账,资金周转困难。"),
    ("招聘补贴申请", "新招用高校毕业生,想了解社保补贴的申请条件和材料。"),
    ("道路施工堵门", "门前道路施工围挡三个月,顾客无法进店,希望尽快完工。"),
    ("用电报装太慢", "新厂房申请高压用电报装,等待了四十天仍未接电。"),
]


@contextlib.contextmanager
def counting(db):
    """Collect the SQL statements run inside the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    db.session.expire_all()  # every counted request loads what it reads, as in production
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _file(client, title, description):
    token = csrf_token(client, "/portal/tickets/new")
    return client.post("/portal/tickets/new", data={
        "csrf_token": token, "kind": "complaint", "topic": "inspection", "title": title,
        "description": description, "contact_phone": "13912345678"}, content_type="multipart/form-data")


def _pile_up(w, n):
    """`n` more open tickets of biz1 at the market regulator, each notifying its staff."""
    for i in range(n):
        core.file_ticket(w.biz, kind="help", topic="other", title=f"其他事项{i}号",
                         description=f"编号{i}的一般性咨询,与其他诉求无关,内容各不相同{i * 7919}。")


def test_a_filing_costs_the_same_queries_with_many_open_tickets(client, w, db):
    login(client, "biz1")
    assert _file(client, *TEXTS[0]).status_code == 302  # warms the process caches (calendar)
    with counting(db) as first:
        assert _file(client, *TEXTS[1]).status_code == 302
    _pile_up(w, 40)
    with counting(db) as later:
        assert _file(client, *TEXTS[2]).status_code == 302
    assert len(later) == len(first), (len(first), len(later))
    # One INSERT of the ticket row and no UPDATE of it (the row is written once).
    ticket_writes = [s for s in later if s.lstrip().upper().startswith(("INSERT INTO TICKETS", "UPDATE TICKETS"))]
    assert len(ticket_writes) == 1 and ticket_writes[0].lstrip().upper().startswith("INSERT")
    # The filing dispatches to an agency with three staff: one notification row, not three.
    notes = [s for s in later if s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(notes) <= 2  # the filer's "filed" and the agency's "dispatched" (maybe one multi-row)


def test_a_queue_page_costs_the_same_queries_at_any_length(client, w, db):
    _pile_up(w, 3)
    login(client, "clerk_scj")
    client.get("/desk/")  # warm the process caches (calendar)
    with counting(db) as short:
        assert client.get("/desk/").status_code == 200
    _pile_up(w, 30)
    # Some rows signed, one suspended: every kind of SLA light on the page.
    t = core.file_ticket(w.biz2, kind="help", topic="other", title="挂起的工单",
                         description="需要企业补充材料的一件诉求,内容足够长。")
    handling.sign(w.clerk, t.id)
    handling.suspend(w.clerk, t.id, "请补充营业执照复印件")
    with counting(db) as long:
        page = client.get("/desk/")
    assert page.status_code == 200 and "下一页" in page.get_data(as_text=True)
    assert len(long) == len(short), (len(short), len(long))
    assert len(long) <= 12, long


def test_the_unread_badge_is_one_query_however_many_notifications(client, w, db):
    _pile_up(w, 30)
    login(client, "clerk_scj")
    with counting(db) as seen:
        client.get("/inbox")
    badge = [s for s in seen if "inbox_states" in s and "count(" in s.lower()]
    assert len(badge) == 1


@pytest.mark.skipif(not PG_URL, reason="query plans are PostgreSQL's")
@pytest.mark.parametrize("addressee,column", [
    (notifications.to_enterprise(1), "enterprise_id"), (notifications.to_city("liaoyuan", "dispatcher"), "jurisdiction"),
    (notifications.to_agency(1), "agency_id"), (notifications.to_agency(1, "clerk"), "agency_id")],
    ids=["business", "city role", "agency", "agency role"])
def test_an_audience_s_members_are_found_through_an_index(db, addressee, column):
    """Every filing emails its audiences' members: that lookup must not read the whole users
    table. With sequential scans priced out, the plan shows whether an index is searched by the
    audience's own column (a full scan of another index would name no such condition)."""
    stmt = select(User.email).where(addressee.members())
    sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + sql)))
    assert "Seq Scan on users" not in plan, plan
    conds = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any(column in line for line in conds), plan


def test_a_ticket_page_costs_the_same_queries_however_long_its_history(client, w, db):
    """The timeline names each event's author and agency: a ticket handled by many people must not
    cost a query per person."""
    short, long = w.file(), w.file(title="检查过多二", description="另一件诉求，一个月内被检查了五次。")
    for t in (short, long):
        handling.sign(w.clerk, t.id)
    for i, who in enumerate([w.clerk, w.clerk_b, w.admin] * 3):  # nine notes by three people
        handling.note(who, long.id, f"第{i}次内部备注：已电话联系企业了解情况。")
    login(client, "clerk_scj")
    client.get(f"/desk/tickets/{short.id}")  # warm the process caches (calendar, labels)
    with counting(db) as few:
        assert client.get(f"/desk/tickets/{short.id}").status_code == 200
    with counting(db) as many:
        page = client.get(f"/desk/tickets/{long.id}")
    assert page.status_code == 200 and "第8次内部备注" in page.get_data(as_text=True)
    assert len(many) == len(few), (len(few), len(many))
