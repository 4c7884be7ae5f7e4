"""The pure scoring rules: rates, redistribution of weights, deductions, ties and grades."""
import pytest

from app.domain import scoring
from app.domain.scoring import Counts, Settings


def test_rates_composite_and_deductions():
    c = Counts(agency="甲", assignments=4, responded=2, response_base=4, on_time=2, on_time_base=4, ratings=3, resolved=2,
               satisfaction_points=2.8, unjustified_returns=1, reopened=1, flag=1)
    row = scoring.score_row(c, Settings())
    assert row.response_rate == 0.5
    assert row.on_time_rate == 0.5
    assert row.resolution_rate == pytest.approx(2 / 3)
    assert row.satisfaction_rate == pytest.approx(2.8 / 3)
    assert row.composite == pytest.approx(15 + 35 * 2 / 3 + 35 * 2.8 / 3)
    assert row.deductions == 3.0  # 1 unjustified return × 1 + 1 flag × 2
    assert row.score == pytest.approx(row.composite - 3)
    assert row.return_rate == 0.25 and row.reopen_rate == 0.25


def test_zero_denominator_is_none_and_weight_is_redistributed():
    c = Counts(agency="乙", assignments=10, responded=8, response_base=10)  # no ratings this month
    row = scoring.score_row(c, Settings())
    assert row.resolution_rate is None and row.satisfaction_rate is None and row.on_time_rate is None
    assert row.composite == pytest.approx(80.0)  # the response rate carries all the weight
    nothing = scoring.score_row(Counts(agency="丙"), Settings())
    assert nothing.score is None


def test_ranks_share_ties_and_grades_follow_thresholds():
    def counts(name, responded):
        return Counts(agency=name, assignments=100, responded=responded, response_base=100)

    rows = scoring.evaluate([counts("甲", 95), counts("乙", 85), counts("丙", 95), counts("丁", 59),
                             counts("戊", 60), Counts(agency="己")], Settings())
    got = [(r.counts.agency, r.rank, r.grade) for r in rows]
    assert got == [("丙", 1, "A"), ("甲", 1, "A"), ("乙", 3, "B"), ("戊", 4, "C"), ("丁", 5, "D"),
                   ("己", None, "—")]


def test_settings_from_stored_json_override_defaults():
    s = Settings.from_dict({"weights": {"response": 50}, "deductions": {"flag": 10},
                            "grades": [["优", 95], ["良", 70]]}, count_auto_ratings=False)
    assert s.weights == {"response": 50.0, "resolution": 35.0, "satisfaction": 35.0,
                         "on_time": 0.0, "return": 0.0, "reopen": 0.0}
    assert s.deductions["flag"] == 10.0 and s.deductions["unjustified_return"] == 1.0
    assert scoring.grade_of(96, s.grades) == "优"
    assert scoring.grade_of(80, s.grades) == "良"
    assert scoring.grade_of(69.9, s.grades) == "D"
    assert s.to_dict()["count_auto_ratings"] is False
    row = scoring.score_row(Counts(assignments=2, responded=2, response_base=2, flag=1), s)
    assert row.score == 90.0


def test_every_documented_weight_counts():
    # 按时办结率 0.5; 退单率 1/4 scores 0.75; 重办率 2/4 scores 0.5 (fewer is better); the others weighted 0.
    c = Counts(agency="甲", assignments=4, responded=4, response_base=4, on_time=1, on_time_base=2,
               unjustified_returns=1, reopened=2)
    s = Settings.from_dict({"weights": {"response": 0, "resolution": 0, "satisfaction": 0,
                                        "on_time": 2, "return": 1, "reopen": 1}})
    assert scoring.score_row(c, s).composite == pytest.approx(100 * (2 * 0.5 + 0.75 + 0.5) / 4)
    s = Settings.from_dict({"weights": {"on_time": 30}})
    assert s.weights["on_time"] == 30.0


def test_response_counts_only_decided_assignments():
    # 10 assignments, 3 responded, 1 missed, 6 with deadlines still ahead: 3 of 4.
    row = scoring.score_row(Counts(agency="甲", assignments=10, responded=3, response_base=4), Settings())
    assert row.response_rate == 0.75
