"""Who may reach each route: the access rules of docs/security.md, written down by hand.

This table is NOT read from the code: the matrix test (test_access_matrix.py) checks every route
of app.url_map for every role against it, and fails for a route missing here. Adding a route
means adding its line here and in docs/security.md ("Access by route").

A rule is PUBLIC (anyone, anonymous included), LOGGED_IN (any role), or the set of roles. Whether a
user of an allowed role may see one particular ticket is need-to-know inside the route (404).
"""
PUBLIC = "public"
LOGGED_IN = "logged_in"
ROLES = ("enterprise", "clerk", "agency_admin", "dispatcher", "supervisor", "admin")

BUSINESS = {"enterprise"}
AGENCY = {"clerk", "agency_admin"}
DISPATCH = {"dispatcher"}
SUPERVISION = {"supervisor"}
ADMIN = {"admin"}

RULES = {
    # public pages
    "static": PUBLIC,
    "auth.index": PUBLIC,
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.join": PUBLIC,
    "api.health": PUBLIC,
    # every logged-in user
    "auth.logout": LOGGED_IN,
    "auth.inbox": LOGGED_IN,
    "auth.mark_all_read": LOGGED_IN,
    "auth.attachment": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "auth.invitations": BUSINESS,
    # business portal
    "portal.index": BUSINESS,
    "portal.new_ticket": BUSINESS,
    "portal.ticket": BUSINESS,
    "portal.add_info": BUSINESS,
    "portal.answer": BUSINESS,
    "portal.rate": BUSINESS,
    "portal.reopen": BUSINESS,
    "portal.withdraw": BUSINESS,
    # agency desk
    "desk.index": AGENCY,
    "desk.ticket": AGENCY,
    "desk.sign": AGENCY,
    "desk.assign": AGENCY,
    "desk.reply": AGENCY,
    "desk.contact": AGENCY,
    "desk.suspend": AGENCY,
    "desk.note": AGENCY,
    "desk.return_ticket": AGENCY,
    "desk.co_sign": AGENCY,
    "desk.co_opinion": AGENCY,
    "desk.request_extension": AGENCY,
    "desk.request_exclusion": AGENCY,
    "desk.scorecard": AGENCY,
    "desk.scorecard_tickets": AGENCY,
    # dispatch centre
    "dispatch.index": DISPATCH,
    "dispatch.ticket": DISPATCH,
    "dispatch.dispatch": DISPATCH,
    "dispatch.merge": DISPATCH,
    "dispatch.reject": DISPATCH,
    "dispatch.reject_return": DISPATCH,
    "dispatch.enterprises": DISPATCH,
    "dispatch.verify_enterprise": DISPATCH,
    # supervision office
    "supervision.index": SUPERVISION,
    "supervision.ticket": SUPERVISION,
    "supervision.decide": SUPERVISION,
    "supervision.transfer": SUPERVISION,
    "supervision.issue_notice": SUPERVISION,
    "supervision.requests_list": SUPERVISION,
    "supervision.decide_extension": SUPERVISION,
    "supervision.decide_exclusion": SUPERVISION,
    "supervision.evaluation": SUPERVISION,
    "supervision.breakdown": SUPERVISION,
    "supervision.breakdown_tickets": SUPERVISION,
    "supervision.drill": SUPERVISION,
    "supervision.trend": SUPERVISION,
    "supervision.export_csv": SUPERVISION,
    "supervision.export_xlsx": SUPERVISION,
    "supervision.freeze": SUPERVISION,
    # administration
    "admin.index": ADMIN,
    "admin.catalog": ADMIN,
    "admin.catalog_plan": ADMIN,
    "admin.catalog_measure": ADMIN,
    "admin.calendar": ADMIN,
    "admin.calendar_add_day": ADMIN,
    "admin.calendar_remove_day": ADMIN,
    "admin.calendar_mark_year": ADMIN,
    "admin.calendar_hours": ADMIN,
}

# Sample values for URL arguments that are not ids (ids get a number no row has).
SAMPLE_ARGS = {"filename": "css/desk.css", "jurisdiction": "liaoyuan"}


def allowed(endpoint: str, role: str | None) -> bool:
    """Whether `role` (None: anonymous) may reach `endpoint` by the table."""
    rule = RULES[endpoint]
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    return rule == LOGGED_IN or role in rule
