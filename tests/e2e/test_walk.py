"""The closed loop in a real browser across the five roles, the English switch, a 390 px phone
and keyboard-only filing. Every page is checked by axe and watched for errors (conftest)."""
import re

from sqlalchemy import select

TITLE = "仓库消防验收一直没有结果"
TEXT = "我公司新建冷库已于上月提交消防验收申请，至今没有安排现场检查，也没有人告知进度，影响投产。"


def _ticket(live_server, number):
    from app.extensions import db
    from app.models import Ticket

    with live_server.app_context():
        t = db.session.scalar(select(Ticket).where(Ticket.number == number))
        lead = t.lead_agency.name if t.lead_agency else None
        state = t.state
        db.session.remove()
    return t.id, state, lead


def _clerk_of(live_server, agency_name):
    from app.extensions import db
    from app.models import Agency, User

    with live_server.app_context():
        name = db.session.scalar(select(User.username).join(Agency, Agency.id == User.agency_id)
                                 .where(Agency.name == agency_name, User.role == "clerk").order_by(User.id))
        db.session.remove()
    return name


def test_closed_loop_across_the_five_roles(desk, live_server):
    page = desk.page
    # 1. The business files an appeal and sees its number, the progress bar and the promised date.
    desk.go("/login")
    desk.login("biz1", form=True)
    desk.go("/portal/")
    assert page.locator("th", has_text="承诺办结时间").count() == 1 and page.locator("th", has_text="评价").count() == 1
    desk.go("/portal/tickets/new")
    page.select_option("#kind", "complaint")
    page.select_option("#topic", "approval")
    page.fill("#title", TITLE)
    page.fill("#description", TEXT)
    page.click("#submit")
    if page.locator(".similar, .flash-warning").count():  # a similar open appeal: file anyway
        page.click("#submit")
    number = re.search(r"[A-Z]{2}\d{8}-\d+", page.locator(".ticket-number").inner_text()).group()
    assert page.locator("ol.progress li[aria-current=step]").inner_text() in ("已提交", "已派单")
    desk.axe()
    ticket_id, state, lead = _ticket(live_server, number)
    desk.logout()

    # 2. The dispatch centre places it (when the router did not), with the searchable co-agency picker.
    desk.login("dispatcher_ly")
    desk.go("/dispatch/")
    if state == "to_dispatch":
        desk.go(f"/dispatch/tickets/{ticket_id}")
        page.select_option("select[name=lead]", label="市市场监管局")
        page.fill(".picker-search", "税务")
        visible = page.locator(".picker-row:visible")
        assert visible.count() >= 1 and all("税务" in t for t in visible.all_inner_texts())
        visible.first.locator("input").check()
        assert "税务" in page.locator(".picker-chosen").inner_text()
        page.click("form[action$='/dispatch'] [type=submit]")
        ticket_id, state, lead = _ticket(live_server, number)
    assert state == "dispatched" and lead
    desk.logout()

    # 3. The lead agency's clerk finds it by number in the queue, signs, contacts, replies.
    desk.login(_clerk_of(live_server, lead))
    desk.go(f"/desk/?q={number}")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and number in rows.first.inner_text()
    assert "签收" in rows.first.locator(".sla").inner_text()  # the light names its clock
    page.check(f"#pick-{ticket_id}")
    page.select_option("#action", "sign")
    page.click("#bulk [type=submit]")
    assert "已签收1件" in page.locator(".flash-success").inner_text()
    desk.axe()
    desk.go(f"/desk/tickets/{ticket_id}")
    page.locator("summary", has_text="联系记录").click()
    assert page.locator("#contacted_on").get_attribute("min") is not None
    page.select_option("#way", "phone")
    page.fill("#summary", "已电话联系企业负责人，约定下周现场查看。")
    page.click("form[action$='/contact'] [type=submit]")
    page.fill("#answer", "经核查，贵公司冷库消防验收已列入本周现场检查计划，检查后三个工作日内出具意见。")
    if page.locator("#override_reason").count():
        page.fill("#override_reason", "协办单位意见已电话确认")
    page.click("form[action$='/reply'] [type=submit]")
    assert page.locator(".flash-success").count() == 1
    desk.axe()
    desk.logout()

    # 4. The business rates the reply; the ticket closes.
    desk.login("biz1")
    desk.go(f"/portal/tickets/{ticket_id}")
    page.check("input[name=resolved][value=yes]")
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("form[action$='/rate'] [type=submit]")
    assert page.locator("ol.progress li[aria-current=step]").inner_text() == "已评价/已办结"
    desk.axe()
    desk.go("/auth/inbox" if page.locator("a[href='/auth/inbox']").count() else "/inbox")
    desk.logout()

    # 5. Supervision: the ladder on the board, a manual 督办 shows, the ranking chart.
    desk.login("supervisor_ly")
    desk.go("/supervision/")
    ladder = page.locator("ol.ladder").inner_text()
    for step in ("催办", "督办", "挂牌督办"):
        assert step in ladder
    assert page.locator("text=投诉举报处理进度").count() == 1  # the demo's manual 督办单
    desk.go("/supervision/requests")
    desk.go("/supervision/evaluation")
    assert page.locator("svg.chart-ranking rect").count() >= 3
    assert page.locator("table a").count() < 120  # not 540 links
    page.select_option("#month", index=len(page.locator("#month option").all()) - 2)  # last month
    page.click("form.filters [type=submit]")
    assert "冻结" in page.locator("main").inner_text()  # the demo's frozen past month
    desk.axe()
    desk.go("/supervision/evaluation/trend")
    desk.logout()

    # 6. The administrator: the SLA policy page.
    desk.login("admin")
    desk.go("/admin/")
    desk.go("/admin/sla")
    assert page.locator("tbody tr").count() == 10
    # Shorten the complaint ladder: a refused (non-rising) one first, then a good one, in the log.
    desk.go("/admin/sla/liaoyuan/complaint/0")
    page.fill("#flag_days", "4")
    page.fill("#interview_days", "4")
    page.click("#submit")
    assert "逐级递增" in page.locator(".flash-error").inner_text()
    desk.axe()
    page.fill("#interview_days", "6")
    page.fill("#note", "浏览器测试")
    page.click("#submit")
    assert page.locator(".flash-success").count() == 1
    assert "超期3个工作日 → 超期4个工作日" in page.locator("main").inner_text()
    desk.axe()
    desk.go("/admin/catalog")
    desk.go("/admin/calendar")
    # 账号管理: disable the supervisor (its session ends), then enable it again.
    desk.go("/admin/accounts?q=supervisor_ly")
    assert page.locator("tbody tr").count() == 1
    page.click("tbody button")
    assert "已停用账号supervisor_ly" in page.locator(".flash-success").inner_text()
    assert "已停用" in page.locator("tbody").inner_text() and "q=supervisor_ly" in page.url
    desk.axe()
    page.click("tbody button")
    assert "已启用账号supervisor_ly" in page.locator(".flash-success").inner_text()
    assert len(desk.checked) >= 20


