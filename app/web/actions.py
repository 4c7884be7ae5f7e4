"""The shape every ticket action view shares: validate the form, call the service, flash, go back."""
from collections.abc import Callable

from flask import flash, redirect

from app.domain.workflow import WorkflowError
from app.services import ServiceError
from app.web.i18n import gettext as _
from app.web.i18n import translate_error


def run_action(form, call: Callable[[], object], done: str, back: str):
    """Call the service when `form` validates; flash its refusal or `done`; redirect to `back`.

    A refused action changes nothing (the service rolled back) and its reason is shown in the
    user's language; invalid form fields are flashed one by one.
    """
    if form.validate_on_submit():
        try:
            call()
        except (ServiceError, WorkflowError) as exc:
            flash(translate_error(exc), "error")
        else:
            flash(done, "success")
    else:
        flash_form_errors(form)
    return redirect(back)


def flash_form_errors(form) -> None:
    """Flash each invalid field's message; a form with none (say, no choice made) says it was incomplete."""
    messages = [str(e) for errors in form.errors.values() for e in errors]
    for m in messages or [_("提交的内容不完整，请检查后重新提交。")]:
        flash(m, "error")
