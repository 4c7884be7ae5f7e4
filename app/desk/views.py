from flask import render_template

from app.desk import bp
from app.web.access import roles_required


@bp.route("/")
@roles_required("clerk", "agency_admin")
def index():
    return render_template("desk/index.html")
