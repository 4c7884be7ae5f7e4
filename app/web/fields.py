"""Form fields shared by every form of the site.

`SelectField` is WTForms' own with a widget that writes its options in one pass. WTForms 3.3
normalises the choices into objects twice per render and builds each option's attributes through
`html_params`; the queue page's filters alone render about 60 options, which cost a seventh of the
page. The HTML is the same as WTForms' (attributes in the same sorted order).
"""
from markupsafe import Markup, escape
from wtforms import SelectField as _SelectField
from wtforms.widgets import Select as _Select
from wtforms.widgets import html_params


class Select(_Select):
    """WTForms' select widget for choices given as (value, label) pairs."""

    def __call__(self, field, **kwargs):
        choices = field.choices
        if isinstance(choices, dict) or any(not isinstance(c, tuple | list) or len(c) != 2 for c in choices or ()):
            return super().__call__(field, **kwargs)  # optgroups, render_kw: WTForms' own path
        kwargs.setdefault("id", field.id)
        flags = field.flags
        for attr in self.validation_attrs:
            if attr not in kwargs and getattr(flags, attr, False):
                kwargs[attr] = getattr(flags, attr)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        for value, label in choices or ():
            shown = str(value) if isinstance(value, bool) else value
            selected = " selected" if coerce(value) == data else ""
            text = str(label) if label is not None else ""  # a lazy label: translated once, not twice
            html.append(f'<option{selected} value="{escape(shown)}">{escape(text or value)}</option>')
        html.append("</select>")
        return Markup("".join(html))


class SelectField(_SelectField):
    """WTForms' SelectField, rendered by `Select`."""

    widget = Select()
