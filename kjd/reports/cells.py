"""Safe cell text, display widths of Chinese text and worksheet names.

Pure functions shared by every workbook kjd writes: no I/O, no xlsx library.
"""

import math
import re

EXCEL_CELL_LIMIT = 32767
"""Maximum length of a cell's text, counted in UTF-16 code units (Excel and WPS)."""

SHEET_NAME_LIMIT = 31
TRUNCATION_MARKER = "……【已截断：原文共 {length} 字，超出单元格上限】"

# Characters that start a formula in Excel, WPS or LibreOffice when typed or
# imported from CSV. In xlsx written by kjd they stay plain strings; CSV output
# puts an apostrophe before them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Control characters other than tab and line feed: Excel cannot show them and
# XlsxWriter would store them as _xHHHH_ escapes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_ENDINGS = re.compile(r"\r\n?|_x000D_\n?")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# Characters drawn about two digit-widths wide in a CJK font such as 宋体. These
# are the East Asian Wide and Fullwidth ranges of Unicode (CJK ideographs, kana,
# hangul, full-width forms such as （）：，。、《》). Some punctuation of
# "ambiguous" width is also drawn full-width by CJK fonts (— … · “ ” ‘ ’ ℃ ※).
_WIDE = re.compile(
    "["
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6\u2014\u2026\u00b7\u201c\u201d\u2018\u2019\u2103\u203b"
    "\U00020000-\U0003fffd"
    "]"
)


def clean_text(text: str) -> str:
    """Return `text` with line endings as '\\n' and control characters removed.

    Tab and line feed are kept: a tab is visible text in a cell, and a line feed is
    a line break in a wrapped cell.
    """
    if text.isprintable() and "_x" not in text:
        return text
    text = _LINE_ENDINGS.sub("\n", text)
    return _CONTROL.sub("", text)


def utf16_length(text: str) -> int:
    """Return the length Excel counts: characters outside the BMP count twice."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def fit_cell_limit(text: str) -> tuple[str, bool]:
    """Cut `text` to the cell limit with a visible marker.

    Returns the text to write and whether it was cut. The cut text, marker
    included, is at most EXCEL_CELL_LIMIT UTF-16 code units long.
    """
    if len(text) <= EXCEL_CELL_LIMIT // 2 or utf16_length(text) <= EXCEL_CELL_LIMIT:
        return text, False
    marker = TRUNCATION_MARKER.format(length=len(text))
    budget = EXCEL_CELL_LIMIT - utf16_length(marker)
    kept = text[:budget]
    excess = utf16_length(kept) - budget
    while excess > 0:
        # A character is one or two code units, so each pass shortens the text and
        # the result is at most a few characters shorter than the budget allows.
        kept = kept[: len(kept) - max(excess // 2, 1)]
        excess = utf16_length(kept) - budget
    return kept + marker, True


def starts_like_formula(text: str) -> bool:
    """Return True when a spreadsheet would read `text` as a formula if typed in."""
    return text.startswith(FORMULA_PREFIXES)


def csv_safe(text: str) -> str:
    """Return `text` with a leading apostrophe when a spreadsheet would run it.

    '=1+1' becomes "'=1+1", so Excel and WPS show a CSV cell as text.
    """
    return "'" + text if starts_like_formula(text) else text


def display_width(text: str) -> int:
    """Estimate the width of one line of `text` in Excel column-width units.

    A column-width unit is the width of the digit 0 in the default font. CJK fonts
    such as 宋体 draw every character that GBK stores in two bytes (hanzi,
    full-width punctuation, — … · ℃) two units wide and ASCII one unit wide, so
    the GBK byte length is the width. Characters outside GBK count two units when
    they are East Asian Wide or Fullwidth (rare hanzi, hangul, emoji), else one.
    """
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("gbk"))
    except UnicodeEncodeError:
        return sum(_character_width(character) for character in text)


def _character_width(character: str) -> int:
    try:
        return len(character.encode("gbk"))
    except UnicodeEncodeError:
        return 2 if _WIDE.match(character) else 1


def line_count(text: str, width: float) -> int:
    """Estimate how many lines `text` takes when wrapped in a column `width` wide."""
    usable = max(width - 1.0, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        lines += max(1, math.ceil(display_width(paragraph) / usable))
    return lines


def clean_sheet_name(name: str, taken: set[str] | None = None) -> str:
    """Return a worksheet name Excel accepts, unique among `taken`.

    The characters [ ] : * ? / \\ become '_', leading and trailing apostrophes and
    spaces are removed, the name is cut to 31 characters, and a name already in
    `taken` (compared without case, as Excel does) gets a suffix (2), (3)…
    The returned name is added to `taken`.
    """
    taken = taken if taken is not None else set()
    base = _SHEET_NAME_FORBIDDEN.sub("_", clean_text(str(name))).replace("\n", " ")
    base = base.strip(" '") or "Sheet"
    if base.casefold() == "history":
        base = f"{base}_"
    base = base[:SHEET_NAME_LIMIT]
    candidate = base
    number = 2
    used = {existing.casefold() for existing in taken}
    while candidate.casefold() in used:
        suffix = f"({number})"
        candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    taken.add(candidate)
    return candidate
