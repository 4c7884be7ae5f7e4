"""The monthly evaluation on a hand-built month: every rate, the auto-rating setting, weights,
ranking and grades; freezing; late changes; the CLI's JSON shape."""
import json
from datetime import UTC, datetime

import pytest
import time_machine

from app.models import EvaluationChange, ExclusionRequest, Rating, Setting
from app.services import ServiceError
from app.services import evaluation as ev
from tests.web.test_supervision import build_month

NOW = datetime(2026, 10, 20, 2, tzinfo=UTC)


@pytest.fixture
def month(db, make_city, make_user):
    with time_machine.travel(NOW, tick=False):
        data = build_month(db, make_city, make_user)
    return data


def by_agency(rows):
    return {r["agency"]: r for r in rows}


def test_every_rate_of_a_hand_built_month(month):
    with time_machine.travel(NOW, tick=False):
        rows = ev.report("liaoyuan", "2026-09")
    r = by_agency(rows)
    jia, yi, bing = r["市市场监管局"], r["市税务局"], r["市人社局"]
    # 甲: t1 t2 t3 t5 (t4 is excluded); responded t1 t5; on time t1 t5 of t1 t2 t5 + open late t3
    assert jia["assignments"] == 4
    assert jia["response_rate"] == 50.0
    assert jia["on_time_rate"] == 50.0
    # ratings t1 (非常满意, solved), t2 (基本满意, not solved), t5 (auto: counts as satisfied and solved)
    assert jia["resolution_rate"] == pytest.approx(66.67)
    assert jia["satisfaction_rate"] == pytest.approx(93.33)
    assert jia["unjustified_returns"] == 1 and jia["reopened"] == 1 and jia["flagged"] == 1
    assert jia["supervision_notices"] == 0
    assert jia["composite"] == pytest.approx(71.0)
    assert jia["score"] == pytest.approx(68.0)  # − 1 (return) − 2 (flag)
    assert (jia["rank"], jia["grade"]) == (2, "C")
    # 乙: its co assignment on t1 (opinion in time) and its lead t6
    assert yi["assignments"] == 2 and yi["response_rate"] == 100.0 and yi["on_time_rate"] == 100.0
    assert yi["resolution_rate"] == 100.0 and yi["satisfaction_rate"] == 100.0
    assert yi["supervision_notices"] == 2  # a supervise escalation + a 督办单
    assert (yi["rank"], yi["grade"], yi["score"]) == (1, "A", 100.0)
    # 丙: nothing to divide
    assert bing["response_rate"] is None and bing["score"] is None
    assert (bing["rank"], bing["grade"]) == (None, "—")
    assert [x["agency"] for x in rows] == ["市税务局", "市市场监管局", "市人社局"]


def test_auto_ratings_left_out_and_configured_weights(db, month):
    db.session.add(Setting(key="evaluation.count_auto_ratings", jurisdiction="liaoyuan", value={"value": False}))
    db.session.add(Setting(key="evaluation.weights", jurisdiction="*", value={"deductions": {"flag": 6}}))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        jia = by_agency(ev.report("liaoyuan", "2026-09"))["市市场监管局"]
    assert jia["resolution_rate"] == 50.0 and jia["satisfaction_rate"] == 90.0
    assert jia["composite"] == pytest.approx(64.0)
    assert jia["score"] == pytest.approx(57.0)  # 64 − 1 − 6
    assert jia["grade"] == "D"


def test_ties_share_a_rank(db, make_city, make_user):
    from app.models import Assignment, Ticket

    _, ag = make_city(agencies=("甲局", "乙局", "丙局"))
    biz = make_user("enterprise")
    for i, (name, responded) in enumerate([("甲局", True), ("乙局", True), ("丙局", False)]):
        t = Ticket(number=f"LY-T{i}", jurisdiction="liaoyuan", enterprise_id=biz.enterprise_id, kind="help",
                   topic="tax", title="诉求", description="诉求内容描述足够长的文字", state="closed",
                   created_at=datetime(2026, 9, 3, 2, tzinfo=UTC))
        db.session.add(t)
        db.session.flush()
        done = datetime(2026, 9, 3, 3, tzinfo=UTC) if responded else None
        db.session.add(Assignment(ticket_id=t.id, agency_id=ag[name].id, role="lead", created_at=t.created_at,
                                  sign_due_at=datetime(2026, 9, 3, 6, tzinfo=UTC),
                                  contact_due_at=datetime(2026, 9, 4, 9, tzinfo=UTC),
                                  signed_at=done, contacted_at=done, active=False))
    db.session.commit()
    rows = by_agency(ev.report("liaoyuan", "2026-09"))
    assert rows["甲局"]["rank"] == rows["乙局"]["rank"] == 1
    assert rows["丙局"]["rank"] == 3 and rows["丙局"]["grade"] == "D"


