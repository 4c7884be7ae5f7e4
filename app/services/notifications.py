"""Notifications: the in-app inbox and the email outbox (sent by a scheduler job when SMTP is set).

A notification is addressed to an *audience* — one user, a business's accounts, an agency's staff
(or one role of it), a city's dispatchers or supervisors — and is one row however many people
that audience holds. Who reads it is decided when the inbox is read: a user sees the rows of
their own addressees (`audiences_of`). Read state is per user: a watermark (InboxState.read_upto)
below which everything is read. The unread badge and the inbox pages are range scans of one
index, so they cost the same at any number of notifications.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, bindparam, func, or_, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain import Message, audience, fill
from app.extensions import db
from app.models import InboxState, Notification, OutboxEmail, Ticket, User, utcnow
from app.services import commit

STAFF = ("clerk", "agency_admin")
#: The badge counts at most this many; the nav shows "99+" beyond.
UNREAD_CAP = 100


@dataclass(frozen=True)
class Addressee:
    """Who a notification is for: `scope` u (user) | e (enterprise) | a (agency) | j (city),
    the id or code `ref`, an optional `role`, and one user left out (the actor)."""

    scope: str
    ref: str
    role: str | None = None
    except_user_id: int | None = None

    @property
    def audience(self) -> str | None:
        """The 受众 (app.domain.audience) this addressee belongs to; None for one named user."""
        if self.scope == "e":
            return audience.BUSINESS
        if self.scope == "a":
            return audience.AGENCY
        if self.scope == "j":
            return audience.CENTRE if self.role == "dispatcher" else audience.SUPERVISION
        return None

    @property
    def key(self) -> str:
        """The value stored in Notification.audience, e.g. "a:12", "a:12:clerk", "j:liaoyuan:dispatcher"."""
        return f"{self.scope}:{self.ref}" + (f":{self.role}" if self.role else "")

    def members(self):
        """SQL condition selecting the active users this audience holds."""
        if self.scope == "u":
            cond = User.id == int(self.ref)
        elif self.scope == "e":
            cond = User.enterprise_id == int(self.ref)
        elif self.scope == "a":
            cond = and_(User.agency_id == int(self.ref), User.role.in_((self.role,) if self.role else STAFF))
        else:
            cond = and_(User.jurisdiction == self.ref, User.role == self.role)
        if self.except_user_id is not None:
            cond = and_(cond, User.id != self.except_user_id)
        return and_(cond, User.active.is_(True))


def to_user(user: User) -> Addressee:
    """One user."""
    return Addressee("u", str(user.id))


def to_enterprise(enterprise_id: int) -> Addressee:
    """The accounts of a business."""
    return Addressee("e", str(enterprise_id))


def to_filer(ticket: Ticket) -> Addressee:
    """The accounts of the business that filed the ticket."""
    return to_enterprise(ticket.enterprise_id)


def to_agency(agency_id: int, role: str | None = None, *, exclude: User | None = None) -> Addressee:
    """An agency's staff (clerks and agency admins), or only one `role` of them; `exclude` leaves out one user."""
    return Addressee("a", str(agency_id), role, exclude.id if exclude is not None else None)


def to_city(jurisdiction: str, role: str) -> Addressee:
    """The dispatchers or supervisors of a city."""
    return Addressee("j", jurisdiction, role)


def audiences_of(user: User) -> list[str]:
    """The audience keys whose notifications `user` reads."""
    keys = [f"u:{user.id}"]
    if user.role == "enterprise" and user.enterprise_id:
        keys.append(f"e:{user.enterprise_id}")
    elif user.role in STAFF and user.agency_id:
        keys += [f"a:{user.agency_id}", f"a:{user.agency_id}:{user.role}"]
    elif user.role in ("dispatcher", "supervisor") and user.jurisdiction:
        keys.append(f"j:{user.jurisdiction}:{user.role}")
    return keys


def source_of(message) -> dict | None:
    """A marked message (app.domain.Message) as stored beside its Chinese text: msgid and
    parameters, a parameter that is itself a Message stored the same way; None for plain text."""
    if not isinstance(message, Message):
        return None
    return {"msgid": message.msgid,
            "params": {k: source_of(v) if isinstance(v, Message) else v for k, v in (message.params or {}).items()}}


def notify(addressees: Iterable[Addressee], ticket: Ticket | None, kind: str, message: str | Message, *,
           bulk: tuple[list, list] | None = None, emails_cache: dict | None = None, at=None) -> int:
    """The one place notifications are created: a row per audience, plus an email for each
    member with an address. `message` is a Message (a marked msgid and its parameters) so that
    the inbox can show it in its reader's language; `Notification.message` carries it in Chinese,
    the email in Chinese and then in English (`in_english`).

    Does not commit: it runs inside the caller's transaction, so a refused action leaves no
    notification behind. `bulk` = (notification rows, email rows) collects plain dicts for a
    caller that inserts many at once (the SLA sweep) instead of adding ORM objects;
    `emails_cache` keeps the members' addresses across calls; `at` the time (default now).
    Returns the rows written.
    """
    seen: dict[str, Addressee] = {}
    for addressee in addressees:
        if addressee is not None:
            seen.setdefault(addressee.key, addressee)
    # 受众: an addressee outside the audience of the event this notification reports is not told
    seen = {k: a for k, a in seen.items() if a.audience is None or audience.may_notify(kind, a.audience)}
    if not seen:
        return 0
    now = at or utcnow()
    source, message = source_of(message), str(message)
    for addressee in seen.values():
        if bulk is not None:
            bulk[0].append({"audience": addressee.key, "except_user_id": addressee.except_user_id,
                            "ticket_id": ticket.id if ticket else None, "kind": kind, "message": message,
                            "message_source": source, "created_at": now})
        else:
            db.session.add(Notification(audience=addressee.key, except_user_id=addressee.except_user_id,
                                        ticket=ticket, kind=kind, message=message, message_source=source,
                                        created_at=now))
    addresses = _addresses(list(seen.values()), emails_cache)
    if not addresses:
        return len(seen)
    # An email has no reader's language to go by: Chinese first, then English.
    subject = f"[企业诉求直通车 Enterprise Appeals Desk] {ticket.number if ticket else ''} {message[:60]}".strip()
    english = in_english(source)
    body = f"{message}\n\n{english}" if english and english != message else message
    for address in addresses:
        if bulk is not None:
            bulk[1].append({"to_address": address, "subject": subject, "body": body, "created_at": now,
                            "attempts": 0})
        else:
            db.session.add(OutboxEmail(to_address=address, subject=subject, body=body, created_at=now))
    return len(seen)


