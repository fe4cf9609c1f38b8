"""Chinese labels of the rules that link a name to a record or pair two records.

The rule slug (`other_region`, `credit_code`…) is what the database and
`--json` store; staff read the label, in the dedupe table and review workbook.
"""

RULE_LABELS = {
    # Resolution of a name during import (kjd.match.entities).
    "exact": "名称相同",
    "alias": "别名相同",
    "short_name": "简称相同",
    "folded": "去掉标点后相同",
    "bracket_fold": "去掉括号后相同",
    "new": "新建记录",
    # Enterprise names (kjd.match.orgcompare).
    "same_name": "名称相同（仅全角、空格、繁简或括号不同）",
    "same_name_but_legal_form": "去掉地区和公司类型后相同",
    "same_brand": "字号和行业相同",
    "fuzzy_brand": "字号相近，可能有错字",
    "brand_only": "字号相同，一方没有行业词",
    "industry_typo": "字号相同，行业词差一个字",
    "same_brand_other_industry": "字号相同但行业不同，请人工判断",
    "other_brand": "字号不同",
    "stock_words_only": "只有地名、行业词或公司类型相同",
    # Institute names (kjd.match.orgcompare).
    "region_insert": "去掉地区后相同",
    "parent_or_form": "上级单位或机构类型写法不同",
    "same_name_but_form": "只差机构类型写法",
    "form_words_only": "只有机构类型词相同",
    "fuzzy_name": "名称相近",
    "other_parent": "上级单位不同",
    "other_form": "机构类型不同",
    "other_region": "地区不同",
    # Credit codes and experts (kjd.match.dedupe).
    "credit_code": "信用代码相同",
    "other_credit_code": "信用代码不同",
    "same_name_same_institute": "同名且同单位",
    "same_expert_name": "同名，单位或研究方向不同",
    "queued": "导入时列入待核对",
}

# A link found under a shorter spelling of the cell carries one of these.
_QUALIFIER_LABELS = {
    "department": "（去掉院系或团队后）",
    "bracket": "（按括号中的名称）",
}
_FALLBACK = "其他依据"


def rule_label(rule: str | None) -> str:
    """Return the staff-facing label of a rule slug.

    A qualified rule such as 'alias+department' gets the label of its base
    rule and of its qualifier. An unknown rule gets 其他依据 followed by the
    slug, so that nothing a person reads is blank.
    """
    base, _, qualifier = (rule or "").partition("+")
    label = RULE_LABELS.get(base)
    if label is None:
        return f"{_FALLBACK}（{rule}）" if rule else _FALLBACK
    return label + _QUALIFIER_LABELS.get(qualifier, "")