def test_frozen_month_does_not_move(db, month, make_user):
    from app.services import supervision

    sup = make_user("supervisor", username="duban")
    clerk = make_user("clerk", username="clerk_a", agency=month["agencies"]["市市场监管局"])
    with time_machine.travel(NOW, tick=False):
        before = ev.report_json("liaoyuan", "2026-09")
        period = ev.freeze("liaoyuan", "2026-09", sup)
        assert period.settings["weights"]["response"] == 30.0
        with pytest.raises(ServiceError):
            ev.freeze("liaoyuan", "2026-09", sup)
        with pytest.raises(ServiceError):
            ev.freeze("liaoyuan", "2026-10", sup)  # not over yet
    later = datetime(2026, 10, 22, 2, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        t3 = month["t"][3]
        rating = Rating(ticket_id=t3.id, agency_id=t3.lead_agency_id, satisfaction="very_dissatisfied",
                        resolved=False, created_at=later)
        db.session.add(rating)
        db.session.flush()
        assert ev.note_late_rating(rating) is not None
        db.session.commit()
        # 核减 is possible until the month is frozen: after it, neither a request nor a decision.
        with pytest.raises(ServiceError) as err:
            supervision.request_exclusion(clerk, t3.id, "untrue", "经核实企业反映的情况与事实不符")
        assert err.value.code == "frozen"
        db.session.rollback()
        assert ev.report_json("liaoyuan", "2026-09") == before
        kinds = sorted(c.kind for c in db.session.query(EvaluationChange).all())
        assert kinds == ["late_rating"]
        assert all(c.frozen_month == "2026-09" for c in db.session.query(EvaluationChange))
        assert db.session.query(ExclusionRequest).count() == 0
        # the late rating lands in the open month
        october = by_agency(ev.report("liaoyuan", "2026-10"))["市市场监管局"]
        assert october["counts"]["carried"] == 1
        assert by_agency(before)["市市场监管局"]["assignments"] == 4


def test_cli_json_shape_and_freeze(runner, month):
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["evaluation", "report", "--jurisdiction", "liaoyuan", "--month", "2026-09",
                                     "--format", "json"])
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert [list(r) for r in rows] == [[
            "agency", "assignments", "response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate",
            "unjustified_returns", "reopened", "supervision_notices", "score", "rank", "grade"]] * 3
        assert rows[0]["agency"] == "市税务局" and rows[0]["rank"] == 1
        frozen = runner.invoke(args=["evaluation", "freeze", "--jurisdiction", "liaoyuan", "--month", "2026-09"])
        assert frozen.exit_code == 0, frozen.output
        again = runner.invoke(args=["evaluation", "report", "--jurisdiction", "liaoyuan", "--month", "2026-09",
                                    "--format", "json"])
        assert json.loads(again.output) == rows
        bad = runner.invoke(args=["evaluation", "report", "--jurisdiction", "liaoyuan", "--month", "2026-13"])
        assert bad.exit_code != 0


def test_drill_trend_and_breakdown(month):
    a = month["agencies"]["市市场监管局"]
    with time_machine.travel(NOW, tick=False):
        late = ev.drill("liaoyuan", "2026-09", a.id, "late")
        assert {t.id for t in late} == {month["t"][2].id, month["t"][3].id}
        assert [t.id for t in ev.drill("liaoyuan", "2026-09", a.id, "not_responded")] == [month["t"][3].id,
                                                                                           month["t"][2].id]
        assert [t.id for t in ev.drill("liaoyuan", "2026-09", a.id, "reopened")] == [month["t"][2].id]
        points = ev.trend("liaoyuan", "2026-10")
        assert len(points) == 12 and points[-2]["month"] == "2026-09" and points[-2]["assignments"] == 6
        topics = {x["topic"]: x for x in ev.breakdown("liaoyuan", "2026-09", "topic")}
        assert topics["tax"]["tickets"] == 5 and topics["tax"]["dissatisfied"] == 1
        assert topics["finance"]["tickets"] == 1


