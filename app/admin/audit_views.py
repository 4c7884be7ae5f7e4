"""The audit log as the admin reads it: every city's entries, and those of no city."""
from flask import render_template, request
from flask_login import current_user

from app.admin import bp
from app.services import audit
from app.web.access import roles_required


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    """All audit entries, keyset-paginated by id."""
    action = request.args.get("action") or None
    rows, next_before = audit.entries(current_user, before_id=request.args.get("before", type=int),
                                      action=action)
    return render_template("admin/audit.html", rows=rows, next_before=next_before,
                           action=action if action in audit.ACTIONS else None, actions=audit.ACTIONS, changes=audit.CHANGES,
                           endpoint="admin.audit_log")
