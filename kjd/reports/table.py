"""A table made ready for a worksheet: safe values, column widths, row heights.

Work is done column by column and once per distinct text, because a docket
repeats the same enterprise, demand and institute on many rows.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kjd.reports.cells import clean_text, display_width, fit_cell_limit

logger = logging.getLogger(__name__)

# Column widths add up to at most this many width units; wider tables have their
# wrapped columns narrowed. Fit-to-width then prints at about 85 % or more on
# landscape A4, where 10 pt text stays readable.
PAGE_WIDTH_BUDGET = 160
MIN_WIDTH = 6
SHRINK_FLOOR = 10
HEADER_WIDTH_CAP = 12  # a longer header wraps instead of widening its column
PLAIN_TYPES = (bool, int, float, date, datetime)  # values written as they are


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
        measured = _prepare_texts(sheet_name, column, raw, warnings)
        values.append([measured[v][0] if v.__class__ is str else v for v in raw])
        text_widths.append(dict(measured.values()))
    widths = _fit_page(_column_widths(columns, values, text_widths), columns)
    row_count = len(raw_columns[0]) if raw_columns else 0
    lines = _row_lines(columns, values, text_widths, widths, row_count)
    if groups is not None:
        groups = [_clean_label(label) for label in groups]
    return PreparedTable(values, widths, lines, groups, warnings)


def line_total(paragraph_widths: Sequence[int], width: float) -> int:
    """Return the lines that paragraphs of these display widths take when wrapped."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(size / usable)) for size in paragraph_widths)


def _as_plain(raw: list) -> list:
    # Values that are neither text nor a number or date are written as text.
    if all(v is None or v.__class__ is str or isinstance(v, PLAIN_TYPES) for v in raw):
        return raw
    return [
        v if v is None or v.__class__ is str or isinstance(v, PLAIN_TYPES) else str(v)
        for v in raw
    ]


def _prepare_texts(sheet_name: str, column, raw: list, warnings: list) -> dict:
    """Return {raw text: (clean text, display widths of its lines)}."""
    measured = {}
    for text in {v for v in raw if v.__class__ is str}:
        clean, was_cut = fit_cell_limit(clean_text(text))
        if was_cut:
            number = raw.index(text) + 1
            message = (
                f"{sheet_name} › 序号 {number} › 列“{column.header}”："
                "文本超过单元格上限 32,767 字，已截断并加了标记"
            )
            warnings.append(message)
            logger.warning("cell text cut: %s", message)
        measured[text] = (
            clean,
            tuple(display_width(line) for line in clean.split("\n")),
        )
    return measured


def _column_widths(columns, values: list[list], text_widths: list[dict]) -> list[float]:
    widths = []
    for column, column_values, measured in zip(
        columns, values, text_widths, strict=True
    ):
        if column.width is not None:
            widths.append(float(column.width))
            continue
        content = max((max(lines) for lines in measured.values()), default=0)
        others = (
            _value_width(v)
            for v in column_values
            if v is not None and v.__class__ is not str
        )
        content = max(content, max(others, default=0))
        header = min(display_width(column.header), HEADER_WIDTH_CAP)
        width = min(max(content, header) + 2, column.max_width)
        widths.append(float(max(width, MIN_WIDTH)))
    return widths


def _row_lines(columns, values, text_widths, widths, row_count: int) -> list[int]:
    per_column = []
    for index, column in enumerate(columns):
        if not column.wrap or not text_widths[index]:
            continue
        counts = {
            text: line_total(lines, widths[index])
            for text, lines in text_widths[index].items()
        }
        per_column.append([counts.get(v, 1) for v in values[index]])
    if not per_column:
        return [1] * row_count
    return [max(counts) for counts in zip(*per_column, strict=True)]


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


def _value_width(value) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, (date, datetime)):
        return 10
    return len(f"{value:,}") if isinstance(value, int) else len(str(value))


def _clean_label(label):
    return clean_text(label) if isinstance(label, str) else label
