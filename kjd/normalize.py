"""Pure text helpers shared by import, entity resolution and matching.

No I/O and no logging here: each function takes a value and returns a value.
Parsers that can lose information return the problem as a `note` string (an
English code such as "digits-lost") for the caller to turn into a warning.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

# Every character of Unicode categories Zs (spaces) and Cf (format characters:
# U+200B, BOM, soft hyphen, bidi marks), as listed by unicodedata for Unicode
# 14.0; tests check the list against the running Python's unicodedata. Later
# Unicode versions may add a character, which the slow path still removes.
ZS_CF_CLASS = (
    "\u0020\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    "\u1680\u180e\u2000-\u200f\u202a-\u202f\u205f-\u2064\u2066-\u206f\u3000"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_SPACE_OR_FORMAT = re.compile(rf"[\s{ZS_CF_CLASS}]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_LINE_FIX = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|_x000D_")


def _class_ranges(codes: list[int]) -> list[str]:
    """Write sorted code points as regex class ranges ('\\uff10-\\uff19')."""
    parts = []
    start = previous = codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == previous + 1:
            previous = code
            continue
        first, last = re.escape(chr(start)), re.escape(chr(previous))
        parts.append(first if start == previous else f"{first}-{last}")
        if code is not None:
            start = previous = code
    return parts


# Full-width digits, Latin letters and the ASCII symbols that IMEs produce in
# codes and numbers. Chinese punctuation （），：；！？ is left alone in display text
# because it is the correct form in Chinese prose; match_key folds it.
_WIDTH_TABLE = {
    code: code - 0xFEE0
    for code in range(0xFF01, 0xFF5F)
    if chr(code) not in "（），：；！？＂＇"
}
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD], None
)
_SPACE_LIKE = {0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " "}
_DISPLAY_TABLE = {**_WIDTH_TABLE, **_INVISIBLE, **_SPACE_LIKE, 0x09: " "}
_DISPLAY_FIX = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(_DISPLAY_TABLE)) + "]"
)
_DISPLAY_REPLACEMENT = {
    chr(code): value or "" for code, value in _DISPLAY_TABLE.items()
}
for _code, _value in _WIDTH_TABLE.items():
    _DISPLAY_REPLACEMENT[chr(_code)] = chr(_value)
_SPACE_RUN = re.compile(r" {2,}")
# The full-width forms that clean_name and clean_prose fold. Together with
# the `_x000D_` escape and runs of spaces, they are all that the two change in
# a printable text. Every other character they change (control characters,
# line breaks, tabs, U+3000, NBSP, U+200B, BOM) is not printable, so
# `str.isprintable` finds it faster. The class is written as ranges, which
# sre scans several times faster than a list of single characters.
FOLDED_CLASS = "".join(_class_ranges(sorted(_WIDTH_TABLE)))
_FOLDED = re.compile(f"[{FOLDED_CLASS}]")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def is_blank(value) -> bool:
    """Return True for None, NaN, and text that holds only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not remove_spaces(value)


def remove_spaces(text: str) -> str:
    """Remove every Unicode space and format character (Zs, Cf, U+3000, U+200B, BOM)."""
    text = _SPACE_OR_FORMAT.sub("", text)
    if not _NON_ASCII.search(text) or unicodedata.unidata_version == "14.0.0":
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Zs", "Cf"))


