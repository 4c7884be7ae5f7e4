from flask import render_template

from app.supervision import bp
from app.web.access import roles_required


@bp.route("/")
@roles_required("supervisor")
def index():
    return render_template("supervision/index.html")
