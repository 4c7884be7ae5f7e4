"""`flask demo seed`: demo accounts (one per role, password demo12345) and a few tickets in
each state, made through the services so they carry real events. Idempotent."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.domain.uscc import check_digit
from app.extensions import db
from app.models import Agency, Jurisdiction, Ticket, User
from app.services import accounts, dispatching, handling
from app.services import tickets as core

demo = AppGroup("demo", help="Demo data for a newcomer.")

PASSWORD = "demo12345"
CITY = "liaoyuan"
SCJ, SW = "市市场监管局", "市税务局"
STAFF = [
    ("admin", "admin", None, None, "系统管理员"),
    ("dispatcher_ly", "dispatcher", None, CITY, "辽源派单员"),
    ("supervisor_ly", "supervisor", None, CITY, "辽源督查员"),
    ("clerk_scj", "clerk", SCJ, CITY, "市场监管承办人"),
    ("agencyadmin_scj", "agency_admin", SCJ, CITY, "市场监管单位管理员"),
    ("clerk_sw", "clerk", SW, CITY, "税务承办人"),
]
BUSINESSES = [
    ("biz1", "辽源市东辽河食品有限公司", "91220400MA17DMX01", "13843700001"),
    ("biz2", "辽源市龙山机械制造有限公司", "91220400MA17DMX02", "13843700002"),
]
REPLY = "经我局核查，已协调相关科室合并检查事项，今后将按照“双随机、一公开”统一安排，请企业放心经营。"

# (title, description, target state); each is filed by biz1 and handled by the market regulator.
TICKETS = [
    ("食品经营许可证续期咨询", "我公司食品经营许可证下月到期，请问续期需要准备哪些材料，能否网上办理？", "as_routed"),
    ("一个月内多次检查", "本月已有三个部门先后到我公司进行食品安全检查，内容重复，影响正常生产经营。", "dispatched"),
    ("商标被他人仿冒", "发现市场上有商家使用与我公司注册商标近似的包装销售同类食品，请求查处。", "in_progress"),
    ("食品抽检结果异议", "我公司产品抽检结果为不合格，但我们自检合格，希望申请复检并了解程序。", "suspended"),
    ("广告审查时限过长", "我公司提交的食品广告审查材料已超过二十个工作日仍未有结果，请求督促办理。", "replied"),
    ("注册地址变更办理", "我公司迁址后办理注册地址变更，窗口要求重复提交材料，希望简化流程。", "closed"),
    ("执照年报提醒咨询", "请问企业年度报告的截止时间是什么时候，逾期会有什么影响？", "withdrawn"),
]


def _need(model_query, message: str):
    found = db.session.scalar(model_query)
    if found is None:
        raise click.ClickException(message)
    return found


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _uscc(body17: str) -> str:
    return body17 + check_digit(body17)


def _seed_agency_clerks() -> list[tuple[str, str, str]]:
    """A clerk for every other agency of the demo city (ly_<role>), so that whatever agency the
    router picks for a newcomer's appeal, someone can log in and handle it."""
    agencies = db.session.scalars(
        select(Agency).where(Agency.jurisdiction == CITY, Agency.collective.is_(False),
                             Agency.name.not_in([SCJ, SW])).order_by(Agency.id)).all()
    codes = [a.role_code for a in agencies]
    lines = []
    for agency in agencies:
        code = agency.role_code if agency.role_code and codes.count(agency.role_code) == 1 else f"agency{agency.id}"
        username = f"ly_{code}"
        if _user(username) is None:
            accounts.create_staff(username=username, password=PASSWORD, role="clerk",
                                  display_name=f"{agency.name}承办人", agency_name=agency.name, jurisdiction=CITY)
        lines.append(("clerk", username, agency.name))
    return lines


