"""The inbox: notifications of the logged-in user (any role), and attachment downloads
for anyone allowed to see the ticket."""
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
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update

from app.auth import bp
from app.extensions import db
from app.models import Notification, utcnow
from app.services import NotFound, attachments


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


@bp.route("/inbox")
@login_required
def inbox():
    """My notifications, newest first, paginated by id."""
    size = current_app.config["PAGE_SIZE"]
    query = select(Notification).where(Notification.user_id == current_user.id)
    before = request.args.get("before", type=int)
    if before:
        query = query.where(Notification.id < before)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    return render_template("auth/inbox.html", notes=rows, unread=unread_count(current_user),
                           form=FlaskForm(), next_before=rows[-1].id if more else None)


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every unread notification of mine as read."""
    form = FlaskForm()
    if form.validate_on_submit():
        # Not a ticket use case: a user's own inbox flag, committed here like a preference.
        db.session.execute(
            update(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        db.session.commit()
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
    return send_file(path, mimetype=att.mime, as_attachment=True, download_name=att.original_name)
