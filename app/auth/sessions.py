"""Sessions that can be revoked and that idle out.

The session cookie keeps "<user id>.<session generation>" (User.get_id). Logout, a password change
and disabling an account raise the generation in the database, so every copy of an older cookie
stops working on every host — the database is the only state the hosts share. The cookie also
keeps when the user was last seen and when they logged in: a session idles out after the
configured minutes (staff 2 h, businesses 8 h) and ends SESSION_MAX_HOURS after login.
"""
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.extensions import db, login_manager
from app.models import User
from app.web.i18n import gettext as _

SEEN, SINCE, LANG = "seen", "since", "lang"
SEEN_EVERY = 60  # seconds

# The user's agency or business comes in the same query: nearly every page names it or reads its
# city. Built once: every request runs it, and building it anew cost more than the database's time.
_USER = (select(User).options(joinedload(User.agency), joinedload(User.enterprise))
         .where(User.id == bindparam("user_id")))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user whose generation matches the cookie's."""
    ident, _sep, generation = (user_id or "").partition(".")
    if not ident.isdigit() or not generation.isdigit() or len(ident) > 10:
        return None
    user = db.session.execute(_USER, {"user_id": int(ident)}).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def _now() -> float:
    return datetime.now(UTC).timestamp()


def idle_limit(user: User) -> timedelta:
    """How long `user` may stay idle before the session ends."""
    cfg = current_app.config
    minutes = cfg["IDLE_TIMEOUT_ENTERPRISE_MINUTES"] if user.role == "enterprise" else cfg["IDLE_TIMEOUT_STAFF_MINUTES"]
    return timedelta(minutes=minutes)


def _fresh_session() -> None:
    lang = session.get(LANG)
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches this request's token in g: a new one must be made
    if lang:
        session[LANG] = lang


def start(user: User) -> None:
    """Log `user` in on a fresh session: a new CSRF token, nothing kept from before but the language."""
    _fresh_session()
    login_user(user)
    session[SEEN] = session[SINCE] = _now()


def end() -> None:
    """Log out this browser and forget its session."""
    logout_user()
    _fresh_session()


def check_idle() -> None:
    """Before each request: end a session that idled out or outlived its maximum; else mark it seen."""
    # Who is logged in, and the CSRF token, come from this request's cookie, never from g left by
    # an earlier request of the same app context (test clients share one).
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    if not current_user.is_authenticated:
        return
    now = _now()
    seen, since = session.get(SEEN), session.get(SINCE)
    max_age = current_app.config["SESSION_MAX_HOURS"] * 3600
    if (not isinstance(seen, int | float) or not isinstance(since, int | float)
            or now - seen > idle_limit(current_user).total_seconds() or now - since > max_age):
        end()
        flash(_("您长时间未操作，已自动退出登录，请重新登录。"), "info")
        return
    # Marked seen at most once a minute: the idle limits are hours, and an unchanged session is not
    # signed and sent back again with every response.
    if now - seen >= SEEN_EVERY:
        session[SEEN] = now


def init_app(app) -> None:
    login_manager.user_loader(load_user)
    app.before_request(check_idle)
