"""Domain rules: plain Python, no Flask. Messages are Chinese literals marked with N_() for the
catalogue; the web layer translates them (app.web.i18n.translate_error)."""


def N_(s: str) -> str:
    """Mark a message for translation extraction; the web layer translates it with its params."""
    return s


class Message(str):
    """A marked message with its own parameters, given as a parameter of another message (a reason
    inside "cannot read line N: reason"), so that the web layer translates it too. As a str it is
    the Chinese text, filled."""

    def __new__(cls, text: str, **params):
        self = super().__new__(cls, text % params if params else text)
        self.msgid, self.params = text, params
        return self


def fill(source: dict, gettext) -> str:
    """A stored message source (msgid and parameters, a parameter that is itself a source filled
    the same way; see services.notifications.source_of) in the language of `gettext`."""
    params = {k: fill(v, gettext) if isinstance(v, dict) and "msgid" in v else v
              for k, v in (source.get("params") or {}).items()}
    msgid = source["msgid"]  # a variable: the catalogue's extractor takes any literal inside gettext(…)
    text = gettext(msgid)
    return text % params if params else text
