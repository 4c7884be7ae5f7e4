
import pytest

from app.domain.routing import infer_responsibilities
from app.domain.routing.lexicon import Lexicon, LexiconError

CITIES = ("zhaoqing", "liaoyuan", "xiamen", "jiangmen", "yueyang")


def test_liaoyuan_names_are_the_plan_strings(lexicon):
    names = {e.name for e in lexicon.agencies("liaoyuan")}
    for n in ("市市场监管局", "市公安局", "市税务局", "市社保局", "国网辽源供电公司", "市政务服务和数字化局",
              "市发展改革委", "人民银行辽源市分行", "辽源海关", "市中级法院", "市检察院"):
        assert n in names


@pytest.mark.parametrize("mention,expected", [
    ("国家税务总局肇庆市税务局", "市税务局"),     # another city's name for the same role
    ("税务局", "市税务局"),
    ("辽源市市场监督管理局", "市市场监管局"),
    ("市场监督管理局", "市市场监管局"),
    ("江门市政务服务数据管理局", "市政务服务和数字化局"),
    ("市发改局", "市发展改革委"),
    ("供电公司", "国网辽源供电公司"),
])
def test_resolve_across_cities_liaoyuan(lexicon, mention, expected):
    assert lexicon.resolve("liaoyuan", mention).name == expected


def test_resolve_guangdong(lexicon):
    assert lexicon.resolve("zhaoqing", "市政务服务和数字化局").name == "肇庆市政务服务数据管理局"
    assert lexicon.resolve("jiangmen", "市市场监管局").name == "江门市市场监督管理局"
    assert lexicon.resolve("xiamen", "市发展改革委").name == "厦门市发展和改革委员会"
    assert lexicon.resolve("yueyang", "无关字符串") is None


def test_collective_phrase(lexicon):
    e = lexicon.resolve("liaoyuan", "各县区人民政府")
    assert e is not None and e.collective


def test_every_city_has_core_roles(lexicon):
    for j in CITIES:
        for role in ("market", "tax", "natres", "housing", "hr", "commerce", "customs", "devreform", "industry",
                     "finance", "justice", "court", "procuratorate", "police", "govservice", "power"):
            assert lexicon.by_role(j, role) is not None, (j, role)


def test_topics_map_to_roles(lexicon):
    for topic in ("start_close", "tax", "finance", "land", "employment", "utilities", "approval", "inspection",
                  "ip", "arrears", "fees", "policy", "trade", "justice", "other"):
        assert topic in lexicon.topics


def test_validation_rejects_bad_data():
    with pytest.raises(LexiconError):
        Lexicon({"roles": {}})
    with pytest.raises(LexiconError):
        Lexicon({"cities": {"a": {}}, "roles": {"x": {"names": {"b": "B"}}}})


def test_infer_returns_leads_with_reasons(lexicon):
    out = infer_responsibilities("推动纳税服务便利化", "大力精简办税资料和流程,推广留抵退税、电子发票。", "zhaoqing", lexicon)
    resp, why = out[0]
    assert "税务" in resp.agency and resp.role == "lead" and resp.source == "inferred"
    assert why


def test_catalog_counts(catalog):
    measures, _ = catalog
    counts = {}
    for m in measures:
        counts[m.jurisdiction] = counts.get(m.jurisdiction, 0) + 1
    assert counts == {"zhaoqing": 37, "liaoyuan": 52, "xiamen": 28, "jiangmen": 38, "yueyang": 10}
    for m in measures:
        assert m.leads(), (m.jurisdiction, m.number)
    ly1 = next(m for m in measures if m.jurisdiction == "liaoyuan" and m.number == 1)
    assert ly1.leads() == ("市市场监管局",)
    assert all(r.source == "explicit" for r in ly1.responsibilities)
