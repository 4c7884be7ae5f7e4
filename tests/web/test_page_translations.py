"""Templates translate through a per-request cache (app.web.i18n.page_translations); the language
must still follow the request's locale, Flask-Babel's force_locale() and refresh()."""
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
