"""Bad input refused before any view runs: ids beyond what the databases store, NUL characters.

A URL id above 2³¹−1 (PostgreSQL's integer) does not match a route (404). A NUL character in
any query parameter, form field or file name is a 400: PostgreSQL cannot store it and no honest
form sends it. Errors the database still raises for bad values are turned into a 400 by
app.web.errors after a rollback, so nothing is changed.
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """`<int:…>` that matches only ids the databases can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def _all(multidict) -> list:
    return [v for _key, vs in multidict.lists() for v in vs]


def refuse_nul() -> None:
    """Before each request: 400 on a NUL character anywhere the user typed."""
    if "\x00" in request.path or _has_nul(request.args.keys()) or _has_nul(_all(request.args)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(request.form.keys()) or _has_nul(_all(request.form)):
            abort(400)
        if _has_nul(f.filename or "" for f in _all(request.files)):
            abort(400)


def install_converters(app) -> None:
    """Before the blueprints: every `<int:…>` route uses the bounded converter."""
    app.url_map.converters["int"] = BoundedInt


def init_app(app) -> None:
    app.before_request(refuse_nul)
