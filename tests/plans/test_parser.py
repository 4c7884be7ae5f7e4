"""Tests for app.plans.parser against the five seed plans in data/plans."""
from __future__ import annotations

import datetime
import json
import pathlib
import re

import opencc
import pytest

from app.plans.parser import (
    ParsedPlan,
    PlanFormatError,
    normalize_plan_text,
    parse_plan,
    parse_plan_bytes,
)

PLANS_DIR = pathlib.Path(__file__).resolve().parents[2] / "data" / "plans"
MANIFEST = json.loads((PLANS_DIR / "manifest.json").read_text(encoding="utf-8"))
FILES = {info["jurisdiction"]: PLANS_DIR / name for name, info in MANIFEST.items()}
YUEYANG_TITLE = "岳阳市创建一流营商环境的意见"
CJK = re.compile(r"[\u3400-\u9fff]")


def _parse(code: str) -> ParsedPlan:
    fallback = YUEYANG_TITLE if code == "yueyang" else None
    return parse_plan_bytes(FILES[code].read_bytes(), code, fallback_title=fallback)


@pytest.fixture(scope="module")
def plans() -> dict[str, ParsedPlan]:
    return {code: _parse(code) for code in FILES}


def test_manifest_covers_five_cities():
    assert set(FILES) == {"zhaoqing", "liaoyuan", "xiamen", "jiangmen", "yueyang"}


@pytest.mark.parametrize(
    "code,count",
    [("zhaoqing", 37), ("liaoyuan", 52), ("xiamen", 28), ("jiangmen", 38), ("yueyang", 10)],
)
def test_measure_counts_and_numbering(plans, code, count):
    plan = plans[code]
    assert plan.jurisdiction == code
    assert len(plan.measures) == count
    assert [m.number for m in plan.measures] == list(range(1, count + 1))
    section_numbers = {s.number for s in plan.sections}
    assert [s.number for s in plan.sections] == list(range(1, len(plan.sections) + 1))
    for m in plan.measures:
        assert m.section_number in section_numbers
        assert m.title and not m.title.endswith("。") and not re.match(r"^\d", m.title)
        assert m.body.startswith(m.title)


@pytest.mark.parametrize(
    "code,number,title",
    [
        ("zhaoqing", 1, "完善市场准入机制"),
        ("zhaoqing", 19, "深化大湾区规则衔接标准对接“软联通”"),
        ("liaoyuan", 1, "实行企业开办精准服务"),
        ("liaoyuan", 52, "开展百户企业评议政府部门活动"),
        ("xiamen", 9, "优化办理破产"),
        ("xiamen", 23, "各区打造特色营商环境"),
        ("jiangmen", 20, "贯彻落实《广东省优化营商环境条例》"),
        ("jiangmen", 38, "强化营商环境综合改革示范"),
        ("yueyang", 1, "做到解放思想,深化改革,争创一流"),
        ("yueyang", 10, "做到高位推动,部门联动,形成合力"),
    ],
)
def test_measure_titles(plans, code, number, title):
    assert plans[code].measures[number - 1].title == title


def test_zhaoqing_sections(plans):
    plan = plans["zhaoqing"]
    assert len(plan.sections) == 10
    assert [s.marker for s in plan.sections][:3] == ["(一)", "(二)", "(三)"]
    assert plan.sections[-1].marker == "(十)"
    assert plan.sections[0].title == "营造公平高效的市场环境,推动经营主体“全易进”"
    # measures 35–37 belong to (十); 保障措施 items are not measures
    assert [m.section_number for m in plan.measures[-3:]] == [10, 10, 10]
    assert not any("强化组织领导" in m.body for m in plan.measures)


def test_liaoyuan_sections(plans):
    plan = plans["liaoyuan"]
    assert len(plan.sections) == 7
    assert plan.sections[0].title == "打造高效便利的政务环境"
    assert plan.sections[6].title == "打造纾困解难的助企环境"
    by_section = [sum(1 for m in plan.measures if m.section_number == s.number) for s in plan.sections]
    assert by_section == [12, 9, 9, 9, 4, 4, 5]


def test_xiamen_sections_recovered_from_mojibake(plans):
    titles = [(s.marker, s.title) for s in plans["xiamen"].sections]
    assert titles[0] == ("(一)", "建设竞争有序的市场环境")
    assert ("(三)", "构建高效便捷的政务环境") in titles
    assert ("(一)", "巩固提升外循环层级") in titles
    assert ("(二)", "增强内循环动力") in titles
    assert titles[-1] == ("五、", "完善推进机制,确保任务落地落实")
    # the closing sentence is not part of measure 28
    assert "有效期3年" not in plans["xiamen"].measures[-1].body


