"""/admin/sla: the policy of each city × kind, editing one, the change log, refusals."""
import pytest
from flask_babel import refresh

from app.models import SlaPolicy, SlaPolicyChange
from app.services import clocks
from tests.conftest import csrf_token, login

# The defaults as docs/sla.md states them: sign 2 working hours, resolve a complaint in 15 working days.
FORM = {"sign_amount": "2", "sign_unit": "working_hours", "contact_amount": "1", "contact_unit": "working_days",
        "resolve_amount": "10", "resolve_unit": "working_days", "reopen_resolve_amount": "5",
        "reopen_resolve_unit": "working_days", "warn_pct": "80", "flag_days": "3", "interview_days": "5",
        "notice_days": "10", "rating_window_days": "10", "note": "市政府要求提速"}


@pytest.fixture
def admin_client(client, make_user, make_city):
    make_city()
    make_user("admin", username="root", jurisdiction=None)
    login(client, "root")
    return client


def test_page_shows_each_kind_with_its_limits_and_the_ladder(admin_client):
    page = admin_client.get("/admin/sla?city=liaoyuan").get_data(as_text=True)
    for kind in ("投诉", "求助", "咨询", "建议", "举报"):
        assert kind in page
    assert "15 工作日" in page and "2 工作小时" in page  # complaint resolve, sign
    assert "超期3个工作日" in page and "超期10个工作日" in page and "10天未评价" in page
    assert admin_client.get("/admin/").get_data(as_text=True).count("/admin/sla") >= 1


def test_edit_saves_the_policy_and_records_the_change(admin_client, db):
    url = "/admin/sla/liaoyuan/complaint/0"
    assert 'value="15' in admin_client.get(url).get_data(as_text=True)
    resp = admin_client.post(url, data={**FORM, "csrf_token": csrf_token(admin_client, url)})
    assert resp.status_code == 302
    policy = clocks.policy_of("liaoyuan", "complaint", False)
    assert (policy.resolve.amount, policy.resolve.unit, policy.warn_ratio) == (10, "working_days", 0.8)
    change = db.session.query(SlaPolicyChange).one()
    assert change.before["limits"]["resolve"]["amount"] == 15 and change.after["limits"]["resolve"]["amount"] == 10
    page = admin_client.get("/admin/sla?city=liaoyuan").get_data(as_text=True)
    assert "15 工作日 → 10 工作日" in page and "75% → 80%" in page and "市政府要求提速" in page


def test_ladder_and_rating_window_are_edited_and_recorded(admin_client, db):
    from app.models import Setting
    from app.services import sla

    url = "/admin/sla/liaoyuan/help/0"
    form = admin_client.get(url).get_data(as_text=True)
    assert 'name="flag_days"' in form and 'name="rating_window_days"' in form
    data = {**FORM, "resolve_amount": "7", "warn_pct": "75", "flag_days": "2", "interview_days": "4",
            "notice_days": "8", "rating_window_days": "7", "note": ""}
    assert admin_client.post(url, data={**data, "csrf_token": csrf_token(admin_client, url)}).status_code == 302
    assert clocks.policy_of("liaoyuan", "help", False).overdue_after == {"flag": 2, "interview": 4, "notice": 8}
    assert sla.rating_window_days("liaoyuan") == 7
    assert db.session.get(Setting, ("sla.rating_window_days", "liaoyuan")) is not None
    change = db.session.query(SlaPolicyChange).one()
    assert change.before["ladder"] == {"flag": 3, "interview": 5, "notice": 10}
    assert change.after["ladder"] == {"flag": 2, "interview": 4, "notice": 8}
    assert (change.before["rating_window_days"], change.after["rating_window_days"]) == (10, 7)
    page = admin_client.get("/admin/sla?city=liaoyuan").get_data(as_text=True)
    assert "挂牌督办：超期3个工作日 → 超期2个工作日" in page
    assert "通报：超期10个工作日 → 超期8个工作日" in page
    assert "评价期限（全市）：10天 → 7天" in page and "7天未评价" in page
    assert change.actor.display_name in page


@pytest.mark.parametrize("bad", [{"resolve_amount": "1.5"}, {"warn_pct": "99"}, {"sign_amount": "-1"},
                                 {"resolve_unit": "fortnights"}, {"flag_days": "0"}, {"notice_days": "abc"},
                                 {"flag_days": "5", "interview_days": "5"}, {"interview_days": "12"},
                                 {"notice_days": "61"}, {"rating_window_days": "0"}, {"rating_window_days": ""}])
def test_bad_input_is_refused_and_changes_nothing(admin_client, db, bad):
    from app.models import Setting

    url = "/admin/sla/liaoyuan/complaint/0"
    resp = admin_client.post(url, data={**FORM, **bad, "csrf_token": csrf_token(admin_client, url)})
    assert resp.status_code == 200
    assert 'class="error"' in resp.get_data(as_text=True) or "flash-error" in resp.get_data(as_text=True)
    assert db.session.query(SlaPolicy).count() == 0 and db.session.query(SlaPolicyChange).count() == 0
    assert db.session.query(Setting).filter_by(key="sla.rating_window_days").count() == 0


def test_a_ladder_out_of_order_says_why_in_both_languages(admin_client):
    url = "/admin/sla/liaoyuan/complaint/0"
    data = {**FORM, "flag_days": "5", "interview_days": "4"}
    page = admin_client.post(url, data={**data, "csrf_token": csrf_token(admin_client, url)}).get_data(as_text=True)
    assert "督办阶梯须逐级递增：约谈晚于挂牌督办，通报晚于约谈" in page
    token = csrf_token(admin_client, url)
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    page = admin_client.post(url + "?lang=en", data={**data, "csrf_token": token}).get_data(as_text=True)
    assert "must rise step by step" in page


def test_only_admins(client, make_user, make_city):
    make_city()
    make_user("supervisor", username="sup")
    login(client, "sup")
    assert client.get("/admin/sla").status_code in (302, 403)
    assert client.get("/admin/sla/nowhere/complaint/0").status_code in (302, 403)
