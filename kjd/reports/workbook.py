"""Print-ready workbooks: title block, CJK column widths, print setup, safe cells.

Every workbook kjd hands to people goes through `write_workbook` (or the one-table
shortcut `write_table_workbook`), so that all of them look alike and are safe to
open: text is always stored as text, never as a formula.

XlsxWriter writes the files. On the same formatted 5,000-row Chinese workbook it
took 0.56 s against openpyxl's 1.72 s (benchmarks/writer_choice.py, 2 shared
cores); openpyxl stays the reader used by the tests.
"""

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_rowcol_to_cell

from kjd.errors import OutputNotWritable
from kjd.reports.cells import (
    clean_sheet_name,
    clean_text,
    display_width,
    line_count,
)
from kjd.reports.output import atomic_output
from kjd.reports.table import PreparedTable, prepare_table

logger = logging.getLogger(__name__)

TITLE_FONT = "黑体"
BODY_FONT = "宋体"
TITLE_SIZE = 18
BODY_SIZE = 10
HEADER_FILL = "#DDEBF7"
GROUP_FILL = "#F2F2F2"
LINE_HEIGHT = 13.5  # points per line of 10 pt 宋体 (estimate, checked by rendering)
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
FOOTER = "&C第 &P 页 共 &N 页"
PAPER_A4 = 9
# Landscape A4 (842 × 595 pt) inside the margins set in _set_print_setup.
PRINTABLE_WIDTH_POINTS = 842 - 2 * 0.4 * 72
PRINTABLE_HEIGHT_POINTS = 595 - (0.5 + 0.6) * 72
DEFAULT_ROW_POINTS = 15
CHART_HEIGHT_PIXELS = 340
CHART_HEIGHT_POINTS = CHART_HEIGHT_PIXELS * 0.75
CHART_ROWS = 19  # rows of 15 pt below one chart, before the next one

SUBTITLE_MIN_WIDTH = 40  # narrower than this, the 制表日期 shares the subtitle cell

NUMBER_FORMATS = {
    "text": None,
    "general": None,
    "integer": "0",
    "count": "#,##0",
    "number": "0.0",
    "score": "0",
    "amount": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
DEFAULT_ALIGN = {"text": "left", "date": "center", "integer": "center"}
LIST_SOURCE_LIMIT = 255  # characters Excel allows in an inline drop-down list
LIST_SHEET = "下拉选项"
CHINESE_DIGITS = "零一二三四五六七八九"

NUMBER_COLUMN_KEY = "number"


@dataclass(frozen=True)
class Column:
    """One column of a table: its key in the rows, its header and how it looks.

    `kind` is one of NUMBER_FORMATS. `width` fixes the width in Excel units; when
    None the width is estimated from the header and the content (a CJK character
    counts two units), between table.MIN_WIDTH and `max_width`.
    """

    key: str
    header: str
    kind: str = "text"
    width: float | None = None
    max_width: float = 40
    wrap: bool = True
    align: str | None = None


NUMBER_COLUMN = Column(NUMBER_COLUMN_KEY, "序号", kind="integer", width=6, wrap=False)


@dataclass(frozen=True)
class Chart:
    """A native Excel chart over columns of a sheet's rows (totals excluded).

    `kind` is "bar" (horizontal bars) or "column". `reverse` lists the categories
    top-down in a bar chart, as a funnel reads.
    """

    kind: str
    title: str
    category_key: str
    value_keys: tuple[str, ...]
    reverse: bool = False


@dataclass
class SheetSpec:
    """A worksheet: a title block and one table, with optional groups and charts.

    `rows` are mappings keyed by `Column.key` or sequences in column order. With
    `group_by`, rows are gathered by that value (in order of first appearance) and
    each group gets a heading row; the group is then not a column of the sheet, but
    it is one in plain CSV/JSON/Markdown output. `totals` names the columns summed
    in a 合计 row. `validations` maps a column key to its drop-down options.
    """

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Any]
    subtitle: Sequence[tuple[str, str]] = ()
    key: str = ""
    group_by: Column | None = None
    numbered: bool = True
    totals: Sequence[str] = ()
    validations: Mapping[str, Sequence[str]] = field(default_factory=dict)
    charts: Sequence[Chart] = ()
    notes: Sequence[str] = ()

    def table_columns(self) -> list[Column]:
        """Return the columns as written to the worksheet, 序号 first if numbered."""
        return ([NUMBER_COLUMN] if self.numbered else []) + list(self.columns)

    def row_dicts(self) -> list[dict]:
        """Return the rows as dicts keyed by column key, 序号 filled in, groups kept."""
        keys = [column.key for column in self.columns]
        if self.group_by is not None:
            keys.append(self.group_by.key)
        result = []
        for number, row in enumerate(self.ordered_rows(), start=1):
            record = {NUMBER_COLUMN_KEY: number} if self.numbered else {}
            record.update({key: row.get(key) for key in keys})
            result.append(record)
        return result

    def ordered_rows(self) -> list[Mapping]:
        """Return the rows as mappings, gathered by group in order of appearance."""
        rows = [_row_mapping(row, self.columns, self.group_by) for row in self.rows]
        if self.group_by is None:
            return rows
        groups: dict[Any, list] = {}
        for row in rows:
            groups.setdefault(row.get(self.group_by.key), []).append(row)
        return [row for members in groups.values() for row in members]


