from flask import render_template

from app.portal import bp
from app.web.access import roles_required


@bp.route("/")
@roles_required("enterprise")
def index():
    return render_template("portal/index.html")


@bp.route("/tickets/new")
@roles_required("enterprise")
def new_ticket():
    return render_template("portal/index.html")
