"""Use cases. Each public function is one transaction: it checks the rules in app.domain,
changes the models, appends the TicketEvent(s) and commits. Nothing else commits."""
from functools import wraps

from sqlalchemy.orm.exc import StaleDataError

from app.domain import N_  # noqa: F401  (re-exported: services mark their messages with it)
from app.extensions import db


class ServiceError(Exception):
    """A refused request. `message` is a Chinese literal (translatable), `params` fill it."""

    code = "refused"

    def __init__(self, message: str, code: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        if code:
            self.code = code


class NotFound(ServiceError):
    """The object does not exist, or the user may not know that it does."""

    code = "not_found"


class Conflict(ServiceError):
    """Someone else changed the ticket first (optimistic locking)."""

    code = "conflict"


def commit() -> None:
    """Commit the session; turn a lost optimistic-locking race into a Conflict."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(N_("该工单刚被其他人处理过，您的操作未生效。请刷新页面查看最新状态后再试。")) from exc
    except Exception:
        db.session.rollback()
        raise


def transaction(fn):
    """Make a use case all-or-nothing: whatever a refused or failed call left in the session is
    rolled back, and a lost race seen by an autoflush (before commit) is the same Conflict that
    commit() reports."""

    @wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StaleDataError as exc:
            db.session.rollback()
            raise Conflict(N_("该工单刚被其他人处理过，您的操作未生效。请刷新页面查看最新状态后再试。")) from exc
        except Exception:
            db.session.rollback()
            raise

    return wrapped