@lru_cache(maxsize=1)
def _english_catalogue():
    from babel.support import Translations

    return Translations.load(str(Path(__file__).resolve().parents[1] / "translations"), ["en"])


def in_english(source: dict | None) -> str | None:
    """A message source (`source_of`) in English, from the app's catalogue; None without a source,
    or when the catalogue cannot fill it."""
    if not source:
        return None
    try:
        return fill(source, _english_catalogue().gettext)
    except (KeyError, TypeError, ValueError):
        return None


def _addresses(addressees: list[Addressee], cache: dict | None) -> list[str]:
    """The distinct email addresses of the addressees' members (one query, or the cache)."""
    key = tuple(sorted((a.key, a.except_user_id or 0) for a in addressees))
    if cache is not None and key in cache:
        return cache[key]
    with db.session.no_autoflush:
        found = list(db.session.scalars(
            select(User.email).where(or_(*(a.members() for a in addressees)), User.email.is_not(None),
                                     User.email != "").distinct().order_by(User.email)
        ))
    if cache is not None:
        cache[key] = found
    return found


def members(addressee: Addressee) -> list[User]:
    """The active users an addressee holds (for tools and tests; notify never lists them)."""
    return list(db.session.scalars(select(User).where(addressee.members()).order_by(User.id)))


def agency_users(agency_id: int, roles: tuple[str, ...] = STAFF) -> list[User]:
    """The active staff of an agency with one of `roles` (e.g. the clerks to assign to)."""
    return list(db.session.scalars(
        select(User).where(User.agency_id == agency_id, User.role.in_(roles), User.active.is_(True))
        .order_by(User.id)
    ))


def _mine(user_id, key):
    """Notifications of audience `key` that do not leave user `user_id` out (values or bind parameters)."""
    return and_(Notification.audience == key,
                or_(Notification.except_user_id.is_(None), Notification.except_user_id != user_id))


def read_upto(user: User) -> int:
    """The id up to which `user` has read everything (0: nothing read yet)."""
    return db.session.scalar(select(InboxState.read_upto).where(InboxState.user_id == user.id)) or 0


def inbox(user: User, before_id: int | None = None, size: int = 20) -> tuple[list[Notification], int | None]:
    """One page of `user`'s notifications, newest first, below `before_id` (keyset pagination).

    One query: a newest-first index range per audience of the user, merged. Returns
    (rows, next_before) — the id to pass for the next page, or None on the last page.
    """
    branches = []
    for key in audiences_of(user):
        q = select(Notification.id).where(_mine(user.id, key))
        if before_id:
            q = q.where(Notification.id < before_id)
        sub = q.order_by(Notification.id.desc()).limit(size + 1).subquery()
        branches.append(select(sub.c.id))
    ids = union_all(*branches).subquery()
    rows = list(db.session.scalars(
        select(Notification).where(Notification.id.in_(select(ids.c.id)))
        .order_by(Notification.id.desc()).limit(size + 1)
    ))
    page = rows[:size]
    return page, (page[-1].id if len(rows) > size else None)


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread, counted up to UNREAD_CAP (index-only)."""
    keys = audiences_of(user)
    params = {"uid": user.id, **{f"k{i}": key for i, key in enumerate(keys)}}
    return min(db.session.scalar(_unread_statement(len(keys)), params) or 0, UNREAD_CAP)


@lru_cache(maxsize=8)
def _unread_statement(n: int):
    # Built once per number of audiences, with the user and the keys as parameters: the badge is on
    # every page, and building this union anew cost more Python than the database spends on it.
    uid = bindparam("uid")
    upto = (select(func.coalesce(func.max(InboxState.read_upto), 0))
            .where(InboxState.user_id == uid).scalar_subquery())
    branches = [select(Notification.id).where(_mine(uid, bindparam(f"k{i}")), Notification.id > upto)
                .limit(UNREAD_CAP).subquery() for i in range(n)]
    unread = union_all(*(select(b.c.id) for b in branches)).subquery()
    return select(func.count()).select_from(unread)


def mark_all_read(user: User) -> int:
    """Mark every notification `user` can see as read; returns how many were unread."""
    unread = unread_count(user)
    top = db.session.scalar(select(func.max(Notification.id))) or 0
    upsert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        upsert(InboxState).values(user_id=user.id, read_upto=top)
        .on_conflict_do_update(index_elements=["user_id"], set_={"read_upto": top})
    )
    commit()
    return unread
