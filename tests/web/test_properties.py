"""Property-based (hypothesis): arbitrary text, ids and dates through the forms and query
parameters never give a 500, and a refused request changes nothing (issue 11, "Done when")."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.models import Attachment, Ticket, TicketEvent, User
from tests.conftest import csrf_token, login

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

texts = st.one_of(st.text(max_size=60), st.text(alphabet="\x00\r\n\t<>%'\"/\\&;", max_size=20),
                  st.sampled_from(["", " ", "理" * 6000, "9999-12", "0001-01-01", "2026-02-30"]))
ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), texts)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()), texts)
values = st.one_of(texts, ids, dates)

# endpoint URL (with {t} for the ticket id) → its fields, per role
BUSINESS_FORMS = {
    "/portal/tickets/new": ["kind", "topic", "title", "description", "district", "contact_phone", "seen_similar"],
    "/portal/tickets/{t}/info": ["text"],
    "/portal/tickets/{t}/withdraw": ["reason"],
    "/portal/tickets/{t}/answer": ["answer"],
    "/portal/tickets/{t}/rate": ["satisfaction", "responded", "comment"],
    "/portal/tickets/{t}/reopen": ["reason"],
    "/account/password": ["current", "password", "confirm"],
}
CLERK_FORMS = {
    "/desk/tickets/{t}/contact": ["contacted_on", "way", "summary"],
    "/desk/tickets/{t}/note": ["text"],
    "/desk/tickets/{t}/suspend": ["question"],
    "/desk/tickets/{t}/reply": ["answer", "override_reason"],
    "/desk/tickets/{t}/assign": ["clerk_id"],
    "/desk/tickets/{t}/extension": ["days", "reason"],
    "/desk/tickets/{t}/exclusion": ["category", "reason"],
    "/desk/return/{t}": ["category", "reason", "suggested"],
}
QUERIES = {
    "clerk_scj": {"/desk/": ["state", "kind", "topic", "mine", "after"], "/inbox": ["before"],
                  "/desk/scorecard": ["month"], "/desk/scorecard/tickets": ["month", "metric", "before"]},
    "supervisor_ly": {"/supervision/": ["before", "state"], "/supervision/evaluation": ["month"],
                      "/supervision/evaluation/drill": ["month", "metric", "agency", "before"],
                      "/supervision/evaluation/trend": ["month", "agency"],
                      "/supervision/evaluation/breakdown": ["month", "by"]},
}


def _state(db):
    db.session.expire_all()
    counts = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Ticket, TicketEvent, Attachment))
    return counts + (db.session.scalar(select(func.coalesce(func.sum(Ticket.version), 0))),
                     tuple(db.session.scalars(select(User.password_hash).order_by(User.id))))


def _post_forms(client, db, forms, t, data):
    url = data.draw(st.sampled_from(sorted(forms))).format(t=t)
    fields = {name: data.draw(values, label=name) for name in forms[url.replace(str(t), "{t}")]}
    token = csrf_token(client, "/inbox")
    before = _state(db)
    r = client.post(url, data=dict(fields, csrf_token=token), follow_redirects=True)
    assert r.status_code < 500, (url, fields)
    page = r.get_data(as_text=True)
    if r.status_code >= 400 or "flash-error" in page or 'class="error"' in page:
        assert _state(db) == before, (url, fields)


@SETTINGS
@given(data=st.data())
def test_business_forms_never_fail(app, w, db, data):
    t = w.file()
    client = app.test_client()
    login(client, "biz1")
    _post_forms(client, db, BUSINESS_FORMS, t.id, data)


@SETTINGS
@given(data=st.data())
def test_agency_forms_never_fail(app, w, db, data):
    from app.services import handling

    t = w.file()
    handling.sign(w.clerk, t.id)
    client = app.test_client()
    login(client, "agencyadmin_scj")
    _post_forms(client, db, CLERK_FORMS, t.id, data)


@SETTINGS
@given(data=st.data())
def test_query_parameters_never_fail(app, w, db, data):
    who = data.draw(st.sampled_from(sorted(QUERIES)))
    client = app.test_client()
    login(client, who)
    url = data.draw(st.sampled_from(sorted(QUERIES[who])))
    params = {name: data.draw(values, label=name) for name in QUERIES[who][url]}
    before = _state(db)
    r = client.get(url, query_string=params)
    assert r.status_code < 500, (url, params)
    assert _state(db) == before


@SETTINGS
@given(ticket=ids, attachment=ids)
def test_ids_in_urls_never_fail(app, w, ticket, attachment):
    client = app.test_client()
    login(client, "biz1")
    for url in (f"/portal/tickets/{ticket}", f"/attachments/{attachment}"):
        assert client.get(url).status_code in (200, 302, 400, 404), url
