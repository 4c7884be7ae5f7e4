"""A city with two agencies, a business, staff of every role, and a token for each."""
import pytest

from app.services import api_tokens

ALL_SCOPES = ["tickets:read", "tickets:write", "desk:act", "evaluation:read"]


class World:
    def __init__(self, make_city, make_user):
        _, self.agencies = make_city(agencies=("市市场监管局", "市税务局", "市人社局"))
        self.scj, self.sw, self.rs = (self.agencies[n] for n in ("市市场监管局", "市税务局", "市人社局"))
        self.biz = make_user("enterprise", username="biz1")
        self.biz2 = make_user("enterprise", username="biz2")
        self.clerk = make_user("clerk", username="clerk_scj", agency=self.scj)
        self.agency_admin = make_user("agency_admin", username="admin_scj", agency=self.scj)
        self.other_clerk = make_user("clerk", username="clerk_sw", agency=self.sw)
        self.co_clerk = make_user("clerk", username="clerk_rs", agency=self.rs)
        self.dispatcher = make_user("dispatcher", username="dispatcher_ly")
        self.supervisor = make_user("supervisor", username="supervisor_ly")
        self.admin = make_user("admin", username="admin")

    def token(self, user, scopes=None, days=30) -> str:
        _, raw = api_tokens.create_token(user, "测试", scopes or ALL_SCOPES, days)
        return raw


@pytest.fixture
def world(make_city, make_user, to_dispatch):
    # The real router costs seconds per test (jieba); these tests are about the API, so the
    # router is replaced (to_dispatch) unless a test routes otherwise itself.
    return World(make_city, make_user)


def auth(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}


APPEAL = {"kind": "complaint", "topic": "inspection", "title": "检查过多",
          "description": "一个月内被不同部门检查了五次，影响正常经营，请协调合并检查。"}


@pytest.fixture
def to_dispatch(monkeypatch):
    """Make the router send every appeal to the dispatch centre (low confidence)."""
    from app.domain.routing.models import Decision

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency=None, co_agencies=(), measure=None, confidence=0.1,
                        to_dispatch=True, explanation="置信度不足，转派单中心")

    monkeypatch.setattr("app.services.routing.decide", decide)