@dataclass
class WorkbookResult:
    """The written file, the data rows of each worksheet, and warnings for staff."""

    path: Path
    sheets: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "sheets": dict(self.sheets),
            "warnings": list(self.warnings),
        }


def write_workbook(
    path: Path, sheets: Sequence[SheetSpec], *, force: bool = False
) -> WorkbookResult:
    """Write `sheets` to an xlsx file at `path`, print-ready and formula-free.

    Every text cell is written as a string, so imported text such as
    '=HYPERLINK(…)' is shown, never executed. Control characters are removed and
    text longer than a cell's limit is cut with a visible marker and a warning.
    Worksheet names are cleaned of [ ] : * ? / \\, cut to 31 characters and made
    unique.

    Args:
        path: the xlsx file to write; its folder is created when missing.
        sheets: the worksheets, in order.
        force: overwrite an existing file.

    Returns:
        A WorkbookResult with the path, the data rows of each sheet (by final
        sheet name) and the warnings.

    Raises:
        OutputExists: the file exists and `force` is False.
        OutputNotWritable: the file is locked or the folder cannot be written.
    """
    path = Path(path)
    result = WorkbookResult(path=path, sheets={})
    with atomic_output(path, force=force) as temporary:
        workbook = _new_workbook(temporary)
        styles = _Styles(workbook)
        taken: set[str] = set()
        for spec in sheets:
            name = clean_sheet_name(spec.name, taken)
            writer = _SheetWriter(workbook, styles, name, spec, taken)
            result.sheets[name] = writer.write()
            result.warnings.extend(writer.warnings)
        _close(workbook, path)
    return result


def write_table_workbook(
    path: Path,
    title: str,
    subtitle: str | Mapping[str, str] | Sequence[tuple[str, str]],
    columns: Sequence[Column | str],
    rows: Sequence[Any],
    *,
    sheet_name: str | None = None,
    validations: Mapping[str, Sequence[str]] | None = None,
    notes: Sequence[str] = (),
    numbered: bool = True,
    force: bool = False,
) -> WorkbookResult:
    """Write one table as a print-ready workbook with a single worksheet.

    A shortcut over `write_workbook` for review and reject sheets.

    Args:
        path: the xlsx file to write.
        title: the merged title row, e.g. "匹配结果审核表".
        subtitle: the line under the title: plain text, or label → value pairs
            such as {"活动名称": "…", "主办单位": "…"}. 制表日期 is added at the
            right unless given.
        columns: Column objects, or header strings (then the header is also the
            key of the row mappings).
        rows: mappings keyed by column key, or sequences in column order.
        sheet_name: the worksheet name (cleaned); defaults to the title.
        validations: column key → drop-down options, e.g.
            {"decision": ["同意", "不同意", "待定"]}.
        notes: lines printed under the table (说明, 填表人：…).
        numbered: add a 序号 column.
        force: overwrite an existing file.

    Returns and raises as `write_workbook`.
    """
    spec = SheetSpec(
        name=sheet_name or title,
        title=title,
        columns=[_as_column(column) for column in columns],
        rows=rows,
        subtitle=_subtitle_pairs(subtitle),
        numbered=numbered,
        validations=dict(validations or {}),
        notes=notes,
    )
    return write_workbook(path, [spec], force=force)


