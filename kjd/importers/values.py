"""Turn one cell into the typed values of a field, with warnings as data.

Each converter takes the raw cell (str, number, date or None) and a `Cell`
context, writes into the record's values (one field may fill several columns:
budget and budget_raw, phone and contact) and appends warnings.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache

from kjd.importers.reference import find_region, map_vocabulary
from kjd.normalize import (
    MOBILE,
    clean_name,
    clean_prose,
    credit_code_is_valid,
    fold_width,
    identifier_text,
    normalize_credit_code,
    number_to_text,
    parse_amount_wan,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_phones,
    remove_spaces,
)

_LIST_SPLIT = re.compile(r"[、,，;；/\n]+")
_VOCAB_SPLIT = re.compile(
    r"[、,，;；/／|\n\s]+|(?<=[\u4e00-\u9fff])[和及或](?=[\u4e00-\u9fff])"
)
MULTI_VALUE_VOCABULARIES = frozenset({"cooperation_mode"})
"""Vocabularies whose cells may name several values ('合作开发、技术许可')."""
VOCABULARY_JOINER = "、"
_IDENTIFIER_HEADER = re.compile(
    r"编号|代码|号码|电话|手机|邮编|邮政编码|证号|账号|身份证|工号|学号|传真|qq|登记号|批准号|专利号"
)
_AMOUNT_HEADER = re.compile(
    r"万元|金额|资金|经费|资本|投资|预算|产值|收入|营收|利润|价格"
)
_NEGATIONS = ("否", "不", "非", "无")
# Letters and digits only, at least 8 of them: a credit code, a registration
# number, or such a code with a digit missing. Anything else is not a code.
_CODE_LIKE = re.compile(r"^[0-9A-Z]{8,}$")
_NO_NUMBER_WORDS = (
    "面议",
    "待定",
    "协商",
    "另议",
    "不限",
    "无",
    "暂无",
    "待商议",
    "洽谈",
)


@dataclass
class RowWarning:
    """A data-quality problem found in one cell (or row); the row is still imported."""

    row_number: int | None
    column: str | None
    value: str | None
    code: str
    message: str


@dataclass
class Cell:
    """The source of one value (row, column title) and the record it fills."""

    row_number: int
    label: str
    values: dict
    warnings: list[RowWarning] = field(default_factory=list)
    unit: str | None = None

    def warn(self, value, code: str, message: str) -> None:
        self.warnings.append(
            RowWarning(self.row_number, self.label, cell_text(value), code, message)
        )


def cell_text(value) -> str | None:
    """Return a cell as displayed text: 1.0 → '1', dates in ISO form."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return number_to_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# Value types whose converter only cleans text: a clean str cell is stored as
# it is and a blank cell gives None (see `normalize.is_clean_text`). The value
# is True when the clean text may contain spaces (prose), False for names.
PLAIN_TEXT_TYPES = {"name": False, "text": True, "prose": True}


def converter(value_type: str):
    """Return the function that stores typed values: f(field_name, raw, cell)."""
    if value_type.startswith("vocab:"):
        vocabulary = value_type[6:]
        convert = _vocab_list if vocabulary in MULTI_VALUE_VOCABULARIES else _vocab
        return lambda field_name, raw, cell: convert(field_name, vocabulary, raw, cell)
    return _CONVERTERS[value_type]


def _name(field_name, raw, cell):
    cell.values[field_name] = clean_name(raw if type(raw) is str else cell_text(raw))


def _text(field_name, raw, cell):
    cell.values[field_name] = clean_prose(raw if type(raw) is str else cell_text(raw))


def _list(field_name, raw, cell):
    text = cell_text(raw)
    if text is None:
        cell.values[field_name] = None
        return
    parts = [clean_name(part) for part in _LIST_SPLIT.split(text)]
    cell.values[field_name] = ";".join(part for part in parts if part) or None


def _phone(field_name, raw, cell):
    if type(raw) in (float, int) and 1e10 <= raw < 2e10 and raw == int(raw):
        # A mobile number typed as a number, the common case.
        text = str(int(raw))
        if MOBILE.match(text):
            cell.values[field_name] = text
            return
    phones = parse_phones(raw)
    if not phones:
        cell.values[field_name] = None
        return
    cell.values[field_name] = ";".join(phone.number for phone in phones)
    contacts = [phone.contact for phone in phones if phone.contact]
    if contacts and not cell.values.get("contact"):
        cell.values["contact"] = ";".join(contacts)
    for phone in phones:
        if phone.note == "scientific":
            cell.warn(
                raw, "phone-digits-lost", "电话以科学计数法保存，末位数字可能已丢失"
            )
        elif phone.note == "precision-lost":
            cell.warn(raw, "phone-digits-lost", "电话超过 15 位，Excel 已截断数字")
        elif phone.note == "invalid":
            cell.warn(raw, "phone-invalid", f"“{phone.number}”不是有效的电话号码")


