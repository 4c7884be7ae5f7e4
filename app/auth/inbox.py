"""The inbox: notifications of the logged-in user (any role), and downloads: attachments for
anyone allowed to see the ticket, a business's licence for those allowed to check it."""
from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.auth import bp
from app.services import NotFound, accounts, attachments, notifications
from app.web.i18n import gettext as _


@bp.route("/inbox")
@login_required
def inbox():
    """My notifications, newest first, paginated by id."""
    rows, next_before = notifications.inbox(current_user, request.args.get("before", type=int),
                                            current_app.config["PAGE_SIZE"])
    return render_template("auth/inbox.html", notes=rows, read_upto=notifications.read_upto(current_user),
                           form=FlaskForm(), next_before=next_before)


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every unread notification of mine as read."""
    form = FlaskForm()
    if form.validate_on_submit():
        notifications.mark_all_read(current_user)
        flash(_("已全部标为已读"), "success")
    return redirect(url_for("auth.inbox"))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Serve a file to users who may see its ticket (internal files never to the business)."""
    try:
        att, path = attachments.for_download(current_user, attachment_id)
    except NotFound:
        abort(404)
    return _download(att, path)


@bp.route("/licences/<int:licence_id>")
@login_required
def licence_file(licence_id: int):
    """Serve a business's licence to its own accounts and its city's dispatcher and supervisors."""
    try:
        lic, path = accounts.licence_for_download(current_user, licence_id)
    except NotFound:
        abort(404)
    return _download(lic, path)


def _download(row, path):
    """A stored file as a download: never rendered inline, its name kept (and an ASCII fallback)."""
    response = send_file(path, mimetype=row.mime, as_attachment=True, download_name=row.original_name)
    response.headers["Content-Disposition"] = content_disposition(row.id, row.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_disposition(attachment_id: int, name: str) -> str:
    """attachment; an ASCII name for old clients (the original when it is plain ASCII, else
    "attachment-<id>.<ext>"), and the original name in UTF-8 (RFC 6266/5987)."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    plain = name.isascii() and all(c.isalnum() or c in "-_. ()" for c in name) and name.strip(". ")
    fallback = name if plain else f"attachment-{attachment_id}" + (f".{ext}" if ext.isalnum() and ext.isascii() else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
