"""Property-based (hypothesis), continued: the dispatch centre's forms (dispatch with co-agencies,
deciding returns, callbacks), the supervision office's (extension, exclusion and return decisions,
manual 督办), the admin's (calendar, SLA policy; accounts through `flask users`), registration and
joining by invitation. Arbitrary text, ids (beyond 2⁶³) and dates, mixed with valid values so the
services are reached too: never a 500, and after a refusal every watched table is exactly as before."""
import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import (
    Assignment,
    CalendarDay,
    CalendarYear,
    Enterprise,
    EnterpriseInvitation,
    EnterpriseLicence,
    ExclusionRequest,
    ExtensionRequest,
    Rating,
    SlaPolicy,
    SlaPolicyChange,
    SupervisionNotice,
    Ticket,
    TicketEvent,
    TicketReturn,
    User,
    WorkingHours,
)
from app.services import accounts, dispatching, handling
from app.services import supervision as sv
from tests.conftest import csrf_token, login
from tests.web.test_audit import fresh_client
from tests.web.test_properties import SETTINGS as BASE_SETTINGS
from tests.web.test_properties import dates, ids, texts, values
from tests.worlds import World, route_to

# Each test spreads its examples over several forms: a few more than the base 25.
SETTINGS = settings(BASE_SETTINGS, max_examples=40)
# Every table a refused form could touch; compared row by row, every column.
WATCHED = (Ticket, TicketEvent, Assignment, TicketReturn, ExtensionRequest, ExclusionRequest, SupervisionNotice,
           Rating, Enterprise, User, EnterpriseInvitation, EnterpriseLicence, CalendarDay, CalendarYear,
           WorkingHours, SlaPolicy, SlaPolicyChange)
BIG = st.sampled_from([str(2**31), str(2**63), str(2**63 + 1), str(2**64), "-1", "0"])
url_ids = st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([2**31 - 1, 2**31, 2**63]))


def snapshot(db):
    db.session.expire_all()
    return tuple(tuple(tuple(row) for row in db.session.execute(
        select(m.__table__).order_by(*m.__table__.primary_key.columns)).all()) for m in WATCHED)


def one_of_or(valid, other=values):
    """A valid value (drawn two times in three, so the services are reached) or anything at all."""
    return st.one_of(st.sampled_from(list(valid)), st.sampled_from(list(valid)), other)


def post_and_check(client, db, url, fields, environ=None):
    before = snapshot(db)
    data = dict(fields, csrf_token=csrf_token(client, "/inbox") if "/register" not in url else fields["csrf_token"])
    r = client.post(url, data=data, follow_redirects=True, content_type="multipart/form-data",
                    environ_base=environ or {})
    assert r.status_code < 500, (url, fields)
    page = r.get_data(as_text=True)
    refused = r.status_code >= 400 or "flash-error" in page or 'class="error"' in page
    if refused:
        assert snapshot(db) == before, (url, fields)
    return refused


# --- the dispatch centre ------------------------------------------------------------------------

@pytest.fixture
def dispatch_world(app, make_city, make_user, db, monkeypatch):
    w = World(make_city, make_user)
    w.dispatcher = make_user("dispatcher", username="disp_ly")
    route_to(monkeypatch, to_dispatch=True)
    w.queued = w.file(title="待派单")
    route_to(monkeypatch)
    w.returned = w.file(title="被退回")
    dispatching.return_ticket(w.returned, w.clerk, "not_our_duty", "该事项不属于本单位职责，应由税务部门办理。")
    w.replied = w.file(title="已答复")
    handling.sign(w.clerk, w.replied.id)
    handling.reply(w.clerk, w.replied.id, "经核查，已协调相关部门合并检查事项，今后将统一安排。")
    w.client = app.test_client()
    login(w.client, "disp_ly")
    return w


