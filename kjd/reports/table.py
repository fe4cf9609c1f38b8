"""A table made ready for a worksheet: safe values, column widths, row heights.

Work is done column by column and once per distinct text, because a docket
repeats the same enterprise, demand and institute on many rows.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat

from kjd.reports.cells import (
    EXCEL_CELL_LIMIT,
    clean_text,
    display_width,
    fit_cell_limit,
)

logger = logging.getLogger(__name__)

# Column widths add up to at most this many width units; wider tables have their
# wrapped columns narrowed. Fit-to-width then prints at about 85 % or more on
# landscape A4, where 10 pt text stays readable.
PAGE_WIDTH_BUDGET = 160
MIN_WIDTH = 6
SHRINK_FLOOR = 10
HEADER_WIDTH_CAP = 12  # a longer header wraps instead of widening its column
PLAIN_TYPES = (bool, int, float, date, datetime)  # values written as they are
TEXT_TYPES = {str, type(None)}
# Text up to this length cannot exceed the cell limit of 32,767 UTF-16 units.
CUT_CHECK_LENGTH = EXCEL_CELL_LIMIT // 2


@dataclass
class PreparedTable:
    """The cells of one sheet, column by column, with widths and line counts.

    `values[c][r]` is the cleaned value of column c in row r; `lines[r]` is the
    number of text lines of the tallest wrapped cell of row r; `groups[r]` is the
    row's group label, or None without groups.
    """

    values: list[list]
    widths: list[float]
    lines: list[int]
    groups: list | None
    warnings: list[str] = field(default_factory=list)


def prepare_table(
    sheet_name: str,
    columns: Sequence,
    raw_columns: list[list],
    groups: list | None = None,
) -> PreparedTable:
    """Clean every cell and measure the columns and rows.

    `raw_columns[c][r]` is the value of column c in row r; `groups` the group
    label of each row, or None. Text is cleaned of control characters and cut
    to the cell limit with a warning (`cells.fit_cell_limit`). Widths come from
    the widest line of each column (a CJK character counts two units), between
    MIN_WIDTH and the column's `max_width`, then narrowed to PAGE_WIDTH_BUDGET.
    """
    warnings: list[str] = []
    values = []
    text_widths = []
    for column, raw in zip(columns, raw_columns, strict=True):
        raw = _as_plain(raw)
        measured, cleaned = _prepare_texts(sheet_name, column, raw, warnings)
        values.append(list(map(cleaned.get, raw, raw)) if cleaned else raw)
        text_widths.append(measured)
    widths = _fit_page(_column_widths(columns, values, text_widths), columns)
    row_count = len(raw_columns[0]) if raw_columns else 0
    lines = _row_lines(columns, values, text_widths, widths, row_count)
    if groups is not None:
        labels = {label: _clean_label(label) for label in set(groups)}
        groups = list(map(labels.get, groups))
    return PreparedTable(values, widths, lines, groups, warnings)


def line_total(paragraph_widths: Sequence[int], width: float) -> int:
    """Return the lines that paragraphs of these display widths take when wrapped."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(size / usable)) for size in paragraph_widths)


def _as_plain(raw: list) -> list:
    # Values that are neither text nor a number or date are written as text.
    types = set(map(type, raw))
    if all(_is_plain_type(kind) for kind in types):
        return raw
    return [
        v if v is None or v.__class__ is str or isinstance(v, PLAIN_TYPES) else str(v)
        for v in raw
    ]


def _is_plain_type(kind: type) -> bool:
    return kind in TEXT_TYPES or issubclass(kind, PLAIN_TYPES)


@dataclass
class _TextWidths:
    """Display widths of the distinct texts of a column, after cleaning.

    `single` maps a text of one line to its width, `multi` a text with line
    breaks to the widths of its lines.
    """

    single: dict[str, int] = field(default_factory=dict)
    multi: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def widest(self) -> int:
        widest_multi = (max(lines) for lines in self.multi.values())
        return max(max(self.single.values(), default=0), *widest_multi, 0)

    def line_counts(self, width: float) -> dict[str, int]:
        """Return {text: lines} for the texts that take more than one line."""
        usable = max(width - 1.0, 1.0)
        counts = {
            text: math.ceil(size / usable)
            for text, size in self.single.items()
            if size > usable
        }
        for text, lines in self.multi.items():
            counts[text] = line_total(lines, width)
        return counts


