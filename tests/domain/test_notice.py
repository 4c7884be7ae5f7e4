"""The calendar past chinesecalendar: statutory holidays by law for a provisional year, and the
State Council's notice read from its published text (fixtures in tests/fixtures/notices/)."""
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from app.domain.calendar import NoticeError, default_calendar, parse_notice, statutory_holidays

SH = ZoneInfo("Asia/Shanghai")
NOTICES = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
CAL = default_calendar()

# Written by hand from the law (全国年节及纪念日放假办法, 2024 revision) and the 2027 lunar calendar:
# 元旦 1 Jan; 春节 除夕 5 Feb + 正月初一–初三 6–8 Feb; 清明 5 Apr; 劳动节 1–2 May; 端午 (五月初五) 9 Jun;
# 中秋 (八月十五) 15 Sep; 国庆 1–3 Oct. Thirteen days.
LAW_2027 = {
    date(2027, 1, 1): "元旦",
    date(2027, 2, 5): "春节", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",
    date(2027, 4, 5): "清明节",
    date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
    date(2027, 6, 9): "端午节",
    date(2027, 9, 15): "中秋节",
    date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
}


def read(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def test_statutory_holidays_of_2027_follow_the_2025_law():
    assert dict(statutory_holidays(2027)) == LAW_2027
    # 2028: 中秋 falls on 3 October, inside 国庆 — one day off, two names; still 13 days by law minus the overlap.
    days_2028 = statutory_holidays(2028)
    assert len(days_2028) == 12 and "中秋节" in days_2028[date(2028, 10, 3)]


@pytest.mark.parametrize("d", [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 5, 1),
                               date(2027, 9, 15), date(2027, 10, 1)])
def test_2027_statutory_days_are_not_working_time_before_any_notice(d):
    assert not CAL.is_workday(d)
    assert not CAL.is_open(datetime.combine(d, datetime.min.time(), SH).replace(hour=10))


def test_filed_on_new_years_eve_the_deadlines_skip_the_statutory_days_of_2027():
    # A consultation filed on 31 December 2026 at 16:00: 2 working hours to sign = 1.5 h that day + 0.5 h
    # on the next workday, Monday 4 January (1 January is 元旦, 2–3 January the weekend).
    start = datetime(2026, 12, 31, 16, 0, tzinfo=SH)
    assert CAL.add_working_hours(start, 2) == datetime(2027, 1, 4, 9, 30, tzinfo=SH)
    # An appeal filed on Thursday 4 February 2027: contact within 1 working day is not 除夕 (Friday 5 Feb)
    # nor 初一–初三; the next workday is Tuesday 9 February.
    assert CAL.add_working_days(datetime(2027, 2, 4, 10, 0, tzinfo=SH), 1) == datetime(2027, 2, 9, 17, 30, tzinfo=SH)
    assert CAL.rests_on_provisional(start, CAL.add_working_days(start, 3))
    assert not CAL.rests_on_provisional(datetime(2026, 6, 1, tzinfo=SH), datetime(2026, 6, 5, tzinfo=SH))


def _package_exceptions(year: int) -> dict[date, bool]:
    """Independent: chinesecalendar's departures from Monday–Friday for a year."""
    out, d = {}, date(year, 1, 1)
    while d.year == year:
        worked = chinese_calendar.is_workday(d)
        if worked != (d.weekday() < 5):
            out[d] = worked
        d += timedelta(days=1)
    return out


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_real_notices_give_chinesecalendars_days(year):
    notice = parse_notice(read(f"{year}.txt"))
    assert notice.year == year
    assert notice.exceptions() == _package_exceptions(year)


def test_2025_notice_details():
    n = parse_notice(read("2025.txt"))
    assert n.holidays[date(2025, 1, 1)] == "元旦"          # 1月1日（周三）放假1天，不调休
    assert n.holidays[date(2025, 10, 8)] == "国庆节、中秋节"  # 10月1日至8日，共8天
    assert sorted(n.workdays) == [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27),
                                  date(2025, 9, 28), date(2025, 10, 11)]
    assert [d.day for d, name in sorted(n.holidays.items()) if name == "劳动节"] == [1, 2, 3, 4, 5]


def test_the_issues_2027_line_and_a_new_years_span_from_december():
    n = parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n"
                     "二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月14日（周日）上班。")
    assert sorted(n.holidays) == [date(2027, 2, d) for d in range(5, 14)]
    assert n.workdays == {date(2027, 2, 14): "调休上班"}
    # 2023's 元旦 began on 31 December 2022 (a Saturday): years written out, the span crosses the year.
    n = parse_notice("国务院办公厅关于2023年部分节假日安排的通知\n"
                     "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。")
    assert sorted(n.holidays) == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]
    assert n.exceptions() == {date(2023, 1, 2): False}
    # Without the years written out, a December start still runs into January.
    n = parse_notice("关于2030年部分节假日安排的通知\n一、元旦：12月30日至1月1日放假，共3天。")
    assert sorted(n.holidays) == [date(2029, 12, 30), date(2029, 12, 31), date(2030, 1, 1)]


@pytest.mark.parametrize("text, line, reason", [
    ("关于部分节假日安排的通知\n一、元旦：1月1日放假。", 1, "年份"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n说明\n二、春节：2月5日至13日放假调休，共8天。", 3, "天数"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周四）放假1天。", 2, "星期"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。\n二、春节：春节期间另行通知。", 3, "放假"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n二、春节：2月5日至13日放假调休。2月15日（周一）上班。", 2, "工作日"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n二、春节：2月30日放假。", 2, "不存在"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n八、植树节：3月12日放假。", 2, "节日"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n各部门：请做好值班。", 2, "条目"),
])
def test_unreadable_text_names_the_line_it_stopped_at(text, line, reason):
    with pytest.raises(NoticeError) as err:
        parse_notice(text)
    assert err.value.line == line
    assert reason in err.value.reason