def chinese_ordinal(number: int) -> str:
    """Return the Chinese numeral of a heading: 1 → 一, 12 → 十二, 105 → 一百零五."""
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (CHINESE_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return CHINESE_DIGITS[tens] + "十" + (CHINESE_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + CHINESE_DIGITS[rest]
    elif rest < 20:
        tail = "一" + chinese_ordinal(rest)
    else:
        tail = chinese_ordinal(rest)
    return chinese_ordinal(hundreds) + "百" + tail


def _as_column(column: Column | str) -> Column:
    if isinstance(column, Column):
        return column
    return Column(key=column, header=column)


def _subtitle_pairs(subtitle) -> list[tuple[str, str]]:
    if not subtitle:
        return []
    if isinstance(subtitle, str):
        return [("", subtitle)]
    if isinstance(subtitle, Mapping):
        return list(subtitle.items())
    return [tuple(pair) for pair in subtitle]


def _row_mapping(row, columns: Sequence[Column], group_by: Column | None) -> Mapping:
    if isinstance(row, Mapping):
        return row
    keys = [column.key for column in columns]
    if group_by is not None:
        keys.append(group_by.key)
    return dict(zip(keys, row, strict=False))


def _new_workbook(path: Path) -> xlsxwriter.Workbook:
    # The options make write() safe as well, but kjd always calls write_string()
    # for text: these are a second line of defence.
    # NOTE: XlsxWriter keeps every cell in memory until close (shared strings),
    # so memory grows with the docket: 270 MB peak for 50,000 generated pairs
    # (benchmarks/report_bench.py data). Its constant_memory mode was not
    # faster, because it escapes every cell's text instead of each distinct
    # text once.
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"author": "kjd", "comments": "由 kjd 生成"})
    return workbook


def _close(workbook: xlsxwriter.Workbook, path: Path) -> None:
    try:
        workbook.close()
    except (OSError, XlsxWriterException) as exc:
        raise OutputNotWritable(f"无法写入 {path}：{exc}", path=str(path)) from exc