@SETTINGS
@given(data=st.data())
def test_dispatch_forms_never_fail(dispatch_world, db, data):
    w = dispatch_world
    tickets = [w.queued, w.returned, w.replied]
    tid = data.draw(one_of_or([t.id for t in tickets], url_ids), label="ticket")
    agency_ids = [str(a.id) for a in w.agencies.values()]
    version = db.session.scalar(select(Ticket.version).where(Ticket.id == tid)) if tid < 2**31 else None
    versions = st.one_of(st.just(str(version)), values)
    action = data.draw(st.sampled_from(["dispatch", "reject-return", "callback", "reject", "terminate"]))
    fields = {"version": data.draw(versions, label="version")}
    if action == "dispatch":
        fields.update(lead=data.draw(one_of_or(agency_ids, st.one_of(values, BIG))),
                      co=data.draw(st.lists(one_of_or(agency_ids, st.one_of(values, BIG)), max_size=3)),
                      note=data.draw(texts))
    elif action == "reject-return":
        fields.update(note=data.draw(texts))
    elif action == "callback":
        fields.update(channel=data.draw(one_of_or(["phone", "sms", "visit"])),
                      resolved=data.draw(one_of_or(["yes", "no"])),
                      satisfaction=data.draw(one_of_or(["satisfied", "dissatisfied"])),
                      comment=data.draw(texts))
    else:
        fields.update(reason=data.draw(texts), category=data.draw(one_of_or(["refused_info", "unlawful"])))
    post_and_check(w.client, db, f"/dispatch/tickets/{tid}/{action}", fields)


# --- the supervision office ---------------------------------------------------------------------

@pytest.fixture
def supervision_world(app, make_city, make_user, db, monkeypatch):
    w = World(make_city, make_user)
    w.dispatcher = make_user("dispatcher", username="disp_ly")
    route_to(monkeypatch)
    w.open = w.file(title="办理中")
    handling.sign(w.clerk, w.open.id)
    w.ext = sv.request_extension(w.clerk, w.open.id, 5, "需要跨部门联合核查，时间不够")
    w.exc = sv.request_exclusion(w.clerk, w.open.id, "in_litigation", "该事项已进入行政复议程序，不属于本次诉求办理范围")
    # Returned three times: the supervision office decides.
    w.contested = w.file(title="多次退回")
    reason = "该事项不属于本单位职责，应由其他部门办理。"
    dispatching.return_ticket(w.contested, w.clerk, "not_our_duty", reason)
    for agency, clerk in ((w.sw, w.other), (w.scj, w.clerk)):
        dispatching.dispatch(w.contested, agency.id, [], w.dispatcher)
        dispatching.return_ticket(w.contested, clerk, "not_our_duty", reason)
    db.session.refresh(w.contested)
    assert w.contested.state == "to_supervision"
    w.client = app.test_client()
    login(w.client, "supervisor_ly")
    return w


@SETTINGS
@given(data=st.data())
def test_supervision_forms_never_fail(supervision_world, db, data):
    w = supervision_world
    agency_ids = [str(a.id) for a in w.agencies.values()]
    action = data.draw(st.sampled_from(["extension", "exclusion", "decide", "transfer", "notice"]))
    if action in ("extension", "exclusion"):
        rid = data.draw(one_of_or([(w.ext if action == "extension" else w.exc).id], url_ids))
        url = f"/supervision/{action}s/{rid}"
        fields = {"ticket_id": data.draw(one_of_or([str(w.open.id)], st.one_of(ids, BIG))),
                  "decision": data.draw(one_of_or(["grant", "refuse"])),
                  "days": data.draw(one_of_or(["3", "10", "11"], st.one_of(values, BIG))),
                  "note": data.draw(texts)}
    else:
        tid = data.draw(one_of_or([w.open.id, w.contested.id], url_ids))
        url = f"/supervision/tickets/{tid}/{action}"
        if action == "notice":
            fields = {"note": data.draw(texts), "days": data.draw(one_of_or(["3"], st.one_of(values, BIG)))}
        else:
            fields = {f"{action}-agency_id": data.draw(one_of_or(agency_ids, st.one_of(values, BIG))),
                      f"{action}-note": data.draw(texts)}
    post_and_check(w.client, db, url, fields)


# --- the admin ----------------------------------------------------------------------------------

@pytest.fixture
def admin_client(app, make_city, make_user):
    make_city()
    make_user("admin", username="root", jurisdiction=None)
    c = app.test_client()
    login(c, "root")
    return c


SLA_FIELDS = ("sign_amount", "sign_unit", "contact_amount", "contact_unit", "resolve_amount", "resolve_unit",
              "reopen_resolve_amount", "reopen_resolve_unit", "warn_pct", "note")
path_text = st.one_of(st.sampled_from(["liaoyuan", "complaint", "nowhere"]),
                      st.text(alphabet="abcxyz09_-.%理", min_size=1, max_size=12))


