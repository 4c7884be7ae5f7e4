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
