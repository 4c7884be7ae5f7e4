"""Attachments: checked by content, stored under a random name outside the web root.

`save_all` validates every file before writing any, so a refused upload stores
nothing; it runs inside the caller's transaction and does not commit. A business's licence
(app.services.accounts) is checked by `validate` and written by `store` too.
"""
import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterable
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Ticket, TicketEvent, User
from app.services import N_, NotFound, ServiceError, audit
from app.services import tickets as ticket_service

# Detected type → (accepted name extensions, MIME type stored).
ALLOWED = {
    "pdf": ({"pdf"}, "application/pdf"),
    "jpg": ({"jpg", "jpeg"}, "image/jpeg"),
    "png": ({"png"}, "image/png"),
    "docx": ({"docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({"xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _zip_kind(data: bytes) -> str | None:
    """docx and xlsx are zip files: tell them apart by the folder inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def detect(data: bytes) -> str | None:
    """The allowed type of `data` judged by its content (never by its name), or None."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    ext = kind.extension
    if ext in ("zip", "docx", "xlsx"):
        return _zip_kind(data)
    if ext in ("jpg", "jpeg"):
        return "jpg"
    return ext if ext in ALLOWED else None


# Markup a browser would run if it ever sniffed the file as HTML; none belongs in these types.
_MARKUP = (b"<html", b"<script", b"<body", b"<iframe", b"<svg", b"<!doctype", b"<?php", b"javascript:")


def is_polyglot(data: bytes, kind: str) -> bool:
    """True when a file of an allowed type is also something else: an image or PDF that is also a
    zip archive (readers look at its end) or that carries HTML/script markup."""
    if kind not in ("docx", "xlsx") and zipfile.is_zipfile(io.BytesIO(data)):
        return True
    lowered = data.lower()
    return any(marker in lowered for marker in _MARKUP)


def safe_name(filename: str) -> str:
    """The file name without folders or control characters, at most 255 characters, keeping its
    extension when it must be shortened."""
    name = "".join(c for c in Path(filename.replace("\\", "/")).name if c.isprintable()).strip() or "file"
    if len(name) <= 255:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[:255]
    return stem[:255 - len(ext) - 1] + "." + ext


def _read(f, limit: int) -> bytes:
    stream = getattr(f, "stream", f)
    return stream.read(limit + 1)


def _present(files: Iterable) -> list:
    # An empty <input type=file> posts a part with no filename: it is not a file.
    return [f for f in (files or ()) if f is not None and getattr(f, "filename", None)]


def validate(files: Iterable) -> list[tuple[str, bytes, str]]:
    """Read and check every file; return (original name, bytes, type). Raises ServiceError."""
    cfg = current_app.config
    max_n, max_bytes = cfg["MAX_ATTACHMENTS"], cfg["MAX_ATTACHMENT_BYTES"]
    files = _present(files)
    if len(files) > max_n:
        raise ServiceError(N_("最多上传%(n)d个附件"), code="too_many_files", n=max_n)
    out = []
    for f in files:
        name = safe_name(f.filename)
        data = _read(f, max_bytes)
        if len(data) > max_bytes:
            raise ServiceError(N_("附件“%(name)s”超过%(mb)dMB"), code="file_too_large",
                               name=name, mb=max_bytes // (1024 * 1024))
        if not data:
            raise ServiceError(N_("附件“%(name)s”是空文件"), code="file_empty", name=name)
        kind = detect(data)
        if kind is None:
            raise ServiceError(N_("附件“%(name)s”的类型不允许，只能上传PDF、JPG、PNG、DOCX、XLSX文件"),
                               code="file_type", name=name)
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in ALLOWED[kind][0]:
            raise ServiceError(N_("附件“%(name)s”的内容与扩展名不符"), code="file_type", name=name)
        if is_polyglot(data, kind):
            raise ServiceError(N_("附件“%(name)s”中夹带了其他类型的内容，不能上传"), code="file_type", name=name)
        out.append((name, data, kind))
    return out


def check_quotas(ticket: Ticket, checked: list[tuple[str, bytes, str]]) -> None:
    """Refuse a business's files beyond the ticket's count quota or the business's byte quota (all
    its tickets). Staff files (replies) are not counted: the quota stops a business filling a ticket."""
    cfg = current_app.config
    per_ticket = cfg["MAX_ATTACHMENTS_PER_TICKET"]
    by_business = select(User.id).where(User.role == "enterprise")
    have = 0 if ticket.id is None else db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.ticket_id == ticket.id,
                                                Attachment.uploader_id.in_(by_business))) or 0
    if have + len(checked) > per_ticket:
        raise ServiceError(N_("每件诉求最多%(n)d个附件，本件已有%(have)d个"), code="ticket_quota",
                           n=per_ticket, have=have)
    per_enterprise = cfg["MAX_ENTERPRISE_ATTACHMENT_BYTES"]
    used = db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).join(Ticket, Attachment.ticket_id == Ticket.id)
        .where(Ticket.enterprise_id == (ticket.enterprise_id or ticket.enterprise.id))) or 0
    if used + sum(len(data) for _n, data, _k in checked) > per_enterprise:
        raise ServiceError(N_("贵企业的附件总量已达上限（%(mb)dMB），请精简后再上传"), code="enterprise_quota",
                           mb=per_enterprise // (1024 * 1024))


def save_all(ticket: Ticket, files: Iterable, user: User | None, event: TicketEvent | None = None,
             internal: bool = False) -> list[Attachment]:
    """Check all `files`, then store them and add their Attachment rows (no commit)."""
    checked = validate(files)
    if not checked:
        return []
    if user is not None and user.role == "enterprise":
        check_quotas(ticket, checked)
    if event is not None and event.id is None:
        db.session.flush()
    made = []
    for name, data, kind in checked:
        stored = store(data)
        att = Attachment(
            ticket=ticket, event_id=event.id if event is not None else None,
            uploader_id=user.id if user is not None else None, original_name=name,
            stored_name=stored, mime=ALLOWED[kind][1], size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), internal=internal,
        )
        db.session.add(att)
        made.append(att)
    return made