def test_english_switch(desk):
    page = desk.page
    desk.login("clerk_scj")
    desk.go("/desk/?lang=en")
    text = page.locator("main").inner_text()
    assert "Queue" in text or "queue" in text
    badges = page.locator("table.queue .badge").all_inner_texts()
    assert badges and not any(re.search(r"[\u4e00-\u9fff]", b) for b in badges), badges
    topics = page.locator("table.queue td[data-label]:nth-child(5)").all_inner_texts()
    assert topics and not any(re.search(r"[\u4e00-\u9fff]", t) for t in topics), topics
    first = page.locator("table.queue tbody tr a").first
    first.click()
    desk.axe()
    events = page.locator(".timeline > li > strong").all_inner_texts()
    assert events and not any(re.search(r"[\u4e00-\u9fff]", e) for e in events), events
    desk.go("/desk/?lang=zh")


def test_phone_width_390(desk):
    page = desk.page
    page.set_viewport_size({"width": 390, "height": 844})
    desk.login("clerk_scj")
    for path in ("/desk/", "/desk/?light=overdue"):
        desk.go(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for box in page.locator("table.queue .badge").all():
            h = box.bounding_box()["height"]
            assert h < 30, f"a badge wraps ({h}px high)"
    desk.logout()
    desk.login("biz1")
    desk.go("/portal/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_keyboard_only_filing(desk):
    page = desk.page
    desk.login("biz2")
    desk.go("/portal/tickets/new")
    # The kind select has the focus (autofocus); everything below is typed, never clicked.
    assert page.evaluate("document.activeElement.id") == "kind"
    page.keyboard.press("ArrowDown")  # 投诉
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first topic
    page.keyboard.press("Tab")
    page.keyboard.type("键盘提交的诉求：水电报装进度")
    page.keyboard.press("Tab")
    page.keyboard.type("我公司厂房用电报装已提交两周，至今无人联系，请帮助了解进度并尽快安排接电。")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "submit":
            break
    assert page.evaluate("document.activeElement.id") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    if page.locator(".flash-warning").count():
        page.focus("#submit")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    assert page.locator(".ticket-number").count() == 1, page.locator("main").inner_text()[:400]
    desk.axe()
