from flask import render_template

from app.dispatch import bp
from app.web.access import roles_required


@bp.route("/")
@roles_required("dispatcher")
def index():
    return render_template("dispatch/index.html")
