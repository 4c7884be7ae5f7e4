from flask import render_template

from app.admin import bp
from app.web.access import roles_required


@bp.route("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")


@bp.route("/catalog")
@roles_required("admin")
def catalog():
    return render_template("admin/index.html")