def _prepare_texts(
    sheet_name: str, column, raw: list, warnings: list
) -> tuple[_TextWidths, dict]:
    """Measure and clean each distinct text of a column.

    Returns the widths of the clean texts and {raw text: clean text} for the
    texts that cleaning changed.
    """
    measured = _TextWidths()
    cleaned = {}
    for text in set(raw):
        if text.__class__ is not str:
            continue
        clean = text
        if not text.isprintable() or "_x" in text or len(text) > CUT_CHECK_LENGTH:
            clean, was_cut = fit_cell_limit(clean_text(text))
            if was_cut:
                _warn_cut(sheet_name, column, raw.index(text) + 1, warnings)
            if clean != text:
                cleaned[text] = clean
        if "\n" in clean:
            lines = clean.split("\n")
            measured.multi[clean] = tuple(display_width(line) for line in lines)
            continue
        # display_width inlined: GBK bytes are the width of text GBK can store.
        try:
            measured.single[clean] = len(clean.encode("gbk"))
        except UnicodeEncodeError:
            measured.single[clean] = display_width(clean)
    return measured, cleaned


def _warn_cut(sheet_name: str, column, number: int, warnings: list) -> None:
    message = (
        f"{sheet_name} › 序号 {number} › 列“{column.header}”："
        "文本超过单元格上限 32,767 字，已截断并加了标记"
    )
    warnings.append(message)
    logger.warning("cell text cut: %s", message)


def _column_widths(columns, values: list[list], text_widths: list[dict]) -> list[float]:
    widths = []
    for column, column_values, measured in zip(
        columns, values, text_widths, strict=True
    ):
        if column.width is not None:
            widths.append(float(column.width))
            continue
        content = measured.widest()
        if not set(map(type, column_values)) <= TEXT_TYPES:
            content = max(content, _max_value_width(column_values))
        header = min(display_width(column.header), HEADER_WIDTH_CAP)
        width = min(max(content, header) + 2, column.max_width)
        widths.append(float(max(width, MIN_WIDTH)))
    return widths


def _row_lines(columns, values, text_widths, widths, row_count: int) -> list[int]:
    per_column = []
    for index, column in enumerate(columns):
        if not column.wrap:
            continue
        counts = text_widths[index].line_counts(widths[index])
        if counts:
            per_column.append(list(map(counts.get, values[index], repeat(1))))
    if not per_column:
        return [1] * row_count
    if len(per_column) == 1:
        return per_column[0]
    return list(map(max, *per_column))


def _fit_page(widths: list[float], columns: Sequence) -> list[float]:
    """Narrow the wrapped columns so the row fits PAGE_WIDTH_BUDGET."""
    excess = sum(widths) - PAGE_WIDTH_BUDGET
    shrinkable = [
        index
        for index, column in enumerate(columns)
        if column.wrap and column.width is None and widths[index] > SHRINK_FLOOR
    ]
    if excess <= 0 or not shrinkable:
        return widths
    room = sum(widths[index] - SHRINK_FLOOR for index in shrinkable)
    share = min(excess / room, 1.0)
    result = list(widths)
    for index in shrinkable:
        result[index] = round(widths[index] - (widths[index] - SHRINK_FLOOR) * share, 1)
    return result


def _max_value_width(values: list) -> int:
    """Return the widest of the values that are neither text nor None."""
    # 1 and 1.0 are one set member but are shown as "1" and "1.00".
    distinct = set(zip(map(type, values), values, strict=True))
    return max(
        (
            _value_width(value)
            for kind, value in distinct
            if kind is not str and value is not None
        ),
        default=0,
    )


def _value_width(value) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, (date, datetime)):
        return 10
    return len(f"{value:,}") if isinstance(value, int) else len(str(value))


def _clean_label(label):
    return clean_text(label) if isinstance(label, str) else label
