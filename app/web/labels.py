"""Labels for codes shown to people (topics, kinds, assignment and request states, cities) and
durations as people say them ("1天3小时"). Registered as Jinja filters by `init_app`."""
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from app.domain.topics import KINDS, TOPICS

# Each label below is also a msgid in the catalogue; gettext() translates it at render time.
ASSIGNMENT_STATES = {"dispatched": _l("待签收"), "signed": _l("已签收"), "opinion_submitted": _l("已提交意见"),
                     "replied": _l("已答复"), "returned": _l("已退回"), "cancelled": _l("已撤销")}
REQUEST_STATES = {"pending": _l("待审批"), "granted": _l("已批准"), "refused": _l("未批准")}
CITIES = {"liaoyuan": _l("辽源"), "zhaoqing": _l("肇庆"), "xiamen": _l("厦门"), "jiangmen": _l("江门"),
          "yueyang": _l("岳阳")}
IMPORT_CHANGES = {"added": _l("新增措施"), "changed": _l("变更措施"), "removed": _l("删除措施"),
                  "responsibilities": _l("职责变更"), "created": _l("首次导入")}

# The progress bar of a ticket, as government portals show it: 已提交 → 已派单 → 办理中 → 已答复 → 已办结.
PROGRESS_STEPS = (("submitted", _l("已提交")), ("dispatched", _l("已派单")), ("in_progress", _l("办理中")),
                  ("replied", _l("已答复")), ("closed", _l("已评价/已办结")))
_STEP_OF_STATE = {"submitted": 0, "to_dispatch": 0, "to_supervision": 0, "dispatched": 1, "in_progress": 2,
                  "suspended": 2, "replied": 3, "closed": 4}


def topic_label(code: str | None) -> str:
    """诉求主题 of a topic code (tax → 纳税缴费), translated."""
    return gettext(TOPICS[code]) if code in TOPICS else (code or "")


def kind_label(code: str | None) -> str:
    """诉求类型 of a kind code, translated."""
    return gettext(KINDS[code]) if code in KINDS else (code or "")


def _lookup(table: dict, code) -> str:
    return str(table[code]) if code in table else ("" if code is None else str(code))


def assignment_state_label(code: str | None) -> str:
    return _lookup(ASSIGNMENT_STATES, code)


def request_state_label(code: str | None) -> str:
    return _lookup(REQUEST_STATES, code)


def city_label(code: str | None) -> str:
    return _lookup(CITIES, code)


def import_change_label(code: str | None) -> str:
    return _lookup(IMPORT_CHANGES, code)


def progress_step(state: str | None) -> int | None:
    """Index of the ticket's stage in PROGRESS_STEPS; None for a ticket that left the path
    (withdrawn, merged, rejected)."""
    return _STEP_OF_STATE.get(state)


def duration(hours: float | None, day_hours: float = 7.0) -> str:
    """A span of working time as people say it: 1天3小时, 3小时20分钟, 45分钟 (a working day is
    `day_hours` long, 7 with the default office hours)."""
    if hours is None:
        return ""
    minutes = round(abs(hours) * 60)
    day_minutes = max(round(day_hours * 60), 1)
    days, rest = divmod(minutes, day_minutes)
    h, m = divmod(rest, 60)
    en = str(get_locale() or "zh").startswith("en")
    units = (("d", "h", "min") if en else ("天", "小时", "分钟"))
    parts = []
    if days:
        parts.append(f"{days}{' ' if en else ''}{units[0]}")
    if h:
        parts.append(f"{h}{' ' if en else ''}{units[1]}")
    if m and not days:  # minutes matter only within the last day
        parts.append(f"{m}{' ' if en else ''}{units[2]}")
    if not parts:
        parts.append(f"0{' ' if en else ''}{units[2]}")
    return (" " if en else "").join(parts)


def init_app(app) -> None:
    for name, fn in (("topic_label", topic_label), ("kind_label", kind_label),
                     ("assignment_state_label", assignment_state_label),
                     ("request_state_label", request_state_label), ("city_label", city_label),
                     ("import_change_label", import_change_label), ("duration", duration)):
        app.jinja_env.filters[name] = fn
    app.jinja_env.globals["PROGRESS_STEPS"] = PROGRESS_STEPS
    app.jinja_env.globals["progress_step"] = progress_step
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon():
    """/favicon.ico: browsers ask for it at the root whatever the page links."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
