"""Role checks for views."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Allow the view only to logged-in users whose role is one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


HOME_ENDPOINTS = {
    "enterprise": "portal.index",
    "clerk": "desk.index",
    "agency_admin": "desk.index",
    "dispatcher": "dispatch.index",
    "supervisor": "supervision.index",
    "admin": "admin.index",
}
