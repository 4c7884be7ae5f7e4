from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import CorrectionForm
from app.services import NotFound, ServiceError, catalog, listing
from app.web.access import roles_required
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

ROLE_LABELS = {"lead": "牵头", "co": "协办", "sole": "负责"}
SOURCE_LABELS = {"explicit": "方案明确", "inferred": "推断", "corrected": "人工更正"}


@bp.route("/")
@roles_required("admin")
def index():
    cities = listing.cities()
    imports = catalog.recent_imports()
    return render_template("admin/index.html", cities=cities, imports=imports)


@bp.route("/catalog", endpoint="catalog")
@roles_required("admin")
def catalog_index():
    plans = listing.plans()
    return render_template("admin/catalog.html", plans=plans)




@bp.route("/catalog/<jurisdiction>")
@roles_required("admin")
def catalog_plan(jurisdiction):
    plan = listing.plan_of(jurisdiction)
    if plan is None:
        abort(404)
    return render_template("admin/catalog_plan.html", plan=plan, role_labels=ROLE_LABELS,
                           source_labels=SOURCE_LABELS)


@bp.route("/catalog/measure/<int:measure_id>", methods=["GET", "POST"])
@roles_required("admin")
def catalog_measure(measure_id):
    try:
        measure = catalog.measure_of(measure_id)
    except NotFound:
        abort(404)
    form = CorrectionForm()
    form.agency_id.choices = [(0, _("请选择"))] + [(a.id, a.name) for a in catalog.agencies_in(measure.plan.jurisdiction)]
    if form.validate_on_submit():
        role = None if form.role.data == "remove" else form.role.data
        try:
            catalog.correct_responsibility(current_user, measure.id, form.agency_id.data, role, form.note.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("已更正，重新导入方案时将保留此更正"), "success")
            return redirect(url_for("admin.catalog_measure", measure_id=measure.id))
    corrections = catalog.corrections_of(measure)
    return render_template("admin/catalog_measure.html", measure=measure, form=form, corrections=corrections,
                           role_labels=ROLE_LABELS, source_labels=SOURCE_LABELS)
