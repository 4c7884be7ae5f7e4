"""app.web.fields.Select writes the same HTML as WTForms' own select widget, which is the reference
here: the fast path may only be faster, never different."""
import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import SelectField as WTFormsSelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


def _forms(data, **field_args):
    class Ours(Form):
        f = SelectField("label", **field_args)

    class Theirs(Form):
        f = WTFormsSelectField("label", **field_args)

    return Ours(MultiDict(data)), Theirs(MultiDict(data))


CASES = [
    ({}, {"choices": [("", "全部"), ("a", "甲"), ("b", "乙")], "validators": [Optional()]}),
    ({"f": "b"}, {"choices": [("", "全部"), ("a", "甲"), ("b", "乙")]}),
    ({"f": "<x>"}, {"choices": [("<x>", "<b>粗</b> & \"引号\""), ("y", "")]}),  # escaping; an empty label shows the value
    ({"f": "2"}, {"choices": [(1, "一"), (2, "二")], "coerce": int}),
    ({}, {"choices": [(1, "一"), (2, "二")], "coerce": int, "validators": [DataRequired()]}),  # required attribute
    ({"f": "True"}, {"choices": [(True, "是"), (False, "否")], "coerce": lambda v: v in (True, "True")}),
    ({"f": "a"}, {"choices": [SelectChoice("a", "甲", optgroup="组一"), SelectChoice("b", "乙", render_kw={"disabled": True})]}),
    ({}, {"choices": []}),
]


@pytest.mark.parametrize("data,field_args", CASES)
def test_select_renders_as_wtforms_does(data, field_args):
    ours, theirs = _forms(data, **field_args)
    assert str(ours.f()) == str(theirs.f())
    assert str(ours.f(class_="wide", autofocus=True)) == str(theirs.f(class_="wide", autofocus=True))


def test_lazy_labels_are_translated_when_rendered(app):
    ours, theirs = _forms({"f": "x"}, choices=[("x", _l("全部")), ("y", _l("办理中"))])
    with app.test_request_context("/"), force_locale("en"):
        html = str(ours.f())
        assert html == str(theirs.f())
        assert ">All<" in html and "selected" in html and "办理中" not in html
