"""The shape every ticket action view shares: validate the form, call the service, flash, go back."""
from collections.abc import Callable

from flask import flash, redirect

from app.domain.workflow import WorkflowError
from app.services import ServiceError
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
        for errors in form.errors.values():
            for e in errors:
                flash(str(e), "error")
    return redirect(back)
