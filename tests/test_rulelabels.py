"""Chinese labels of link and pair rules, as staff read them."""

import itertools

import pytest

from kjd.match.orgcompare import compare_names
from kjd.match.rulelabels import RULE_LABELS, rule_label


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ("other_form", "机构类型不同"),
        ("other_region", "地区不同"),
        ("other_parent", "上级单位不同"),
        ("region_insert", "去掉地区后相同"),
        ("short_name", "简称相同"),
        ("credit_code", "信用代码相同"),
        ("fuzzy_name", "名称相近"),
        ("bracket_fold", "去掉括号后相同"),
        ("same_brand_other_industry", "字号相同但行业不同，请人工判断"),
        ("alias+department", "别名相同（去掉院系或团队后）"),
        ("exact+bracket", "名称相同（按括号中的名称）"),
        ("made_up_rule", "其他依据（made_up_rule）"),
        (None, "其他依据"),
        ("", "其他依据"),
    ],
)
def test_rule_label_values(rule, label):
    assert rule_label(rule) == label


def test_rule_labels_are_chinese_and_unique():
    labels = list(RULE_LABELS.values())
    assert len(set(labels)) == len(labels)
    assert all(not label.isascii() for label in labels)


NAMES = {
    "enterprise": [
        "长春德茂汽车零部件有限公司",
        "德茂汽车零部件（长春）有限公司",
        "长春恒昌汽车零部件有限公司",
        "吉林省恒昌新能源科技有限公司",
        "吉林省恒昌新材料科技有限公司",
        "吉林宏源生物科技有限公司",
        "吉林宏源亻物科技有限公司",
        "吉林化纤集团",
        "吉林化纤股份有限公司",
        "吉林瑞丰化工集团有限责任公司",
        "瑞丰化工",
        "长春华光电子科技有限公司",
        "长春华光电子亻技有限公司",
        "长春华光",
        "长春华光明电子科技有限公司",
        "长春德茂汽车零部件 有限公司",
        "宏源",
        "长春德茂华新汽车零部件有限公司",
        "长春德茂华兴汽车零部件有限公司",
    ],
    "institute": [
        "中国科学院长春应用化学研究所",
        "中科院长春应化所",
        "长春应用化学研究所",
        "中国科学院长春光学精密机械与物理研究所",
        "中国科学院西安光学精密机械研究所",
        "中国农业科学院特产研究所",
        "中国科学院特产研究所",
        "中钢集团洛阳耐火材料研究院",
        "中钢集团耐火材料研究院",
        "吉林大学",
        "吉林大学研究院",
        "吉林师范大学",
        "长春师范大学",
        "通化师范学院",
        "长春大学",
        "长春学院",
        "吉林 大学",
        "长春研究所",
        "长春所",
    ],
}


RULES = {
    "enterprise": {
        "brand_only",
        "fuzzy_brand",
        "industry_typo",
        "other_brand",
        "same_brand",
        "same_brand_other_industry",
        "same_name",
        "same_name_but_legal_form",
        "stock_words_only",
    },
    "institute": {
        "form_words_only",
        "fuzzy_name",
        "other_form",
        "other_parent",
        "other_region",
        "parent_or_form",
        "region_insert",
        "same_name",
        "same_name_but_form",
    },
}


@pytest.mark.parametrize("kind", ["enterprise", "institute"])
def test_every_comparison_rule_has_a_label(kind):
    """Comparing these names gives every rule of `kind`; each has a label."""
    seen = set()
    for name_a, name_b in itertools.combinations(NAMES[kind], 2):
        seen.add(compare_names(kind, name_a, name_b).rule)
    assert seen == RULES[kind]
    assert sorted(rule for rule in seen if rule not in RULE_LABELS) == []