@SETTINGS
@given(data=st.data())
def test_admin_calendar_and_sla_forms_never_fail(admin_client, db, data):
    action = data.draw(st.sampled_from(["days", "remove", "years", "hours", "notice", "sla"]))
    if action == "sla":
        city, kind = data.draw(one_of_or(["liaoyuan"], path_text)), data.draw(one_of_or(["complaint"], path_text))
        urgent = data.draw(one_of_or([0, 1], url_ids))
        url = f"/admin/sla/{city}/{kind}/{urgent}"
        fields = {f: data.draw(one_of_or(["1", "5", "working_days", "working_hours", "80"], st.one_of(values, BIG)),
                               label=f) for f in SLA_FIELDS}
    else:
        url, fields = {
            "days": ("/admin/calendar/days", {"day-day": data.draw(dates), "day-kind": data.draw(
                one_of_or(["holiday", "workday"])), "day-name": data.draw(texts)}),
            "remove": ("/admin/calendar/days/remove", {"rm-day": data.draw(dates)}),
            "years": ("/admin/calendar/years", {"year-year": data.draw(one_of_or(["2027", "1999"], st.one_of(ids, BIG)))}),
            "hours": ("/admin/calendar/hours", {"hours-jurisdiction": data.draw(one_of_or(["liaoyuan"])),
                                                "hours-periods": data.draw(one_of_or(["09:00-12:00", "18:00-09:00"]))}),
            "notice": ("/admin/calendar/notice", {"notice-text": data.draw(texts),
                                                  "notice-confirm": data.draw(one_of_or(["1", ""]))}),
        }[action]
    post_and_check(admin_client, db, url, fields)


@pytest.fixture
def city(make_city):
    return make_city()


@SETTINGS
@given(username=st.one_of(texts, st.just("new_clerk")), password=st.one_of(texts, st.just("Liaoyuan#2026desk")), role=st.one_of(texts, st.sampled_from(["clerk", "dispatcher"])),
       agency=st.one_of(texts, st.just("市市场监管局")), jurisdiction=st.one_of(texts, st.just("liaoyuan")), email=texts)
def test_admin_account_commands_never_crash(app, city, db, runner, username, password, role, agency,
                                            jurisdiction, email):
    """Accounts are the operator's commands (no admin page): arbitrary options give a message, not a
    traceback, and a refusal creates nothing."""
    if "\x00" in "".join((username, password, role, agency, jurisdiction, email)):
        return  # a NUL cannot be passed as a command-line argument
    before = snapshot(db)
    for args in (["users", "create", "--username", username, "--password", password, "--role", role,
                  "--agency", agency, "--jurisdiction", jurisdiction, "--email", email],
                 ["users", "disable", "--username", username], ["users", "enable", "--username", username]):
        result = runner.invoke(args=args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.output)
        if result.exit_code != 0:
            assert snapshot(db) == before, args
        before = snapshot(db)


# --- registration and joining -------------------------------------------------------------------

_addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
files = st.one_of(st.none(), st.tuples(st.sampled_from(["执照.png", "a.pdf", "x.exe", "", "../../etc/passwd.png"]),
                                       st.one_of(st.just(PNG), st.binary(max_size=64))))


@pytest.fixture
def invitation(make_city, make_user):
    make_city()
    first = make_user("enterprise", username="first_biz")
    return accounts.invite(first)


@SETTINGS
@given(data=st.data())
def test_registration_and_joining_never_fail(app, invitation, db, data):
    client = fresh_client(app)
    join = data.draw(st.booleans(), label="join")
    url = "/register/join" if join else "/register"
    fields = {"csrf_token": csrf_token(client, url),
              "contact_name": data.draw(one_of_or(["张三"])), "phone": data.draw(one_of_or(["13812345678"])),
              "email": data.draw(one_of_or(["", "a@example.cn"])),
              "username": data.draw(one_of_or(["newbiz", "first_biz"])),
              "password": data.draw(one_of_or(["Liaoyuan#2026desk"]))}
    fields["confirm"] = data.draw(one_of_or([fields["password"]]))
    if join:
        fields["code"] = data.draw(one_of_or([invitation, invitation.lower(), "000000000000"]))
    else:
        fields.update(enterprise_name=data.draw(one_of_or(["辽源市示例科技有限公司"])),
                      uscc=data.draw(one_of_or(["91350100M000100Y43", "91350100M000100Y44"])),
                      jurisdiction=data.draw(one_of_or(["liaoyuan", "changchun"])))
        licence = data.draw(files, label="licence")
        if licence is not None:
            fields["licence"] = (io.BytesIO(licence[1]), licence[0])
    post_and_check(client, db, url, fields, environ={"REMOTE_ADDR": next(_addresses)})