def seed_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; return (role, username, agency or city) of each."""
    _need(select(Jurisdiction).where(Jurisdiction.code == CITY),
          "城市 liaoyuan 不存在：请先运行 `flask plans import`")
    for name in (SCJ, SW):
        _need(select(Agency).where(Agency.jurisdiction == CITY, Agency.name == name),
              f"承办单位“{name}”不存在：请先运行 `flask plans import`")
    lines = []
    for username, role, agency, city, display in STAFF:
        if _user(username) is None:
            accounts.create_staff(username=username, password=PASSWORD, role=role, display_name=display,
                                  agency_name=agency, jurisdiction=city)
        lines.append((role, username, agency or city or ""))
    lines.extend(_seed_agency_clerks())
    for username, name, body, phone in BUSINESSES:
        if _user(username) is None:
            accounts.register_enterprise(
                username=username, password=PASSWORD, display_name=name[3:7], enterprise_name=name,
                uscc=_uscc(body), jurisdiction=CITY, contact_name="张经理", phone=phone)
        lines.append(("enterprise", username, name))
    return lines


def _to_agency(ticket: Ticket, agency: Agency) -> None:
    """Put a freshly filed ticket with `agency`, through the dispatch centre or the supervisors."""
    if ticket.state == "to_dispatch":
        dispatching.dispatch(ticket, agency.id, (), _user("dispatcher_ly"), note="派单中心人工派单（演示数据）")
    elif ticket.lead_agency_id != agency.id:
        dispatching.transfer(ticket, agency, (), _user("supervisor_ly"), note="督查室改派（演示数据）")


def seed_tickets() -> int:
    """File the demo tickets that are missing and walk each to its state. Returns how many made."""
    biz, clerk = _user("biz1"), _user("clerk_scj")
    scj = db.session.scalar(select(Agency).where(Agency.jurisdiction == CITY, Agency.name == SCJ))
    made = 0
    for title, description, target in TICKETS:
        exists = db.session.scalar(select(Ticket.id).where(
            Ticket.enterprise_id == biz.enterprise_id, Ticket.title == title))
        if exists:
            continue
        t = core.file_ticket(biz, kind="consultation" if "咨询" in title else "complaint", topic="inspection",
                             title=title, description=description, district="龙山区")
        made += 1
        if target == "as_routed":
            continue
        if target == "withdrawn":
            if t.state in ("submitted", "to_dispatch", "dispatched"):
                handling.withdraw(biz, t.id, "问题已自行了解清楚")
            continue
        _to_agency(t, scj)
        if target == "dispatched":
            continue
        handling.sign(clerk, t.id)
        handling.record_contact(clerk, t.id, contacted_on=handling.contact_date_default(), way="phone",
                                summary="已电话联系企业张经理，了解具体情况。")
        if target == "suspended":
            handling.suspend(clerk, t.id, "请提供抽检报告编号及自检报告扫描件。")
        elif target in ("replied", "closed"):
            handling.reply(clerk, t.id, REPLY, override_reason="演示数据")
            if target == "closed":
                handling.rate(biz, t.id, resolved=True, satisfaction="satisfied", comment="处理及时")
    return made


# The short table `make run` prints: one account per role, in the order of the closed loop.
NEWCOMER = ("biz1", "dispatcher_ly", "clerk_scj", "clerk_sw", "agencyadmin_scj", "supervisor_ly", "admin")
ROLE_NAMES = {"enterprise": "企业", "dispatcher": "派单员", "clerk": "承办人", "agency_admin": "单位管理员",
              "supervisor": "督查员", "admin": "系统管理员"}


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def account_table(lines: list[tuple[str, str, str]], only: tuple[str, ...] | None = None) -> list[str]:
    """The accounts as aligned rows (CJK characters count double on a terminal)."""
    rows = [r for r in lines if only is None or r[1] in only]
    if only is not None:
        rows.sort(key=lambda r: only.index(r[1]))
    out = [f"  {_pad('角色', 12)}{_pad('账号', 18)}单位或城市"]
    out += [f"  {_pad(ROLE_NAMES.get(role, role), 12)}{_pad(user, 18)}{'辽源市' if where == CITY else where}"
            for role, user, where in rows]
    return out


@demo.command("seed")
def seed():
    """Create demo accounts (password demo12345) and a living desk; running it twice changes nothing."""
    from app.cli import demo_desk

    lines = seed_accounts()
    made = seed_tickets()
    made += demo_desk.seed_desk()
    click.echo(f"演示账号（密码均为 {PASSWORD}）：")
    for row in account_table(lines, NEWCOMER):
        click.echo(row)
    others = len(lines) - len(NEWCOMER) - 1
    click.echo(f"  另有 biz2 和 {others} 个辽源承办单位的承办人账号（ly_<单位代码>），"
               "`flask demo accounts` 列出全部。")
    if made:
        click.echo(f"新建演示工单 {made} 个。")


@demo.command("accounts")
def accounts_list():
    """Print every demo account (creating none)."""
    rows = [(u.role, u.username, (u.agency.name if u.agency else (u.jurisdiction or "")))
            for u in db.session.scalars(select(User).order_by(User.role, User.username))]
    click.echo(f"演示账号（密码均为 {PASSWORD}）：")
    for row in account_table(rows):
        click.echo(row)


COMMANDS = [demo]