@pytest.mark.parametrize("state", ["withdrawn", "terminated", "merged", "rejected"])
def test_a_ticket_that_ended_without_being_the_agencys_leaves_the_scores(db, month, state):
    """docs/evaluation.md: withdrawn (also after signing), terminated, merged or rejected tickets leave
    every count, like an excluded one. 甲's open, late t3 goes: 4 assignments become 3 (t1 t2 t5)."""
    t3 = month["t"][3]
    t3.state = state
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        jia = by_agency(ev.report("liaoyuan", "2026-09"))["市市场监管局"]
    assert jia["assignments"] == 3


def test_a_month_not_over_is_never_frozen_and_costs_no_query(db, month, make_user):
    """Only an ended month can be frozen (ev.freeze refuses the others): asking about this month
    (every ticket page of a recent ticket does) needs no query; a frozen past month still says so."""
    from sqlalchemy import event

    sup = make_user("supervisor", username="duban")
    seen = []

    def count(*_args):
        seen.append(1)

    with time_machine.travel(NOW, tick=False):
        ev.freeze("liaoyuan", "2026-09", sup)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert ev.is_frozen("liaoyuan", "2026-10") is False and ev.is_frozen("liaoyuan", "2026-11") is False
            assert seen == []
            assert ev.is_frozen("liaoyuan", "2026-09") is True and len(seen) == 1
            assert ev.is_frozen("liaoyuan", "2026-08") is False
        finally:
            event.remove(db.engine, "before_cursor_execute", count)


def test_the_exclusion_offer_sees_a_freeze_here_at_once_and_one_elsewhere_within_the_refresh(
        db, month, make_user, monkeypatch):
    """The ticket page offers the exclusion form from the city's frozen months as this process read
    them (docs/evaluation.md, "Computing, freezing, late changes"): a freeze made here is seen at once; a freeze written
    by another process within FROZEN_REFRESH_SECONDS; the service's own check never waits."""
    from app.models import EvaluationPeriod
    from app.services import supervision as sv

    clerk = make_user("clerk", username="jia_clerk", agency=month["agencies"]["市市场监管局"])
    t2 = month["t"][2]
    sup = make_user("supervisor", username="duban")
    with time_machine.travel(NOW, tick=False):
        assert sv.may_request_exclusion(clerk, t2) is True
        ev.freeze("liaoyuan", "2026-09", sup)
        assert sv.may_request_exclusion(clerk, t2) is False

    # Another process freezes August: this one goes on offering until its next read.
    clock = {"now": ev.time.monotonic()}
    monkeypatch.setattr(ev.time, "monotonic", lambda: clock["now"])
    august = closed_ticket_in(db, month, "2026-08")
    with time_machine.travel(NOW, tick=False):
        assert sv.may_request_exclusion(clerk, august) is True
        db.session.add(EvaluationPeriod(jurisdiction="liaoyuan", month="2026-08", frozen_at=NOW))
        db.session.commit()
        clock["now"] += ev.FROZEN_REFRESH_SECONDS - 1
        assert sv.may_request_exclusion(clerk, august) is True
        with pytest.raises(ServiceError) as err:
            sv.request_exclusion(clerk, august.id, "malicious", "企业诉求超出法定职责范围，已解释说明。")
        assert err.value.code == "frozen"
        clock["now"] += 1
        assert sv.may_request_exclusion(clerk, august) is False


def closed_ticket_in(db, month, ym):
    """A closed ticket of 甲 first assigned in month `ym` (YYYY-MM)."""
    from app.models import Assignment, Ticket

    y, m = map(int, ym.split("-"))
    when = datetime(y, m, 5, 2, tzinfo=UTC)
    t = Ticket(number=f"LY-{ym}", jurisdiction="liaoyuan", enterprise_id=month["t"][2].enterprise_id, kind="help",
               topic="tax", title="诉求", description="诉求内容描述足够长的文字", state="closed", created_at=when)
    db.session.add(t)
    db.session.flush()
    db.session.add(Assignment(ticket_id=t.id, agency_id=month["agencies"]["市市场监管局"].id, role="lead",
                              created_at=when, sign_due_at=when, contact_due_at=when, active=False))
    db.session.commit()
    return t
