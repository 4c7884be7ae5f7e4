"""受众: who may see an event of a ticket's history — the one place that decides it.

Four audiences: the business (企业), the agencies (承办单位), the dispatch centre (派单中心) and
the supervision office (督查室). For each event type there are two sets: who sees that the event
happened, and who reads its text (the note and the details: a return reason, a dispatcher's note,
an extension reason, the 督办单 text …). Some events concern one agency only (its internal note,
its exclusion request): other agencies do not see them even while they hold the ticket.

An event type not listed here is for staff only (agencies, centre, supervision), text included,
until someone classifies it. Pure Python: the services apply it to the timeline, the inbox and
the exports, and the API asks the same services. The rules are written out in docs/security.md.
"""
from dataclasses import dataclass

BUSINESS = "business"
AGENCY = "agency"
CENTRE = "centre"
SUPERVISION = "supervision"

ALL = frozenset({BUSINESS, AGENCY, CENTRE, SUPERVISION})
STAFF = frozenset({AGENCY, CENTRE, SUPERVISION})

# The audience a user belongs to, by role. The site admin manages accounts and catalogs and
# belongs to no audience: it reads no ticket.
ROLE_AUDIENCE = {
    "enterprise": BUSINESS,
    "clerk": AGENCY,
    "agency_admin": AGENCY,
    "dispatcher": CENTRE,
    "supervisor": SUPERVISION,
}


@dataclass(frozen=True)
class Audience:
    """Who sees that an event happened (`event`), who reads its text (`text`, a subset), and
    whether the agency audience is only the agency the event concerns (`own_agency`)."""

    event: frozenset
    text: frozenset
    own_agency: bool = False


def _rule(event, text=None, own_agency=False) -> Audience:
    text = event if text is None else text
    return Audience(frozenset(event), frozenset(text) & frozenset(event), own_agency)


RULES: dict[str, Audience] = {
    # the business's own steps: everyone reads them
    "file": _rule(ALL),
    "add_info": _rule(ALL),
    "withdraw": _rule(ALL),
    "rate": _rule(ALL),
    "reopen": _rule(ALL),
    "resume": _rule(ALL),  # the business's answer to the agency's question
    # what the business is told happened, without the staff's reasoning
    "route": _rule(ALL, STAFF),  # the router's explanation
    "route_to_dispatch": _rule(ALL, STAFF),
    "dispatch": _rule(ALL, STAFF),  # the dispatcher's note is for the agency
    "transfer": _rule(ALL, STAFF),
    "decide": _rule(ALL, STAFF),  # 督查裁决: the supervisor's reasoning
    "merge": _rule(ALL, STAFF),
    "merged_in": _rule(ALL, STAFF),
    "contact": _rule(ALL, STAFF),  # the clerk's summary of the call
    "sign": _rule(ALL),
    "auto_close": _rule(ALL),
    "callback": _rule(ALL),  # 回访: the business's own rating, taken by telephone
    "deadline_recalculated": _rule(ALL),  # the holiday notice moved a deadline (neutral wording)
    # addressed to the business: it reads the text
    "reject": _rule(ALL),  # 不予受理 with its reason
    "suspend": _rule(ALL),  # the question the business must answer
    "reply": _rule(ALL),
    "terminate": _rule(ALL),  # 终止办理: the reason is shown to the business
    # between the agencies, the centre and the supervision office
    "return": _rule(STAFF),
    "reject_return": _rule(STAFF),
    "request_extension": _rule(STAFF),
    "decide_extension": _rule(STAFF),
    "request_suspension": _rule(STAFF),  # a suspension beyond the cap, asked of the supervision office
    "decide_suspension": _rule(STAFF),
    "escalate": _rule(STAFF),
    "co_sign": _rule(STAFF),
    "co_opinion": _rule(STAFF),
    # one agency's own matters (and the offices that oversee it)
    "issue_notice": _rule(STAFF, own_agency=True),  # 督办单 to the lead agency
    "note": _rule(STAFF, own_agency=True),
    "assign": _rule(STAFF, own_agency=True),
    "request_exclusion": _rule(STAFF, own_agency=True),
    "decide_exclusion": _rule(STAFF, own_agency=True),
}

DEFAULT = _rule(STAFF)


def rule(action: str) -> Audience:
    """The audience of an event type (staff only for a type nobody has classified yet)."""
    return RULES.get(action, DEFAULT)


def of_role(role: str | None) -> str | None:
    """The audience of a role, or None (admin, system, anonymous)."""
    return ROLE_AUDIENCE.get(role or "")


def _reaches(members: frozenset, audience: str | None, own_agency: bool, concerns_viewer: bool) -> bool:
    if audience not in members:
        return False
    return not (audience == AGENCY and own_agency and not concerns_viewer)


def sees_event(action: str, audience: str | None, *, concerns_viewer: bool = True) -> bool:
    """Whether `audience` sees that an event of type `action` happened.

    `concerns_viewer`: for an agency viewer, whether the event concerns its own agency
    (the event's agency is the viewer's); ignored for the other audiences.
    """
    r = rule(action)
    return _reaches(r.event, audience, r.own_agency, concerns_viewer)


def reads_text(action: str, audience: str | None, *, concerns_viewer: bool = True) -> bool:
    """Whether `audience` reads the note and details of an event of type `action`."""
    r = rule(action)
    return _reaches(r.text, audience, r.own_agency, concerns_viewer)


# Notification kinds (the inbox) → the event type each one reports. Its recipient must be of the
# event's audience; the message itself is written for its recipients (a message to the business
# never quotes a staff note). Unknown kinds: staff only.
NOTIFICATION_EVENT = {
    "filed": "file",
    "dispatched": "dispatch",
    "to_dispatch": "route_to_dispatch",
    "signed": "sign",
    "suspended": "suspend",
    "resumed": "resume",
    "info_added": "add_info",
    "withdrawn": "withdraw",
    "assigned": "assign",
    "replied": "reply",
    "rated": "rate",
    "reopened": "reopen",
    "rejected": "reject",
    "merged": "merge",
    "returned": "return",
    "return_rejected": "reject_return",
    "to_supervision": "return",
    "transferred": "transfer",
    "decided": "decide",
    "co_opinion": "co_opinion",
    "supervision_notice": "issue_notice",
    "extension_requested": "request_extension",
    "extension_decided": "decide_extension",
    "exclusion_requested": "request_exclusion",
    "exclusion_decided": "decide_exclusion",
    "escalated": "escalate",
    "terminated": "terminate",
    "callback": "callback",
    "suspension_requested": "request_suspension",
    "suspension_decided": "decide_suspension",
}


# Notifications about a business's account rather than a ticket (its licence, 营业执照, checked by the
# dispatch centre): the business's own matter, for the business only.
ACCOUNT_NOTICES = {"licence_rejected": BUSINESS, "enterprise_verified": BUSINESS}


def may_notify(kind: str, audience: str | None) -> bool:
    """Whether a notification of `kind` may reach a user of `audience` (the services address
    agency notifications to the agency concerned, so `own_agency` is theirs to keep)."""
    if kind in ACCOUNT_NOTICES:
        return audience == ACCOUNT_NOTICES[kind]
    action = NOTIFICATION_EVENT.get(kind)
    if action is None:
        return audience in STAFF
    return sees_event(action, audience)
