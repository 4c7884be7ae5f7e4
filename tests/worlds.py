"""The world most tests start from: a city with two agencies, their staff and two businesses,
and the router made to choose an agency (or the dispatch centre)."""
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from werkzeug.datastructures import FileStorage

from app.domain.routing.models import Decision
from app.services import handling
from app.services import tickets as core

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shanghai_today() -> date:
    """Today where the desk is (a contact date is a Shanghai date, not a UTC one)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def pdf(name="证明.pdf", data=PDF):
    """An uploaded file as Flask gives it to a view."""
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


def route_to(monkeypatch, agency="市市场监管局", to_dispatch=False, co=()):
    """Make the router choose `agency` (or the dispatch centre)."""

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency=None if to_dispatch else agency,
                        co_agencies=tuple(co), measure=None, confidence=0.1 if to_dispatch else 0.9,
                        to_dispatch=to_dispatch, explanation="测试路由说明")

    monkeypatch.setattr("app.services.routing.decide", decide)


class World:
    """A city with two agencies, their staff and two businesses."""

    def __init__(self, make_city, make_user):
        _, self.agencies = make_city(agencies=("市市场监管局", "市税务局"))
        self.scj, self.sw = self.agencies["市市场监管局"], self.agencies["市税务局"]
        self.biz = make_user("enterprise", username="biz1")
        self.biz2 = make_user("enterprise", username="biz2")
        self.clerk = make_user("clerk", username="clerk_scj", agency=self.scj)
        self.clerk_b = make_user("clerk", username="clerk_scj2", agency=self.scj)
        self.admin = make_user("agency_admin", username="agencyadmin_scj", agency=self.scj)
        self.other = make_user("clerk", username="clerk_sw", agency=self.sw)
        self.supervisor = make_user("supervisor", username="supervisor_ly")

    def file(self, user=None, **kw):
        """File an appeal as the business (routed to whatever the test set)."""
        fields = {"kind": "complaint", "topic": "inspection", "title": "检查过多",
                      "description": "一个月内被不同部门检查了五次,影响经营。", "contact_phone": "13912345678"}
        fields.update(kw)
        return core.file_ticket(user or self.biz, **fields)

    def replied(self, monkeypatch):
        """A ticket signed and replied by the market regulator."""
        route_to(monkeypatch)
        t = self.file()
        handling.sign(self.clerk, t.id)
        handling.reply(self.clerk, t.id, "经核查,已协调相关部门合并检查事项,今后将统一安排。")
        return t