def test_yueyang_single_section(plans):
    plan = plans["yueyang"]
    assert [(s.marker, s.title) for s in plan.sections] == [("二、", "具体工作措施")]


@pytest.mark.parametrize(
    "code,title,issuer,date",
    [
        ("zhaoqing", "肇庆市加快构建“全肇办”企业服务体系打造一流营商环境行动方案(2024年)",
         "中共肇庆市委办公室、肇庆市人民政府办公室", None),
        ("liaoyuan", "辽源市2024年营商环境优化重点行动方案", "辽源市人民政府办公室",
         datetime.date(2024, 4, 22)),
        ("xiamen", "厦门市再创营商环境新优势助力企业高质量发展行动方案", "厦门市人民政府",
         datetime.date(2023, 6, 14)),
        ("jiangmen", "江门市贯彻落实广东省优化营商环境三年行动方案(2023-2025年)工作方案",
         "江门市全面优化营商环境领导小组办公室", datetime.date(2023, 10, 19)),
        ("yueyang", YUEYANG_TITLE, None, None),
    ],
)
def test_title_issuer_date(plans, code, title, issuer, date):
    plan = plans[code]
    assert (plan.title, plan.issuer, plan.issued_on) == (title, issuer, date)


def test_yueyang_without_fallback_title_is_an_error():
    with pytest.raises(PlanFormatError, match="标题"):
        parse_plan(FILES["yueyang"].read_text(encoding="utf-8"), "yueyang")


# --- Liaoyuan responsibilities ------------------------------------------------
def _resp(plan, number):
    return [(r.agency, r.role, r.collective) for r in plan.measures[number - 1].responsibilities]


def test_liaoyuan_lead_and_co(plans):
    assert _resp(plans["liaoyuan"], 1) == [
        ("市市场监管局", "lead", False),
        ("市公安局", "co", False),
        ("市住房公积金管理中心", "co", False),
        ("市税务局", "co", False),
        ("市社保局", "co", False),
    ]


def test_liaoyuan_several_sole(plans):
    assert _resp(plans["liaoyuan"], 15) == [
        ("市中级法院", "sole", False),
        ("市检察院", "sole", False),
        ("市公安局", "sole", False),
    ]
    assert _resp(plans["liaoyuan"], 13) == [("市司法局", "sole", False)]


def test_liaoyuan_two_leads(plans):
    resp = _resp(plans["liaoyuan"], 36)
    assert [a for a, role, _ in resp if role == "lead"] == ["国网辽源供电公司", "辽矿集团配售电公司"]
    assert ("各区人民政府", "co", True) in resp
    assert ("辽源高新区管委会", "co", False) in resp
    assert len(resp) == 9


def test_liaoyuan_collectives(plans):
    plan = plans["liaoyuan"]
    assert _resp(plan, 16) == [("负有安全生产监督管理职责的部门", "sole", True)]
    assert ("各县区人民政府", "co", True) in _resp(plan, 2)
    # "市自然资源局等涉及工程建设项目审批单位" splits into an agency and a collective
    assert _resp(plan, 7)[-2:] == [("市自然资源局", "co", False), ("涉及工程建设项目审批单位", "co", True)]


def test_liaoyuan_bracket_before_full_stop(plans):
    m = plans["liaoyuan"].measures[25]
    assert m.number == 26
    assert _resp(plans["liaoyuan"], 26) == [("市市场监管局", "sole", False)]
    assert m.body.endswith("限制竞争的政策措施。")


def test_every_liaoyuan_measure_has_clean_responsibilities(plans):
    for m in plans["liaoyuan"].measures:
        assert m.responsibilities, m.number
        assert "负责" not in m.body[-20:] and "牵头" not in m.body[-20:], m.number
        for r in m.responsibilities:
            assert r.role in {"lead", "co", "sole"}
            assert r.agency and not re.search(r"牵头|负责|按职责|分工|[()、,,]", r.agency), r
        roles = {r.role for r in m.responsibilities}
        assert not ({"sole"} & roles and {"lead", "co"} & roles), m.number
        assert "co" not in roles or "lead" in roles, m.number


@pytest.mark.parametrize("code", ["zhaoqing", "xiamen", "jiangmen", "yueyang"])
def test_no_responsibilities_elsewhere(plans, code):
    assert all(m.responsibilities == () for m in plans[code].measures)


