"""Templates translate through a per-request cache (app.web.i18n.page_translations); the language
must still follow the request's locale, Flask-Babel's force_locale() and refresh()."""
import pytest
from flask import render_template_string, session
from flask_babel import force_locale, refresh

ZH = "提交的内容不完整，请检查后重新提交。"
EN = "The form is incomplete; please check it and submit again."
TEMPLATE = "{{ _('提交的内容不完整，请检查后重新提交。') }}"


def test_a_page_follows_the_locale_of_its_request(app):
    with app.test_request_context("/"):
        assert render_template_string(TEMPLATE) == ZH
        assert render_template_string(TEMPLATE) == ZH          # cached, still Chinese
        with force_locale("en"):
            assert render_template_string(TEMPLATE) == EN
        assert render_template_string(TEMPLATE) == ZH          # back after force_locale


def test_refresh_switches_the_language_within_a_request(app):
    with app.test_request_context("/"):
        assert render_template_string(TEMPLATE) == ZH
        session["lang"] = "en"
        refresh()
        assert render_template_string(TEMPLATE) == EN


# `_()` in templates is app.web.i18n.template_gettext, not Jinja's newstyle wrapper. What a page must
# show is written out here (Jinja's documented newstyle rules: the translation is markup in an
# autoescaped template, the variables are escaped, the string is %-formatted even without
# variables); Jinja's own wrapper, in an environment of its own, is checked against the same table.
CASES = [
    # template, in Chinese, in English
    ("{{ _('提交的内容不完整，请检查后重新提交。') }}", ZH, EN),
    ("{{ _('<i>%(x)s</i>', x='<b>&') }}", "<i>&lt;b&gt;&amp;</i>", "<i>&lt;b&gt;&amp;</i>"),
    ("{{ _('满意率 100%%') }}", "满意率 100%", "满意率 100%"),
    ("{{ _('a<b') }}", "a<b", "a<b"),
    ("{% autoescape false %}{{ _('%(x)s', x='<b>') }}{% endautoescape %}", "<b>", "<b>"),
    ("{{ _('%(n)s件', n=3) }}", "3件", "3件"),
]


def test_template_gettext_renders_as_the_written_table(app):
    for template, zh, en in CASES:
        with app.test_request_context("/"):
            assert render_template_string(template) == zh, template
            with force_locale("en"):
                assert render_template_string(template) == en, template


def test_jinjas_own_newstyle_gettext_agrees_with_the_table():
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(gettext=lambda s: s, ngettext=lambda s, p, n: s if n == 1 else p, newstyle=True)
    for template, zh, _en in CASES[1:]:  # the first needs the catalogue
        assert env.from_string(template).render() == zh, template


def test_a_lone_percent_fails_as_in_jinja(app):
    # Formatted even without variables: a msgid with a bare % is a mistake either way, not shown half-formatted.
    with app.test_request_context("/"), pytest.raises(ValueError):
        render_template_string("{{ _('50%') }}")
