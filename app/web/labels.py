"""Labels for codes shown to people (topics, kinds, ticket, assignment and request states, event
actions, cities, SLA clocks and lights) and durations as people say them ("1天3小时"). Registered as
Jinja filters and globals by `init_app`."""
from weakref import WeakKeyDictionary

from flask_babel import get_locale
from markupsafe import Markup, escape

from app.domain import N_
from app.domain.calendar import DAY_NAMES
from app.domain.routing import explain
from app.domain.topics import KINDS, TOPICS
from app.domain.workflow import RATING_CHANNELS, SATISFACTION_LEVELS, STATES, TRANSITIONS
from app.models.accounts import ROLE_LABELS
from app.services.handling import CONTACT_WAYS
from app.web.i18n import gettext, localtime, page_translations
from app.web.i18n import lazy_gettext as _l

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


# The timeline names an event by its transition's label (app.domain.workflow), except the events
# that are no transition of the state machine and two whose transition label is the button's
# (提交协办意见, 回访) rather than the record's.
ACTIONS = {**{name: t.label for name, t in TRANSITIONS.items()},
           "file": N_("提交诉求"), "merged_in": N_("并入本工单"), "request_exclusion": N_("申请核减"),
           "decide_exclusion": N_("审批核减"), "deadline_recalculated": N_("办理时限调整"),
           "co_opinion": N_("协办意见"), "callback": N_("回访评价")}
# The SLA light names one clock: 签收 until the ticket is signed, then 办结.
CLOCKS = {"sign": N_("签收"), "contact": N_("联系"), "resolve": N_("办结")}
LIGHTS = {"green": N_("正常"), "yellow": N_("临近时限"), "red": N_("已超期")}
TABLES = {"state": STATES, "kind": KINDS, "action": ACTIONS, "way": CONTACT_WAYS, "satisfaction": SATISFACTION_LEVELS,
          "clock": CLOCKS, "light": LIGHTS, "role": ROLE_LABELS}
_translated: WeakKeyDictionary = WeakKeyDictionary()


def label_table(name: str) -> dict[str, str]:
    """The code → label table `name` (a key of TABLES) in the request's language.

    Translated once per language and process rather than on every render: a page that shows
    the timeline used to translate the 60 labels of these tables each time.
    """
    translations = page_translations()
    tables = _translated.get(translations)
    if tables is None:
        tables = _translated[translations] = {}
    table = tables.get(name)
    if table is None:
        table = tables[name] = {code: translations.ugettext(label) for code, label in TABLES[name].items()}
    return table


def state_label(state: str | None) -> Markup:
    """A ticket's state as a coloured badge (已提交, 办理中 …)."""
    return Markup(f'<span class="badge state-{escape(state)}">{escape(label_table("state").get(state, state))}</span>')


def sla_light(status: dict | None) -> Markup:
    """The SLA traffic light of `status` (what app.services.clocks.status returns): the clock it
    names, green, yellow or red, and the working time left or over, or that the clock is paused."""
    if not status:
        return Markup("")
    clock, hours_left = label_table("clock").get(status["clock"], ""), status["hours_left"]
    if status["paused"]:
        left = gettext("已暂停计时")
    elif hours_left is not None and hours_left >= 0:
        left = gettext("剩余%(d)s", d=duration(hours_left))
    elif hours_left is not None:
        left = gettext("超期%(d)s", d=duration(-hours_left))
    else:
        left = ""
    clock, light = escape(clock), escape(status["light"])
    due = localtime(status["due"]) if status["due"] else ""
    return Markup(f'<span class="sla nowrap" title="{clock}{escape(gettext("时限"))}{escape(gettext("："))}{due}">'
                  f'<span class="light light-{light}" role="img" aria-label="'
                  f'{escape(label_table("light").get(status["light"], ""))}"></span> '
                  f'<span class="clock-name">{clock}</span> {escape(left)}</span>')


def day_name(name: str | None) -> str:
    """A calendar day's name in the reader's language when it is one the calendar gives (中秋节 →
    Mid-Autumn Festival, 调休上班 → Adjusted workday); a name an administrator entered, as entered."""
    return gettext(name) if name in DAY_NAMES else (name or "")


def topic_label(code: str | None) -> str:
    """诉求主题 of a topic code (tax → 纳税缴费), translated."""
    return gettext(TOPICS[code]) if code in TOPICS else (code or "")


def kind_label(code: str | None) -> str:
    """诉求类型 of a kind code, translated."""
    return label_table("kind").get(code, code or "")


def rating_channel_label(code: str | None) -> str:
    """How a rating reached the desk (网上评价, 电话回访 …), translated."""
    return gettext(RATING_CHANNELS[code]) if code in RATING_CHANNELS else (code or "")


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
                     ("import_change_label", import_change_label), ("duration", duration),
                     ("rating_channel_label", rating_channel_label),
                     ("routing_explanation", routing_explanation), ("event_note", event_note),
                     ("day_name", day_name)):
        app.jinja_env.filters[name] = fn
    for name, fn in (("label_table", label_table), ("state_label", state_label), ("sla_light", sla_light)):
        app.jinja_env.globals[name] = fn
    app.jinja_env.globals["PROGRESS_STEPS"] = PROGRESS_STEPS
    app.jinja_env.globals["progress_step"] = progress_step
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon():
    """/favicon.ico: browsers ask for it at the root whatever the page links."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


# --- routing explanations (written in Chinese by app.domain.routing) in the reader's language ------

def routing_explanation(text: str | None) -> str:
    """The router's explanation, or one candidate's reason, in the user's language: each part the
    router writes (app.domain.routing.explain) through the catalogue, a list's items joined as the
    language joins them; names, titles and terms as written, and any other text as it is."""
    if not text or not _english():
        return text or ""
    joiner = gettext(explain.LIST)
    shown = []
    for part in explain.read(text):
        if isinstance(part, str):
            shown.append(part)
            continue
        pattern, params = part
        shown.append(gettext(pattern) % {k: joiner.join(v) if k in explain.LISTS else v for k, v in params.items()})
    return gettext(explain.SEPARATOR).join(shown)


# The router's events carry its explanation as their note; any other note is what a person wrote.
ROUTER_EVENTS = ("route", "route_to_dispatch")


def event_note(event) -> str | None:
    """An event's note as the reader reads it: the router's explanation in the reader's language,
    anything a person wrote as written; no note stays None."""
    note = event.note
    return routing_explanation(note) if note and event.action in ROUTER_EVENTS else note


def routing_in_language(routing: dict | None) -> dict | None:
    """A stored routing decision (Ticket.routing, a preview) with its explanation and every
    candidate's reasons in the reader's language, for the JSON API; the rest as stored."""
    if not routing or not _english():
        return routing
    out = dict(routing)
    if out.get("explanation"):
        out["explanation"] = routing_explanation(out["explanation"])
    if out.get("candidates"):
        out["candidates"] = [dict(c, reasons=[routing_explanation(r) for r in c.get("reasons") or []])
                             for c in out["candidates"]]
    return out


def _english() -> bool:
    return str(get_locale() or "zh").startswith("en")
