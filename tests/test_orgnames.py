"""Organisation names: comparison keys, name parts, cells with several units."""

import pytest

from kjd.match.orgcells import split_cell
from kjd.match.orgcompare import LINK_THRESHOLD, REVIEW_THRESHOLD, compare_names
from kjd.match.orgnames import (
    enterprise_parts,
    folded_key,
    institute_parts,
    lookup_forms,
    name_key,
    to_simplified,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("长春德茂汽车零部件有限公司\u3000", "长春德茂汽车零部件有限公司"),
        ("\xa0长春德茂汽车零部件有限公司", "长春德茂汽车零部件有限公司"),
        ("长春德茂汽车零部件有限公司\u200b", "长春德茂汽车零部件有限公司"),
        ("\ufeff吉林省瑞丰生物科技有限公司", "吉林省瑞丰生物科技有限公司"),
        ("长春德茂（汽车）零部件有限公司", "长春德茂(汽车)零部件有限公司"),
        (
            "中國科學院長春光學精密機械與物理研究所",
            "中国科学院长春光学精密机械与物理研究所",
        ),
        ("ＡＢＣ科技", "abc科技"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_key_normalises(raw, expected):
    assert name_key(raw) == expected


def test_folded_key_drops_brackets_and_reads_cas_short_form():
    assert folded_key("长春德茂(汽车)零部件有限公司") == "长春德茂汽车零部件有限公司"
    assert folded_key("中科院长春光机所") == "中国科学院长春光机所"
    assert folded_key("武汉科技大学“绿源菌创”团队") == "武汉科技大学绿源菌创团队"


def test_folded_key_drops_english_cas_qualifier():
    assert folded_key("Changchun Institute of Applied Chemistry, CAS") == (
        "changchuninstituteofappliedchemistry"
    )
    assert folded_key("CAS") == "cas"


def test_lookup_forms_add_name_without_cas():
    assert lookup_forms("中科院长春应化所") == ["中国科学院长春应化所", "长春应化所"]
    assert lookup_forms("吉林大学") == ["吉林大学"]


def test_to_simplified_converts_traditional():
    assert to_simplified("中科院長春應化所（研究員专家001團隊）") == (
        "中科院长春应化所（研究员专家001团队）"
    )


def test_enterprise_parts_split_region_brand_industry_form():
    parts = enterprise_parts("吉林省恒昌新能源科技有限公司")
    assert parts.regions == ("吉林省",)
    assert parts.core == "恒昌"
    assert parts.tail == "新能源"
    assert parts.form == "有限公司"


def test_enterprise_parts_remove_bracketed_region_insert():
    parts = enterprise_parts("德茂汽车零部件（长春）有限公司")
    assert parts.regions == ("长春",)
    assert parts.core == "德茂"
    assert parts.bare == "德茂汽车零部件"


def test_enterprise_parts_stock_words_only_have_no_core():
    parts = enterprise_parts("吉林化纤集团")
    assert parts.core == ""
    assert parts.bare == "化纤"


def test_institute_parts_find_parent_region_core_form():
    parts = institute_parts("中国科学院长春应用化学研究所")
    assert parts.parent == "中国科学院"
    assert parts.regions == ("长春",)
    assert parts.core == "应用化学"
    assert parts.form == "研究所"


B14_PAIRS = [
    ("enterprise", "长春德茂汽车零部件有限公司", "长春恒昌汽车零部件有限公司", 0),
    ("enterprise", "长春德茂汽车零部件有限公司", "德茂汽车零部件", 1),
    ("enterprise", "长春德茂汽车零部件有限公司", "长春德茂汽车零部件股份有限公司", 1),
    ("enterprise", "吉林省瑞丰生物科技有限公司", "吉林省瑞祥生物科技有限公司", 0),
    ("enterprise", "吉林瑞丰化工集团有限责任公司", "瑞丰化工", 1),
    ("institute", "中国科学院长春德茂研究所", "中国科学院长春恒昌研究所", 0),
    ("enterprise", "吉林省恒昌新能源科技有限公司", "吉林省恒昌新材料科技有限公司", 0),
]


@pytest.mark.parametrize(("kind", "name_a", "name_b", "same"), B14_PAIRS)
def test_compare_names_stock_words_pairs(kind, name_a, name_b, same):
    score = compare_names(kind, name_a, name_b).score
    if same:
        assert score >= LINK_THRESHOLD
    else:
        assert score < LINK_THRESHOLD


def test_compare_names_same_brand_other_industry_goes_to_review():
    comparison = compare_names(
        "enterprise", "吉林省恒昌新能源科技有限公司", "吉林省恒昌新材料科技有限公司"
    )
    assert REVIEW_THRESHOLD <= comparison.score < LINK_THRESHOLD
    assert comparison.rule == "same_brand_other_industry"


def test_compare_names_short_query_is_not_partial_match():
    comparison = compare_names("enterprise", "吉大", "吉大德茂科技有限公司")
    assert comparison.score < REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("name_a", "name_b", "expected_rule", "linked"),
    [
        ("长春光机所", "西安光机所", "other_region", False),
        ("中钢集团耐火材料研究院", "中钢集团洛阳耐火材料研究院", "region_insert", True),
        ("吉林大学", "吉林农业大学", "fuzzy_name", False),
        ("长春大学", "延边大学", "form_words_only", False),
    ],
)
def test_compare_names_institutes(name_a, name_b, expected_rule, linked):
    comparison = compare_names("institute", name_a, name_b)
    assert comparison.rule == expected_rule
    assert (comparison.score >= LINK_THRESHOLD) is linked


def _names(cell):
    return [unit.names for unit in split_cell(cell)]


def test_split_cell_units_separated_by_enumeration_comma():
    assert _names("郑州大学、河南工业大学") == [["郑州大学"], ["河南工业大学"]]


def test_split_cell_keeps_separator_inside_brackets():
    units = split_cell("中科院宁波材料所（研究员专家010、专家011）")
    assert len(units) == 1
    assert units[0].names == ["中科院宁波材料所"]
    assert units[0].notes == ["研究员专家010、专家011"]


def test_split_cell_body_and_department():
    units = split_cell("北京科技大学新材料技术研究院碳基材料与功能薄膜研究室")
    assert units[0].body == "北京科技大学"
    assert units[0].names[-1] == "北京科技大学"


def test_split_cell_field_station_is_a_department():
    units = split_cell("中国科学院东北地理与农业生态研究所 海伦农业生态实验站")
    assert units[0].body == "中国科学院东北地理与农业生态研究所"


def test_split_cell_conjunction_only_between_organisations():
    assert _names("中南大学和长春应用化学研究所等单位") == [
        ["中南大学"],
        ["长春应用化学研究所"],
    ]
    assert _names("中国科学院地理科学与资源研究所") == [
        ["中国科学院地理科学与资源研究所"]
    ]


def test_split_cell_partners_in_brackets():
    assert _names("华东理工大学（与淮化集团合作）") == [["华东理工大学"], ["淮化集团"]]


def test_split_cell_english_name_with_comma_is_one_unit():
    units = split_cell(
        "Changchun Institute of Applied Chemistry (CIAC), CAS; Other Body"
    )
    assert len(units) == 2
    assert "CIAC" in units[0].names


def test_split_cell_bare_department_after_slash():
    units = split_cell("河海大学 浅水湖泊综合治理与资源开发教育部重点实验室/环境学院")
    assert units[0].body == "河海大学"
    assert units[1].department_only is True


def test_split_cell_academy_institute_is_its_own_body():
    units = split_cell("军事科学院系统工程研究院军需工程技术研究所")
    assert units[0].body == "军事科学院系统工程研究院军需工程技术研究所"


def test_split_cell_vague_unit_is_marked():
    assert split_cell("中國科學院相關研究所")[0].vague is True


def test_split_cell_empty():
    assert split_cell(None) == []
    assert split_cell("  \u3000") == []
