"""The labels pages show for codes, written in Python (app.web.labels) instead of per-render Jinja
tables: checked here against the wording the pages are meant to show, in both languages."""
from datetime import UTC, datetime

from flask_babel import force_locale
from markupsafe import Markup

from app.web.labels import label_table, sla_light, state_label

DUE = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def test_every_ticket_state_has_a_label_in_both_languages(app):
    expected_zh = {"submitted": "已提交", "to_dispatch": "待派单", "dispatched": "待签收", "in_progress": "办理中",
                   "suspended": "已挂起", "to_supervision": "待督查裁决", "replied": "已答复", "closed": "已办结",
                   "withdrawn": "已撤回", "merged": "已合并", "rejected": "不予受理", "terminated": "已终止办理"}
    with app.test_request_context("/"):
        assert label_table("state") == expected_zh
        assert state_label("terminated") == Markup('<span class="badge state-terminated">已终止办理</span>')
        assert state_label("<x>") == Markup('<span class="badge state-&lt;x&gt;">&lt;x&gt;</span>')
    with app.test_request_context("/"), force_locale("en"):
        assert state_label("terminated") == Markup('<span class="badge state-terminated">Terminated</span>')
        assert label_table("state")["closed"] != "已办结"


def test_light_names_its_clock_and_the_time_left_or_over(app):
    red = {"light": "red", "hours_left": -10.0, "due": DUE, "paused": False, "clock": "resolve"}
    green = {"light": "green", "hours_left": 2.5, "due": DUE, "paused": False, "clock": "sign"}
    paused = {"light": "yellow", "hours_left": 1.0, "due": DUE, "paused": True, "clock": "resolve"}
    with app.test_request_context("/"):
        html = str(sla_light(red))
        assert 'class="light light-red"' in html and 'aria-label="已超期"' in html
        assert 'title="办结时限：2026-12-03 11:00"' in html
        assert '<span class="clock-name">办结</span>' in html and "超期1天3小时" in html  # 10 h: a 7-hour day + 3 h
        html = str(sla_light(green))
        assert 'aria-label="正常"' in html and "签收" in html and "剩余2小时30分钟" in html
        assert "已暂停计时" in str(sla_light(paused)) and "剩余" not in str(sla_light(paused))
        assert sla_light(None) == Markup("")
    with app.test_request_context("/"), force_locale("en"):
        html = str(sla_light(red))
        assert 'aria-label="Overdue"' in html and "Resolve" in html and "1 d 3 h overdue" in html
        assert 'title="ResolveDeadline: 2026-12-03 11:00"' in html