def _email(field_name, raw, cell):
    text = cell_text(raw)
    cell.values[field_name] = remove_spaces(fold_width(text)) or None if text else None


def _ref(field_name, raw, cell):
    text, note = identifier_text(raw)
    cell.values[field_name] = text
    _warn_identifier(raw, note, cell)


def _warn_identifier(raw, note, cell):
    if note == "precision-lost":
        cell.warn(
            raw,
            "precision-lost",
            "编号以数字保存，超过 15 位的部分已被 Excel 改写，请在原表中改为文本后重填",
        )
    elif note == "scientific":
        cell.warn(
            raw, "scientific-notation", "编号以科学计数法保存，末位数字可能已丢失"
        )


def _credit_code(field_name, raw, cell):
    code = normalize_credit_code(raw)
    if code is not None and not _CODE_LIKE.match(code):
        # 无, /, 暂无 or a name typed in the column: not a code, so it must
        # not identify the enterprise (all firms with 无 would become one).
        cell.warn(raw, "credit-code-missing", f"“{code}”不是统一社会信用代码，已忽略")
        cell.values.setdefault("_extra", {})[cell.label] = cell_text(raw)
        code = None
    cell.values[field_name] = code
    if code is None:
        return
    valid = credit_code_is_valid(code)
    cell.values["credit_code_valid"] = 1 if valid else 0
    if not valid:
        cell.warn(
            raw,
            "credit-code-invalid",
            "统一社会信用代码格式或校验位不正确（GB 32100-2015），已原样保留",
        )


def _amount(field_name, raw, cell):
    amount = parse_amount_wan(raw, cell.unit or "万元")
    cell.values[field_name] = amount
    text = raw.strip() if isinstance(raw, str) else None
    cell.values[f"{field_name}_raw"] = clean_name(text) if text else None
    if text and amount is None and not text.startswith(_NO_NUMBER_WORDS):
        cell.warn(raw, "amount-unreadable", "金额中没有可识别的数字，已保留原文")
    elif text and amount is None:
        cell.warn(raw, "amount-not-a-number", f"金额为“{text}”，未计入数值，已保留原文")


def _date(field_name, raw, cell):
    parsed = parse_date(raw)
    cell.values[field_name] = parsed.value
    text = cell_text(raw)
    keep_text = isinstance(raw, str) or parsed.note in ("invalid", "month-cut")
    cell.values[f"{field_name}_raw"] = clean_name(text) if keep_text else None
    if parsed.note == "ambiguous":
        cell.warn(
            raw, "date-ambiguous", "日期的月和日可以互换，已按月/日/年读取，请核对"
        )
    elif parsed.note == "month-cut":
        cell.warn(
            raw,
            "date-ambiguous",
            f"“{text}”可能是 10 月（Excel 去掉了末尾的 0），已按 1 月读取，请核对",
        )
    elif parsed.note == "invalid":
        cell.warn(raw, "date-unreadable", "无法识别的日期，已保留原文")


def _int(field_name, raw, cell):
    number = parse_int(raw)
    cell.values[field_name] = number
    if number is None and raw is not None:
        cell.warn(raw, "number-unreadable", "不是整数，已保留在附加列中")
        cell.values.setdefault("_extra", {})[cell.label] = cell_text(raw)


def _bool(field_name, raw, cell):
    flag = parse_bool(raw)
    if flag is None and raw is not None:
        text = cell_text(raw) or ""
        if text.startswith(_NEGATIONS):
            flag = False  # 否（非院士）, 不是院士
        elif "院士" in text:
            flag = True  # 中国工程院院士
        else:
            cell.warn(raw, "bool-unreadable", "不是“是”或“否”，已保留在附加列中")
            cell.values.setdefault("_extra", {})[cell.label] = text
    cell.values[field_name] = None if flag is None else int(flag)


def _region(field_name, raw, cell):
    _fill_place(raw, cell, own=None)


def _city(field_name, raw, cell):
    _fill_place(raw, cell, own="city")


def _county(field_name, raw, cell):
    _fill_place(raw, cell, own="county")