def store(data: bytes) -> str:
    """Write checked bytes under a new random name in UPLOAD_DIR; return that name."""
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (folder / stored).write_bytes(data)
    return stored


def stored_path(stored_name: str) -> Path | None:
    """The file of a stored name, or None when it is missing."""
    path = Path(current_app.config["UPLOAD_DIR"]) / stored_name
    return path if path.is_file() else None


def visible(user: User, ticket: Ticket, events: list | None = None) -> list[Attachment]:
    """The ticket's attachments `user` may see: those of the events it may read (a file added
    with no event follows the ticket), internal ones never to the business, and for a former
    agency only the files its own staff uploaded. `events`: the caller's
    `tickets.visible_events(user, ticket)`, when it already has them."""
    level = ticket_service.access(user, ticket)
    if level is None:
        return []
    shown = {e.id for e in (events if events is not None else ticket_service.visible_events(user, ticket))}
    own_uploads = _uploads_of_agency(user, ticket) if level == ticket_service.OWN else None
    out = []
    for a in ticket.attachments:
        if a.internal and user.role == "enterprise":
            continue
        if a.event_id is not None and a.event_id not in shown:
            continue
        if own_uploads is not None and a.id not in own_uploads:
            continue
        out.append(a)
    return out


def _uploads_of_agency(user: User, ticket: Ticket) -> set[int]:
    staff = set(db.session.scalars(select(User.id).where(User.agency_id == user.agency_id)))
    return {a.id for a in ticket.attachments if a.uploader_id in staff}


def for_download(user: User, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and its file, if it is among those `user` may see; NotFound otherwise."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(N_("附件不存在或您无权查看"))
    ticket = db.session.get(Ticket, att.ticket_id)
    if ticket is None or att not in visible(user, ticket):
        raise NotFound(N_("附件不存在或您无权查看"))
    path = stored_path(att.stored_name)
    if path is None:
        raise NotFound(N_("附件不存在或您无权查看"))
    audit.log("download", user, jurisdiction=ticket.jurisdiction, target_type="attachment", target_id=att.id,
              ticket_id=ticket.id, details={"name": att.original_name})
    return att, path
