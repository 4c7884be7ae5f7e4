"""What a business picks when it files: kinds (诉求类型), topics (诉求主题), urgency."""

KINDS: dict[str, str] = {
    "complaint": "投诉",
    "help": "求助",
    "consultation": "咨询",
    "suggestion": "建议",
    "report": "举报",
}

# Open311-style services: the same short list in every city.
TOPICS: dict[str, str] = {
    "start_close": "企业开办与注销",
    "tax": "纳税缴费",
    "finance": "融资信贷",
    "land": "用地与不动产",
    "employment": "用工与社保",
    "utilities": "水电气网报装",
    "approval": "项目审批",
    "inspection": "执法检查",
    "ip": "知识产权",
    "arrears": "拖欠账款",
    "fees": "涉企收费",
    "policy": "惠企政策兑现",
    "trade": "通关与外贸",
    "justice": "司法与纠纷",
    "other": "其他",
}

SATISFACTION: dict[str, str] = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}

TITLE_MAX = 100
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