def _fill_place(raw, cell: Cell, own: str | None) -> None:
    # A 市（州） or 县（市、区） column sets its own part. The other part, and
    # both parts for a column naming the whole place (所在地区), are filled
    # only where no other column has set them.
    region, kept = _place(raw)
    values = cell.values
    values.setdefault("city", None)
    values.setdefault("county", None)
    if region is not None:
        for part in ("city", "county"):
            found = getattr(region, part)
            if part == own:
                values[part] = found or values[part]
            else:
                values[part] = values[part] or found
    if kept is not None:
        values.setdefault("_extra", {})[cell.label] = kept


@lru_cache(maxsize=4096, typed=True)
def _place(raw):
    # Returns the region and the text to keep in `extra`. A region column
    # repeats a few hundred places down a whole roster.
    text = clean_name(cell_text(raw))
    region = find_region(text)
    return region, _place_text_kept(text, region)


def _place_text_kept(text: str | None, region) -> str | None:
    # The text goes to `extra` unless the stored 市州 and 县区 spell it out
    # ('长春市绿园区'). An old name ('九台市', now 长春市九台区), a short name
    # or an unknown place is kept as typed.
    if not text:
        return None
    if region is not None:
        city, county = region.city or "", region.county or ""
        if text in {city, county, city + county} - {""}:
            return None
    return text


def _vocab(field_name, vocabulary, raw, cell):
    text = clean_prose(cell_text(raw))
    cell.values[field_name] = map_vocabulary(vocabulary, text)
    cell.values[f"{field_name}_raw"] = text


def _vocab_list(field_name, vocabulary, raw, cell):
    # '合作开发、技术许可' keeps both: every part that maps gives its label,
    # joined with '、'; a text whose parts map to nothing is mapped whole.
    text = clean_prose(cell_text(raw))
    cell.values[f"{field_name}_raw"] = text
    if not text:
        cell.values[field_name] = None
        return
    labels: list[str] = []
    for part in _VOCAB_SPLIT.split(text):
        label = map_vocabulary(vocabulary, part.strip())
        if label and label not in labels:
            labels.append(label)
    if not labels:
        cell.values[field_name] = map_vocabulary(vocabulary, text)
        return
    cell.values[field_name] = VOCABULARY_JOINER.join(labels)


_CONVERTERS = {
    "name": _name,
    "text": _text,
    "prose": _text,
    "list": _list,
    "phone": _phone,
    "email": _email,
    "ref": _ref,
    "credit_code": _credit_code,
    "amount": _amount,
    "date": _date,
    "int": _int,
    "bool": _bool,
    "region": _region,
    "city": _city,
    "county": _county,
}


def extra_kind(label: str) -> str:
    """Return how an unrecognised column is typed: 'identifier', 'amount', 'other'."""
    key = label.casefold()
    if _IDENTIFIER_HEADER.search(key):
        return "identifier"
    if _AMOUNT_HEADER.search(key):
        return "amount"
    return "other"


def extra_value(label: str, raw, cell: Cell, kind: str | None = None):
    """Return the JSON value of an unrecognised column, typed by its title.

    `kind` is `extra_kind(label)`; callers that type many cells of one column
    pass it. Titles that name codes (编号, 电话, 邮编…) keep text exactly and
    flag numbers Excel has cut; titles that name money (金额, 经费, 万元…) give
    numbers, and text without a number gives None with the text kept under
    '<title>_原文'. Money is always a float, so that 11 and 11.5 share the JSON
    type real.
    """
    if raw is None:
        return None
    kind = kind or extra_kind(label)
    if kind == "identifier":
        text, note = identifier_text(raw)
        _warn_identifier(raw, note, cell)
        return text
    if kind == "amount":
        number = parse_number(raw)
        if number is None and isinstance(raw, str):
            number = parse_amount_wan(raw) if re.search(r"\d", raw) else None
        if number is not None and not math.isfinite(number):
            number = None  # 'inf' or 400 digits: JSON has no such number
        if number is None:
            text = clean_name(raw if isinstance(raw, str) else cell_text(raw))
            cell.values.setdefault("_extra", {})[f"{label}_原文"] = text
            cell.warn(
                raw,
                "amount-not-a-number",
                f"“{label}”为“{text}”，不是数字，未计入数值，已保留原文",
            )
            return None
        # Always a float, so that the column has one type in every row.
        return float(number)
    if isinstance(raw, bool | int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw == int(raw) and abs(raw) < 1e15 else raw
    if isinstance(raw, date | datetime | time):
        return cell_text(raw)
    return clean_prose(raw)