# --- Xiamen normalisation ------------------------------------------------------
def test_xiamen_text_is_clean_simplified():
    text = normalize_plan_text(FILES["xiamen"].read_text(encoding="utf-8"))
    assert not re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", text)
    assert not re.search(r"(?<=[\u4e00-\u9fff])\([a-z]+\)", text)
    assert not re.search(r"[?ㄒㄈㄔ唬┙┲╈⌒υ`}]", text)
    assert opencc.OpenCC("t2s").convert(text) == text
    assert "厦门市人民政府" in text and "(此件主动公开)" in text
    assert "\n(一)建设竞争有序的市场环境\n" in text
    assert "拓展燃气小型标准化接入适用范围" in text
    assert "(B2B)" in text or "B2B" in text  # ASCII acronyms in brackets survive


def test_xiamen_measures_are_clean(plans):
    for m in plans["xiamen"].measures:
        assert not re.search(r"[?āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]|\([a-z]+\)", m.body), m.number


def test_normalize_fullwidth_and_pinyin():
    assert normalize_plan_text("(一)區(qū)域發展") == "(一)区域发展"
    assert normalize_plan_text("1.測試,內容;") == "1.测试,内容;"
    assert normalize_plan_text("\ufeff第一行\r\n第二行  ") == "第一行\n第二行"


def test_fullwidth_input_parses():
    text = (
        "《某市优化营商环境行动方案》已经市政府同意,现印发给你们。\n"
        "某市人民政府\n2024年1月5日\n"
        "一、总体要求\n1.指导思想。不是措施。\n"
        "二、重点任务\n(一)打造政务环境。\n"
        "1.第一项措施。内容一。\n续段落。\n2. 第二项措施。(市司法局负责)\n"
        "(二)打造法治环境\n3.第三项措施。(市公安局牵头,各县(区)政府按职责分工负责)\n"
        "三、保障措施\n(一)加强领导。各部门要……\n4.不是措施。\n"
    )
    plan = parse_plan(text, "test")
    assert plan.title == "某市优化营商环境行动方案"
    assert plan.issuer == "某市人民政府"
    assert plan.issued_on == datetime.date(2024, 1, 5)
    assert [(s.marker, s.title) for s in plan.sections] == [("(一)", "打造政务环境"), ("(二)", "打造法治环境")]
    assert [m.title for m in plan.measures] == ["第一项措施", "第二项措施", "第三项措施"]
    assert plan.measures[0].body == "第一项措施。内容一。\n续段落。"
    assert plan.measures[1].body == "第二项措施。"
    assert [(r.agency, r.role) for r in plan.measures[1].responsibilities] == [("市司法局", "sole")]
    assert [(r.agency, r.role, r.collective) for r in plan.measures[2].responsibilities] == [
        ("市公安局", "lead", False),
        ("各县(区)政府", "co", True),
    ]


# --- malformed input -----------------------------------------------------------
@pytest.mark.parametrize("data", [b"", b"   \n\n", "\ufeff".encode("utf-8")])
def test_empty_input_raises(data):
    with pytest.raises(PlanFormatError) as exc:
        parse_plan_bytes(data, "x")
    assert CJK.search(str(exc.value))
    assert "空" in str(exc.value)


def test_no_measures_raises():
    with pytest.raises(PlanFormatError, match="未找到任何编号措施"):
        parse_plan("关于优化营商环境的通知\n一、总体要求\n坚持问题导向。", "x", fallback_title="t")


def test_invalid_utf8_raises():
    data = "1.完善市场准入机制。".encode("gbk")
    with pytest.raises(PlanFormatError) as exc:
        parse_plan_bytes(data, "x")
    assert "UTF-8" in str(exc.value) and CJK.search(str(exc.value))
    assert isinstance(exc.value, ValueError)


def test_bom_is_accepted():
    data = FILES["liaoyuan"].read_bytes()
    plan = parse_plan_bytes(b"\xef\xbb\xbf" + data, "liaoyuan")
    assert len(plan.measures) == 52


@pytest.mark.parametrize("text, expected", [
    ("行业解纷平台,多元扩充调解员队伍,规范管理", "行业解纷平台，多元扩充调解员队伍，规范管理"),
    ("向企业下发报警卡(揭示板),企业可直接", "向企业下发报警卡（揭示板），企业可直接"),
    ("RCEP(区域全面经济伙伴关系协定)", "RCEP（区域全面经济伙伴关系协定）"),  # a pair goes together
    ("(一)营造公平高效的市场环境", "（一）营造公平高效的市场环境"),
    ("企业, 提升 (试行)", "企业，提升（试行）"),                          # no space beside a full-width mark
    ("时间 12:00, 地点", "时间 12:00，地点"),                            # a clock time keeps its colon
    ("1,000 家企业", "1,000 家企业"),                                   # a number keeps its comma
    ("A(B) and C", "A(B) and C"),                                      # no Chinese beside: as it was
])
def test_full_width_writes_the_marks_as_chinese_is_written(text, expected):
    from app.plans.parser import full_width

    assert full_width(text) == expected
