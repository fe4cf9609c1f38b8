"""Read the lines above a roster's header: title, filing unit and date, notes."""

import re

from kjd.importers.values import cell_text
from kjd.normalize import clean_name, parse_date

_FILING_FIELD = re.compile(
    r"(填报单位|报送单位|制表单位|填表单位|推荐单位|主管部门|填报日期|报送日期|制表日期"
    r"|填表日期|填报时间|日期|联系人|联系电话|单位)\s*(?:[（(][^）)]*[）)])?\s*[:：]"
)
# Template hints in brackets that are not part of the value: （盖章）, (签字),
# （公章）, blanks left for a stamp. Other brackets are kept: 各市（州）科技局.
_PLACEHOLDER = re.compile(
    r"[（(]\s*(?:单位)?(?:盖章|盖公章|公章|签章|签字|签名|章|[\s_＿]*)\s*[）)]"
)
_DATE_FIELDS = ("填报日期", "报送日期", "制表日期", "填表日期", "填报时间", "日期")


def read_metadata(rows: list[list]) -> dict:
    """Return {'标题': …, '填报单位': …, '填报日期': 'YYYY-MM-DD', '说明': [...]}.

    A filing line may hold several fields in one cell ('填报单位：（盖章）
    填报日期：2024年5月'). A stamp hint such as （盖章） is removed, and a field
    that contains nothing else is left out. Other brackets stay as written
    (各市（州）科技局汇总). Dates are given in ISO form at the precision written.
    """
    metadata: dict = {}
    notes = []
    for row in rows:
        texts = []
        for value in row:
            text = clean_name(cell_text(value))
            if text and text not in texts:
                texts.append(text)
        if not texts:
            continue
        line = " ".join(texts)
        fields = _filing_fields(line)
        if fields:
            metadata.update(fields)
        elif "标题" not in metadata and len(texts) == 1:
            metadata["标题"] = line
        else:
            notes.append(line)
    if notes:
        metadata["说明"] = notes
    return metadata


def _filing_fields(line: str) -> dict:
    matches = list(_FILING_FIELD.finditer(line))
    fields = {}
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else None
        value = _PLACEHOLDER.sub("", line[match.end() : end]).strip()
        if not value:
            continue
        name = match.group(1)
        if name in _DATE_FIELDS:
            value = parse_date(value).value or value
        fields[name] = value
    return fields