def match_key(text: str | None) -> str:
    """Return the comparison form of a name or code: NFKC, casefold, no spaces.

    This is the RapidFuzz `processor` role: 'ＡＢＳ防抱死' and 'abs防抱死' give the
    same key. Use it for comparison only, never for display.
    """
    if text is None:
        return ""
    text = str(text)
    if text.isascii():
        # NFKC leaves ASCII alone, and its only spaces are what split() removes.
        return "".join(text.lower().split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return remove_spaces(folded)


def clean_line_breaks(text: str) -> str:
    """Turn `_x000D_`, CRLF and CR into '\\n' and drop other control characters."""
    if not _NEEDS_LINE_FIX.search(text):
        return text
    text = text.replace("_x000D_\n", "\n").replace("_x000D_", "\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def fold_width(text: str) -> str:
    """Fold full-width digits, Latin letters and ASCII symbols to half width.

    Invisible characters (U+200B, BOM, soft hyphen) are dropped and U+3000, NBSP
    and tabs become plain spaces. Chinese punctuation such as （） and ， is kept.
    """
    return _DISPLAY_FIX.sub(_replace_display, text)


def _replace_display(match: re.Match) -> str:
    return _DISPLAY_REPLACEMENT[match.group()]


def clean_name(value) -> str | None:
    """Return the display form of a name or short label, or None when blank.

    Line breaks and space runs become one space; spaces next to a Chinese
    character are removed ('长春德茂\u3000有限公司' → '长春德茂有限公司') while
    'Changchun Institute' keeps its space.
    """
    if value is None:
        return None
    text = str(value)
    if is_clean_text(text) and " " not in text:
        return text or None
    return clean_name_text(text)


def clean_name_text(text: str) -> str | None:
    """Clean a name the long way; `clean_name` skips this for clean text."""
    text = fold_width(clean_line_breaks(text)).replace("\n", " ")
    text = _SPACE_RUN.sub(" ", text).strip()
    if " " in text:
        text = _SPACE_NEXT_TO_CJK.sub("", text)
    return text or None


def is_clean_text(text: str) -> bool:
    """Return True when `clean_prose` returns `text` unchanged.

    `clean_name` also returns it unchanged when, in addition, it contains no
    space.
    """
    if not text.isprintable() or text[:1] == " " or text[-1:] == " ":
        return False
    if "  " in text or "_x000D_" in text:
        return False
    return _FOLDED.search(text) is None


def clean_prose(value) -> str | None:
    """Return the display form of a description, or None when blank.

    Line breaks are kept as '\\n'. Each line loses its leading and trailing
    spaces, which removes the full-width indentation of Chinese paragraphs.
    Inner space runs become one space, and runs of empty lines become one.
    """
    if value is None:
        return None
    text = str(value)
    if is_clean_text(text):
        return text or None
    return clean_prose_text(text)


def clean_prose_text(text: str) -> str | None:
    """Clean a description the long way; `clean_prose` skips this for clean text."""
    text = fold_width(clean_line_breaks(text))
    if "\n" not in text:
        text = _SPACE_RUN.sub(" ", text).strip()
        return text or None
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    text = "\n".join(kept).strip("\n")
    return text or None


# Numbers and identifiers

_FLOAT_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def number_to_text(value: float | int) -> str:
    """Write a number the way a person typed it: 14000.0 → '14000', 12.5 → '12.5'."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def identifier_text(value) -> tuple[str | None, str | None]:
    """Return (text, note) for a code typed as a number or as scientific text.

    13800000001.0 → '13800000001'; '13800000004.0' → '13800000004';
    '1.3800000005E+10' → '13800000005' with note 'scientific'. A number of 16
    digits or more cannot be exact in Excel: it comes back in scientific form,
    for example '2.02401150000012E+17', with note 'precision-lost', so that it is
    never stored as if it were the real code. Scientific text that represents
    such a number is kept as typed, and flagged only when it looks like a cut number.
    """
    if value is None:
        return None, None
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _number_identifier(float(value))
    text = str(value)
    # Printable ASCII without spaces has nothing to fold or remove.
    if not (text.isascii() and text.isprintable()) or " " in text:
        text = remove_spaces(fold_width(text))
    if not text:
        return None, None
    match = _FLOAT_TEXT.match(text)
    if match is None:
        return text, None
    if match.group(2):
        number, note = _number_identifier(float(text), scientific=True)
        if note != "precision-lost":
            return number, note
        # A number too long to be exact is kept as typed. Excel writes a number
        # it cut with at most 15 significant digits ('2.02401150000012E+17'), so
        # only such text is flagged; '2024011500000123E+2' was typed as text.
        digits = match.group(1).replace(".", "").lstrip("0")
        return text, note if len(digits) <= 15 else None
    if text.endswith(".0") or text.endswith("."):
        return text.split(".")[0], None
    return text, None


def _number_identifier(value: float, scientific: bool = False):
    if not math.isfinite(value) or value != int(value):
        return number_to_text(value), None
    digits = len(str(abs(int(value))))
    if digits > 15:
        return f"{value:.15G}".replace("E+", "E+"), "precision-lost"
    if scientific:
        return str(int(value)), "scientific"
    return str(int(value)), None


def apply_zero_format(value: float, number_format: str | None) -> str | None:
    """Return the text a zero-padded number format shows: 14000 with '000000'.

    Only formats made of zeros (and '#') are applied, because those are what
    staff use to keep the leading zero of postcodes and area codes.
    """
    if not number_format or value != int(value) or value < 0:
        return None
    if value >= 1e15:
        # Excel keeps 15 significant digits, so such a number may have been
        # cut. It stays a number, for identifier_text to flag.
        return None
    fmt = number_format.strip('"')
    if not fmt or set(fmt) - {"0", "#"}:
        return None
    width = fmt.count("0")
    return str(int(value)).zfill(width)


# Phones

_PHONE_SPLIT = re.compile(r"[;；,，、/\n|]+|\s{2,}")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
"""A mainland mobile number of 11 digits."""
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_CONTACT_PART = re.compile(
    r"^(?P<name>[^\d+（(:：]{1,12}?)?\s*[:：]?\s*(?P<number>[+\d（(][\d\s\-（）()+.Ee转]*)$"
)


@dataclass
class Phone:
    """One phone number found in a cell, with the contact it belongs to."""

    number: str
    contact: str | None = None
    note: str | None = None


def parse_phones(value) -> list[Phone]:
    """Split a phone cell into numbers, each normalised and with its contact.

    Accepts numbers typed as numbers (13800000001.0), '139 0000 0003',
    '138-0000-0011', full-width digits, '+86', '(0432)62000000' (→
    '0432-62000000'), scientific text ('1.3800000005E+10', note 'scientific':
    digits may have been lost) and cells with several contacts such as
    '联系人A：13800000021\\n联系人B：13800000022'. A part that is not a phone
    number is kept as written with note 'invalid'.
    """
    if value is None:
        return []
    if isinstance(value, float | int) and not isinstance(value, bool):
        text, note = identifier_text(value)
        return [_normalise_number(text, note)] if text else []
    text = fold_width(clean_line_breaks(str(value))).strip()
    phones = []
    for part in _PHONE_SPLIT.split(text):
        part = part.strip()
        if part:
            phones.append(_parse_phone_part(part))
    return phones


def _parse_phone_part(part: str) -> Phone:
    match = _CONTACT_PART.match(part)
    if match is None:
        return Phone(part, None, "invalid")
    contact = (match.group("name") or "").strip() or None
    raw = match.group("number").strip()
    note = None
    if re.search(r"[eE]", raw):
        raw, note = identifier_text(raw)
    phone = _normalise_number(raw, note)
    phone.contact = contact
    return phone


def _normalise_number(raw: str, note: str | None) -> Phone:
    if raw.isascii() and MOBILE.match(raw):
        return Phone(raw, None, note)
    text = raw.replace("（", "(").replace("）", ")")
    extension = ""
    if "转" in text:
        text, extension = text.split("转", 1)
        extension = "-" + re.sub(r"\D", "", extension)
    area = re.match(r"^\((0\d{2,3})\)", text)
    if area:
        text = area.group(1) + "-" + text[area.end() :]
    text = re.sub(r"[\s.]", "", text)
    if text.endswith("0") and raw.endswith(".0"):
        text = text[:-1]
    text = re.sub(r"^(\+?86|0086)(?=1[3-9]\d{9}$)", "", text.replace("+86-", "+86"))
    digits = text.replace("-", "")
    if MOBILE.match(digits):
        return Phone(digits, None, note)
    if _LANDLINE.match(text) or _LANDLINE.match(text + extension):
        if "-" not in text and len(digits) >= 11:
            text = _split_area_code(digits)
        return Phone(text + extension, None, note)
    return Phone(raw, None, note or "invalid")


def _split_area_code(digits: str) -> str:
    three_digit = digits.startswith("010") or digits.startswith("02")
    cut = 3 if three_digit else 4
    return digits[:cut] + "-" + digits[cut:]


# Credit codes (GB 32100-2015)

_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_credit_code(value) -> str | None:
    """Return a 统一社会信用代码 in half width, without spaces, in upper case."""
    if value is None:
        return None
    text, _ = identifier_text(value)
    if not text:
        return None
    return unicodedata.normalize("NFKC", text).upper()


def credit_code_is_valid(code: str | None) -> bool:
    """Check the 18-character pattern and the GB 32100-2015 check character.

    The weights are 3**i mod 31 for positions 1–17; the check character is
    charset[(31 - sum mod 31) mod 31] over the 31-character code set.
    """
    if not code or not _CREDIT_PATTERN.match(code):
        return False
    total = sum(
        _CREDIT_CHARSET.index(ch) * weight
        for ch, weight in zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARSET[(31 - total % 31) % 31] == code[17]


# Amounts

_AMOUNT = re.compile(
    r"(?P<number>[+-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|亿|千万元|千万|百万元|百万"
    r"|万元|万|千元|元)?"
)
_UNIT_TO_WAN = {
    "亿元": 10000.0,
    "亿": 10000.0,
    "千万元": 1000.0,
    "千万": 1000.0,
    "百万元": 100.0,
    "百万": 100.0,
    "万元": 1.0,
    "万": 1.0,
    "千元": 0.1,
    "元": 0.0001,
}


def parse_amount_wan(value, default_unit: str = "万元") -> float | None:
    """Return an amount in 万元, or None when the cell contains no number.

    50, '50万', '50万元' → 50; '0.5亿' → 5000; '500,000元' → 50; '5千万' → 5000;
    '200（首期）' → 200; '面议', '待定', '' → None. A bare number is read in
    `default_unit` (the unit in the column header, 万元 unless it says 元 or 亿).
    """
    if value is None or isinstance(value, bool):
        return None
    scale = _UNIT_TO_WAN.get(default_unit, 1.0)
    if isinstance(value, int | float):
        return _round_amount(float(value) * scale) if math.isfinite(value) else None
    text = fold_width(str(value)).replace("，", ",")
    match = _AMOUNT.search(remove_spaces(text))
    if match is None:
        return None
    number = float(match.group("number").replace(",", ""))
    unit = match.group("unit")
    if unit:
        return _round_amount(number * _UNIT_TO_WAN[unit])
    return _round_amount(number * scale)


def _round_amount(amount: float) -> float:
    return round(amount, 6)


def parse_number(value) -> float | None:
    """Return a plain number from a cell ('1,200.5', '12%' → 12.0), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = remove_spaces(fold_width(str(value))).replace(",", "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def parse_int(value) -> int | None:
    """Return the first whole number in a cell ('3人' → 3, '2-3名' → 2), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        whole = math.isfinite(value) and value == int(value)
        number = int(value) if whole else None
    else:
        match = re.search(r"\d+", fold_width(str(value)))
        number = int(match.group()) if match else None
    # SQLite stores integers of at most 64 bits.
    return number if number is not None and abs(number) < 2**63 else None


# Dates

_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SERIAL = (date(1950, 1, 1) - _EXCEL_EPOCH).days
_FIRST_YEAR, _LAST_YEAR = 1900, 2200
_OPEN_END = ("至今", "今", "现在", "长期", "长期有效")
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})(?!\d)"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    re.compile(r"(?P<y>\d{4})\s*年"),
    re.compile(r"^(?P<y>(?:19|2[0-2])\d{2})$"),
]
_DAY_FIRST = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})$")


@dataclass
class ParsedDate:
    """A date read from a cell: ISO text at the precision given, and a note."""

    value: str | None
    note: str | None = None
    open_end: bool = False


def parse_date(value) -> ParsedDate:
    """Read a date from a datetime, an Excel serial number or text.

    '2022.3' and '2022年3月' → '2022-03'; '2022/3/15' → '2022-03-15'; a range
    such as '2022.3-至今' gives its end, so 至今 is an open end (value None,
    open_end True). '03/04/2022' could be either order: note 'ambiguous'.
    """
    if value is None or isinstance(value, bool):
        return ParsedDate(None)
    if isinstance(value, datetime):
        return ParsedDate(value.date().isoformat())
    if isinstance(value, date):
        return ParsedDate(value.isoformat())
    if isinstance(value, int | float):
        return _serial_date(float(value))
    text = remove_spaces(fold_width(str(value)))
    if not text:
        return ParsedDate(None)
    ends = re.split(r"至|~|～|—|--|(?<=\d)-(?=\d{4})", text)
    last = ends[-1]
    if last in _OPEN_END or any(last.startswith(word) for word in _OPEN_END):
        return ParsedDate(None, None, open_end=True)
    return _text_date(last if len(ends) > 1 else text)


def _serial_date(serial: float) -> ParsedDate:
    # Excel turns what staff type as 2025, 2022.3 or 20250630 into a number.
    # Read such a number as the text typed (as a CSV cell would be): as a
    # serial it would be a day in 1905.
    if _FIRST_YEAR <= serial < _LAST_YEAR + 1 or 19000101 <= serial <= 22001231:
        text = number_to_text(serial)
        parsed = _text_date(text)
        if parsed.value and text.endswith(".1"):
            # 2025.10 typed into Excel is the number 2025.1: October or January.
            parsed.note = "month-cut"
        return parsed
    # Serials before 1950 are not dates in these rosters (a 1 or a 60 is a
    # number typed in the wrong column).
    if _FIRST_SERIAL <= serial < 100000:
        day = _EXCEL_EPOCH.toordinal() + int(serial)
        return ParsedDate(date.fromordinal(day).isoformat())
    return ParsedDate(None, "invalid")


def _text_date(text: str) -> ParsedDate:
    day_first = _DAY_FIRST.match(text)
    if day_first:
        a, b = int(day_first["a"]), int(day_first["b"])
        note = "ambiguous" if a <= 12 and b <= 12 and a != b else None
        month, day = (a, b) if a <= 12 else (b, a)
        return _checked(int(day_first["y"]), month, day, note)
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            parts = match.groupdict()
            year = int(parts["y"])
            month = int(parts["m"]) if parts.get("m") else None
            day = int(parts["d"]) if parts.get("d") else None
            return _checked(year, month, day, None)
    return ParsedDate(None, "invalid")


def _checked(year: int, month: int | None, day: int | None, note) -> ParsedDate:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return ParsedDate(None, "invalid")
    try:
        if day is not None and month is not None:
            return ParsedDate(date(year, month, day).isoformat(), note)
    except ValueError:
        return ParsedDate(None, "invalid")
    if month is not None:
        if not 1 <= month <= 12:
            return ParsedDate(None, "invalid")
        return ParsedDate(f"{year:04d}-{month:02d}", note)
    return ParsedDate(f"{year:04d}", note)


def parse_bool(value) -> bool | None:
    """Return True for 是/√/Y/1, False for 否/×/N/0, None otherwise.

    Numbers, and text that is a number ('1.0', '2'), are true unless zero, so
    that a CSV cell reads as the same cell typed in Excel does.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    key = match_key(value)
    if key in ("是", "√", "✓", "y", "yes", "true", "1", "有", "对"):
        return True
    if key in ("否", "×", "✗", "n", "no", "false", "0", "无", "不是"):
        return False
    if _FLOAT_TEXT.match(key):
        return float(key) != 0
    return None