class _Styles:
    """Cell formats and the drop-down list sheet of a workbook, shared by its sheets."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self._cache: dict[tuple, Any] = {}
        self.list_sheet = None  # hidden sheet of long drop-down lists, made on demand
        self.list_columns = 0
        body = {"font_name": BODY_FONT, "font_size": BODY_SIZE, "valign": "vcenter"}
        self.title = workbook.add_format(
            {
                "font_name": TITLE_FONT,
                "font_size": TITLE_SIZE,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.subtitle = workbook.add_format({**body, "text_wrap": True})
        self.subtitle_right = workbook.add_format({**body, "align": "right"})
        self.header = workbook.add_format(
            {
                **body,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "border": 1,
                "bg_color": HEADER_FILL,
            }
        )
        self.group = workbook.add_format(
            {**body, "bold": True, "border": 1, "bg_color": GROUP_FILL}
        )
        self.note = workbook.add_format({**body, "text_wrap": True})
        self.total_label = workbook.add_format(
            {**body, "bold": True, "align": "center", "border": 1}
        )

    def cell(self, column: Column, bold: bool = False) -> Any:
        """Return the bordered body format of `column`."""
        key = (column.kind, column.wrap, column.align, bold)
        if key not in self._cache:
            properties = {
                "font_name": BODY_FONT,
                "font_size": BODY_SIZE,
                "valign": "vcenter",
                "border": 1,
                "text_wrap": column.wrap,
                "bold": bold,
                "align": column.align or DEFAULT_ALIGN.get(column.kind, "right"),
            }
            number_format = NUMBER_FORMATS.get(column.kind)
            if number_format:
                properties["num_format"] = number_format
            self._cache[key] = self.workbook.add_format(properties)
        return self._cache[key]


class _SheetWriter:
    """Writes one SheetSpec: title block, header, rows, totals, notes, print setup."""

    TITLE_ROW = 0
    SUBTITLE_ROW = 1

    def __init__(self, workbook, styles: _Styles, name: str, spec: SheetSpec, taken):
        self.workbook = workbook
        self.styles = styles
        self.name = name
        self.spec = spec
        self.taken = taken
        self.sheet = workbook.add_worksheet(name)
        self.columns = spec.table_columns()
        self.warnings: list[str] = []
        self.header_row = 2  # title, subtitle (always: it carries 制表日期), header
        self.row_heights: dict[int, float] = {}
        self.widths: list[float] = []

    def write(self) -> int:
        """Write the sheet; return the number of data rows."""
        rows = self.spec.ordered_rows()
        raw_columns = [
            list(range(1, len(rows) + 1))
            if column is NUMBER_COLUMN
            else [row.get(column.key) for row in rows]
            for column in self.columns
        ]
        group = self.spec.group_by
        groups = None if group is None else [row.get(group.key) for row in rows]
        table = prepare_table(self.name, self.columns, raw_columns, groups)
        self.warnings.extend(table.warnings)
        self.widths = table.widths
        for index, width in enumerate(table.widths):
            self.sheet.set_column(index, index, width)
        self._write_title_block(table.widths)
        self._write_header(table.widths)
        first_data = self.header_row + 1
        next_row, data_rows = self._write_body(table, first_data)
        last_data = max(next_row - 1, first_data)
        if self.spec.totals:
            next_row = self._write_totals(table, next_row, first_data, last_data)
        next_row = self._write_notes(next_row)
        self._add_validations(first_data, last_data)
        self._add_charts(data_rows, next_row)
        self._set_print_setup(last_data)
        return len(rows)

    def _write_title_block(self, widths: list[float]) -> None:
        last = len(self.columns) - 1
        title = clean_text(self.spec.title)
        self._merge(self.TITLE_ROW, 0, last, title, self.styles.title)
        self._set_height(self.TITLE_ROW, 32)
        pairs = list(self.spec.subtitle)
        if not any(label == "制表日期" for label, _ in pairs):
            pairs.append(("制表日期", _today_text()))
        dated = [value for label, value in pairs if label == "制表日期"]
        items = [
            f"{label}：{value}" if label else str(value)
            for label, value in pairs
            if label != "制表日期" and value not in (None, "")
        ]
        date_text = f"制表日期：{dated[0]}"
        left_text = clean_text("　　".join(items))
        date_columns = _columns_for(widths, display_width(date_text) + 2)
        split = len(self.columns) - date_columns
        if sum(widths[:split]) < SUBTITLE_MIN_WIDTH or not left_text:
            joined = "　　".join(part for part in (left_text, date_text) if part)
            self._merge(self.SUBTITLE_ROW, 0, last, joined, self.styles.subtitle)
            lines = line_count(joined, sum(widths))
        else:
            subtitle_format = self.styles.subtitle
            self._merge(self.SUBTITLE_ROW, 0, split - 1, left_text, subtitle_format)
            self._merge(
                self.SUBTITLE_ROW, split, last, date_text, self.styles.subtitle_right
            )
            lines = line_count(left_text, sum(widths[:split]))
        self._set_height(self.SUBTITLE_ROW, _row_height(lines, minimum=20))

    def _write_header(self, widths: list[float]) -> None:
        lines = 1
        for index, column in enumerate(self.columns):
            header = clean_text(column.header)
            self.sheet.write_string(self.header_row, index, header, self.styles.header)
            lines = max(lines, line_count(header, widths[index]))
        self._set_height(self.header_row, _row_height(lines, minimum=24))

    def _write_body(self, table: PreparedTable, first_row: int) -> tuple[int, list]:
        row_index = first_row
        data_rows = []
        group_sizes = Counter(table.groups or [])
        ordinals = {label: number for number, label in enumerate(group_sizes, 1)}
        current_group = object()
        heights = {lines: _row_height(lines, minimum=18) for lines in set(table.lines)}
        write_cells = self._row_writer()

        rows = zip(*table.values, strict=True) if table.values else []
        for offset, row_values in enumerate(rows):
            if table.groups is not None and table.groups[offset] != current_group:
                current_group = table.groups[offset]
                self._write_group_heading(
                    row_index,
                    ordinals[current_group],
                    current_group,
                    group_sizes[current_group],
                )
                row_index += 1
            write_cells(row_index, row_values)
            self._set_height(row_index, heights[table.lines[offset]])
            data_rows.append(row_index)
            row_index += 1
        return row_index, data_rows

    def _row_writer(self):
        """Return a function that writes one row of body cells in their formats."""
        formats = [self.styles.cell(column) for column in self.columns]
        write_string = self.sheet.write_string
        write_number = self.sheet.write_number
        write_value = self._write_value

        # The common cells, non-empty text and finite numbers, skip the type
        # checks of _write_value: a docket has tens of thousands of them.
        def write_cells(row: int, values) -> None:
            for index, value in enumerate(values):
                kind = value.__class__
                if kind is str and value:
                    write_string(row, index, value, formats[index])
                elif kind is int or (kind is float and math.isfinite(value)):
                    write_number(row, index, value, formats[index])
                else:
                    write_value(row, index, value, formats[index])

        return write_cells

    def _write_group_heading(self, row: int, ordinal: int, label, size: int) -> None:
        text = f"{chinese_ordinal(ordinal)}、{label or '未分类'}（{size} 条）"
        self._merge(row, 0, len(self.columns) - 1, text, self.styles.group)
        self._set_height(row, 20)

    def _write_value(self, row: int, col: int, value, cell_format) -> None:
        if isinstance(value, str) and value:
            self.sheet.write_string(row, col, value, cell_format)
        elif value is None or value == "":
            self.sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            self.sheet.write_string(row, col, "是" if value else "否", cell_format)
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                self.sheet.write_blank(row, col, None, cell_format)
            else:
                self.sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, (date, datetime)):
            self.sheet.write_datetime(row, col, value, cell_format)
        else:
            self.sheet.write_string(row, col, value, cell_format)

    def _write_totals(
        self, table: PreparedTable, row: int, first_data: int, last_data: int
    ) -> int:
        label_end = _label_span(self.columns, self.spec.totals)
        self._merge(row, 0, label_end, "合计", self.styles.total_label)
        for index, column in enumerate(self.columns):
            if index <= label_end:
                continue
            cell_format = self.styles.cell(column, bold=True)
            if column.key not in self.spec.totals:
                self.sheet.write_blank(row, index, None, cell_format)
                continue
            total = sum(
                value
                for value in table.values[index]
                if isinstance(value, (int, float)) and not isinstance(value, bool)
            )
            first = xl_rowcol_to_cell(first_data, index)
            last = xl_rowcol_to_cell(last_data, index)
            self.sheet.write_formula(
                row, index, f"=SUM({first}:{last})", cell_format, total
            )
        self._set_height(row, 20)
        return row + 1

    def _write_notes(self, row: int) -> int:
        if not self.spec.notes:
            return row
        row += 1
        last = len(self.columns) - 1
        for note in self.spec.notes:
            text = clean_text(note)
            self._merge(row, 0, last, text, self.styles.note)
            self._set_height(row, _row_height(line_count(text, 150), minimum=16))
            row += 1
        return row

    def _add_validations(self, first_row: int, last_row: int) -> None:
        for key, options in self.spec.validations.items():
            index = next(
                (i for i, column in enumerate(self.columns) if column.key == key), None
            )
            if index is None:
                raise ValueError(f"validation for unknown column {key!r}")
            options = [clean_text(str(option)) for option in options]
            self.sheet.data_validation(
                first_row,
                index,
                last_row,
                index,
                {
                    "validate": "list",
                    "source": self._list_source(key, options),
                    "error_title": "输入有误",
                    "error_message": "请从下拉列表中选择：" + "、".join(options)[:200],
                },
            )

    def _list_source(self, key: str, options: list[str]):
        inline = ",".join(options)
        if len(inline) <= LIST_SOURCE_LIMIT and not any("," in o for o in options):
            return options
        # Long lists live on a hidden sheet, one option per row.
        if self.styles.list_sheet is None:
            name = clean_sheet_name(LIST_SHEET, self.taken)
            self.styles.list_sheet = self.workbook.add_worksheet(name)
            self.styles.list_sheet.hide()
        lists = self.styles.list_sheet
        column = self.styles.list_columns
        self.styles.list_columns += 1
        for row, option in enumerate(options):
            lists.write_string(row, column, option)
        first = xl_rowcol_to_cell(0, column, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(options) - 1, column, row_abs=True, col_abs=True)
        return f"='{lists.name}'!{first}:{last}"

    def _add_charts(self, data_rows: list[int], next_row: int) -> None:
        if not self.spec.charts or not data_rows:
            return
        if self.spec.group_by is not None:
            raise ValueError("charts need contiguous rows: drop group_by")
        keys = [column.key for column in self.columns]
        anchor = next_row + 1
        breaks = []
        # The break goes one blank row above the chart: a renderer may draw the
        # chart's frame on the page before a break at its own row.
        if not self._fits_first_page(next_row, CHART_HEIGHT_POINTS):
            breaks.append(anchor - 1)
        for number, spec in enumerate(self.spec.charts):
            if number > 0:
                breaks.append(anchor - 1)
            chart = _build_chart(self.workbook, self.name, spec, keys, data_rows)
            self.sheet.insert_chart(anchor, 1, chart)
            anchor += CHART_ROWS
        # A chart cut by a page break prints in two halves, with the repeated
        # title rows drawn over the second half: start such a chart on a new page.
        if breaks:
            self.sheet.set_h_pagebreaks(breaks)

    def _fits_first_page(self, rows: int, extra_points: float) -> bool:
        # NOTE: an estimate from Excel's default row height (15 pt) and column
        # width (7 px per unit for the default 11 pt Calibri); checked by
        # rendering with LibreOffice, not with Excel.
        table_points = sum(
            self.row_heights.get(row, DEFAULT_ROW_POINTS) for row in range(rows)
        )
        width_points = sum(int(width * 7 + 5) * 0.75 for width in self.widths)
        scale = min(1.0, PRINTABLE_WIDTH_POINTS / max(width_points, 1.0))
        needed = (table_points + DEFAULT_ROW_POINTS + extra_points) * scale
        return needed <= PRINTABLE_HEIGHT_POINTS

    def _set_height(self, row: int, height: float) -> None:
        self.row_heights[row] = height
        self.sheet.set_row(row, height)

    def _set_print_setup(self, last_data: int) -> None:
        sheet = self.sheet
        last_column = len(self.columns) - 1
        sheet.set_landscape()
        sheet.set_paper(PAPER_A4)
        sheet.fit_to_pages(1, 0)
        sheet.center_horizontally()
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.set_footer(FOOTER)
        sheet.repeat_rows(self.TITLE_ROW, self.header_row)
        sheet.freeze_panes(self.header_row + 1, 0)
        sheet.autofilter(self.header_row, 0, last_data, last_column)

    def _merge(self, row: int, first: int, last: int, text: str, cell_format) -> None:
        if last > first:
            self.sheet.merge_range(row, first, row, last, "", cell_format)
        self.sheet.write_string(row, first, text, cell_format)


def _build_chart(workbook, sheet_name: str, spec: Chart, keys, data_rows) -> Any:
    chart = workbook.add_chart({"type": spec.kind})
    first, last = data_rows[0], data_rows[-1]
    category = keys.index(spec.category_key)
    for value_key in spec.value_keys:
        value_column = keys.index(value_key)
        chart.add_series(
            {
                "name": [sheet_name, first - 1, value_column],
                "categories": [sheet_name, first, category, last, category],
                "values": [sheet_name, first, value_column, last, value_column],
                "data_labels": {"value": True, "font": {"name": BODY_FONT}},
            }
        )
    chart.set_title({"name": spec.title, "name_font": {"name": TITLE_FONT, "size": 12}})
    category_axis = {"num_font": {"name": BODY_FONT}}
    if spec.kind == "bar" and spec.reverse:
        category_axis["reverse"] = True
    value_axis = {"num_font": {"name": BODY_FONT}, "major_gridlines": {"visible": True}}
    if spec.kind == "bar":
        chart.set_y_axis(category_axis)
        chart.set_x_axis(value_axis)
    else:
        chart.set_x_axis(category_axis)
        chart.set_y_axis(value_axis)
    chart.set_legend(
        {"none": True} if len(spec.value_keys) == 1 else {"position": "bottom"}
    )
    chart.set_size({"width": 760, "height": CHART_HEIGHT_PIXELS})
    return chart


def _columns_for(widths: list[float], needed: float) -> int:
    """Return how many columns, counted from the right, span `needed` units."""
    total = 0.0
    for count, width in enumerate(reversed(widths), start=1):
        total += width
        if total >= needed:
            return count
    return len(widths)


def _label_span(columns: list[Column], totals: Sequence[str]) -> int:
    first_total = next(
        (index for index, column in enumerate(columns) if column.key in totals),
        len(columns),
    )
    return max(first_total - 1, 0)


def _row_height(lines: int, minimum: float) -> float:
    return min(max(lines * LINE_HEIGHT + 4, minimum), MAX_ROW_HEIGHT)


def _today_text() -> str:
    today = date.today()
    return f"{today.year}年{today.month}月{today.day}日"
