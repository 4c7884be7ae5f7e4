"""Who may reach each route: the access rules of docs/security.md, written down by hand.

This table is NOT read from the code: the matrix test (test_access_matrix.py) checks every route
of app.url_map for every role against it, and fails for a route missing here. Adding a route
means adding its line here and in docs/security.md ("Access by route").

A rule is PUBLIC (anyone, anonymous included), LOGGED_IN (any role), or the set of roles. Whether a
user of an allowed role may see one particular ticket is need-to-know inside the route (404).
"""
PUBLIC = "public"
LOGGED_IN = "logged_in"
TOKEN = "token"  # the JSON API: a Bearer token only; a session cookie is refused with 401
API_KEY = "api_key"  # Open311: the client system's api_key only; refused with the spec's 403
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
    "api.live": PUBLIC,
    "api.ready": PUBLIC,
    "metrics": PUBLIC,  # Prometheus scrapes it; keep it off the public network at the proxy
    "favicon": PUBLIC,
    # JSON API v1: the contract is public, everything else needs a token (docs/api.md)
    "api.v1.openapi": PUBLIC,
    "api.v1.docs": PUBLIC,
    "api.v1.not_found": PUBLIC,
    "api.v1.act": TOKEN,
    "api.v1.agencies": TOKEN,
    "api.v1.cities": TOKEN,
    "api.v1.file_ticket": TOKEN,
    "api.v1.get_ticket": TOKEN,
    "api.v1.list_tickets": TOKEN,
    "api.v1.measures": TOKEN,
    "api.v1.overdue": TOKEN,
    "api.v1.plan": TOKEN,
    "api.v1.routing_preview": TOKEN,
    "api.v1.scorecards": TOKEN,
    "api.v1.ticket_events": TOKEN,
    "api.v1.topics": TOKEN,
    # Open311 GeoReport v2: discovery and services are public, requests need the client's api_key
    "open311.discovery": PUBLIC,
    "open311.services": PUBLIC,
    "open311.service_definition": PUBLIC,
    "open311.unknown": PUBLIC,
    "open311.requests": API_KEY,
    "open311.request_one": API_KEY,
    "open311.token": API_KEY,
    "open311.updates": API_KEY,
    # personal API tokens: every user manages its own
    "integrations.tokens": LOGGED_IN,
    "integrations.revoke_token": LOGGED_IN,
    # every logged-in user
    "auth.logout": LOGGED_IN,
    "auth.inbox": LOGGED_IN,
    "auth.mark_all_read": LOGGED_IN,
    "auth.attachment": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "auth.invitations": BUSINESS,
    "auth.licence": BUSINESS,  # the business's own licence and the decision on it
    "auth.licence_file": LOGGED_IN,  # need-to-know inside: the business's accounts, its city's dispatcher and supervisors
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
    "desk.bulk": AGENCY,
    "desk.request_suspension": AGENCY,
    "integrations.endpoints": {"agency_admin"},
    "integrations.deliveries": {"agency_admin"},
    "integrations.set_active": {"agency_admin"},
    # dispatch centre
    "dispatch.index": DISPATCH,
    "dispatch.ticket": DISPATCH,
    "dispatch.dispatch": DISPATCH,
    "dispatch.merge": DISPATCH,
    "dispatch.reject": DISPATCH,
    "dispatch.reject_return": DISPATCH,
    "dispatch.enterprises": DISPATCH,
    "dispatch.verify_enterprise": DISPATCH,
    "dispatch.reject_enterprise": DISPATCH,
    "dispatch.terminate": DISPATCH,
    "dispatch.callback": DISPATCH,
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
    "supervision.audit_log": SUPERVISION,
    "supervision.decide_suspension": SUPERVISION,
    "supervision.terminate": SUPERVISION,
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
    "admin.calendar_notice": ADMIN,
    "admin.audit_log": ADMIN,
    "admin.accounts_index": ADMIN,
    "admin.account_active": ADMIN,
    "admin.sla_index": ADMIN,
    "admin.sla_edit": ADMIN,
    "integrations.keys": ADMIN,
    "integrations.revoke_key": ADMIN,
}

# Sample values for URL arguments that are not ids (ids get a number no row has).
SAMPLE_ARGS = {"filename": "css/desk.css", "jurisdiction": "liaoyuan", "city": "liaoyuan", "kind": "complaint",
               "code": "liaoyuan", "action": "sign", "fmt": "json", "rest": "nothing-here",
               "service_request_id": "LY000", "token": "no-such-token"}


def allowed(endpoint: str, role: str | None) -> bool:
    """Whether `role` (None: anonymous) may reach `endpoint` by the table."""
    rule = RULES[endpoint]
    if rule in (TOKEN, API_KEY):
        return False  # never through a page session: the matrix expects refusal_status()
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    return rule == LOGGED_IN or role in rule


def refusal_status(endpoint: str) -> int:
    """The status a logged-in user is refused with: 401 for the token API, 403 everywhere else."""
    return 401 if RULES[endpoint] == TOKEN else 403
