"""The audit log as the supervision office reads it: its city's entries, newest first."""
from flask import render_template, request
from flask_login import current_user

from app.services import audit
from app.supervision import bp
from app.web.access import roles_required


@bp.route("/audit")
@roles_required("supervisor")
def audit_log():
    """Audit entries of the supervisor's city, keyset-paginated by id."""
    action = request.args.get("action") or None
    rows, next_before = audit.entries(current_user, before_id=request.args.get("before", type=int),
                                      action=action)
    return render_template("supervision/audit.html", rows=rows, next_before=next_before,
                           action=action if action in audit.ACTIONS else None, actions=audit.ACTIONS, changes=audit.CHANGES,
                           endpoint="supervision.audit_log")
