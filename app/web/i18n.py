"""Locale and time zone selection, and the template filters that show times in Asia/Shanghai."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, request, session
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup

from app.domain import Message, fill

SESSION_KEY = "lang"


def select_locale() -> str:
    """Simplified Chinese unless the user chose English (?lang=en, kept in the session); the JSON
    API, which has no session, also honours Accept-Language (Chinese unless English is asked)."""
    choice = request.args.get("lang") if request else None
    langs = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if request and request.path.startswith("/api/"):
        return choice if choice in langs else (request.accept_languages.best_match(langs) or default)
    return (choice if choice in langs else None) or session.get(SESSION_KEY) or default


def remember_language() -> None:
    """Before each page request: keep a ?lang= choice in the session, also for a request that answers
    with a redirect (the locale is selected only when something is translated)."""
    choice = request.args.get("lang")
    if choice in current_app.config["LANGUAGES"] and not request.path.startswith("/api/"):
        session[SESSION_KEY] = choice


def select_timezone() -> str:
    return current_app.config["DISPLAY_TZ"]


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC instant in the display time zone (Asia/Shanghai)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TZ"])).strftime(fmt)


def translate_error(err) -> str:
    """Translate a domain error whose message is a N_()-marked Chinese literal with %(x)s params."""
    message = getattr(err, "message", None) or str(err)
    params = {k: _translated(v) for k, v in (getattr(err, "params", None) or {}).items()}
    translated = gettext(message)
    try:
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):
        return str(err)


def _translated(value):
    """A parameter that is itself a marked Message (a reason inside a message) in the user's language."""
    if isinstance(value, Message):
        text = gettext(value.msgid)
        try:
            return text % value.params if value.params else text
        except (KeyError, TypeError, ValueError):
            return str(value)
    return value


def notification_text(notification) -> str:
    """An inbox message in the reader's language: filled from its stored source (msgid and
    parameters, see notifications.source_of); a row without one, or one the catalogue cannot
    fill, shows its Chinese text."""
    source = getattr(notification, "message_source", None)
    if not source:
        return notification.message
    try:
        return fill(source, gettext)
    except (KeyError, TypeError, ValueError):
        return notification.message


def mask_phone(phone: str | None) -> str:
    """*******5678: what staff other than the owning agency see. One format whatever the number:
    11 characters, 7 stars and the last 4 digits; all 11 stars when the number has fewer than 11
    digits (a short number would otherwise be mostly shown, and the length tells nothing)."""
    if not phone:
        return ""
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 11:
        return "*" * 11
    return "*" * 7 + "".join(digits[-4:])


def page_translations():
    """The translations of this request's locale, looked up once per locale.

    Flask-Babel's template callables look the locale and its catalogue up again for every string
    (a page of the clerk queue translates about 170), which was a fifth of the page's time. The
    cache sits in Flask-Babel's own per-request namespace and follows its locale, so `refresh()`
    and `force_locale()` still switch the language. `g` is resolved once: each attribute read
    through its proxy costs about as much as the catalogue lookup itself.
    """
    try:
        ns = g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:  # outside an app context: Flask-Babel answers with no translation
        return get_translations()
    cached = getattr(ns, "page_translations", None)
    if cached is not None and cached[0] is getattr(ns, "babel_locale", None):
        return cached[1]
    translations = get_translations()
    ns = g._get_current_object().__dict__.get("_flask_babel")  # get_translations made it
    if ns is not None:
        ns.page_translations = (getattr(ns, "babel_locale", None), translations)
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, through this request's cached catalogue (`page_translations`)."""
    translated = page_translations().ugettext(string)
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when shown (form labels and choices defined at import), by `gettext`."""
    return LazyString(gettext, string, **variables)


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables):
    """`_()` in templates, called directly rather than through Jinja's newstyle wrapper (two more
    context calls and a format of every string, about three times the lookup's cost; a clerk's
    queue page calls it some 170 times). The same result: the translation as markup in an
    autoescaped template, its variables escaped, and %-formatted whenever it could change."""
    translated = page_translations().ugettext(string)
    if eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables if variables or "%" in translated else translated


def init_app(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals["_"] = template_gettext
    app.before_request(remember_language)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["notification_text"] = notification_text

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "zh")}
