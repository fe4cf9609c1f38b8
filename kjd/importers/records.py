"""Turn the rows of a sheet into records, rejects and skipped rows.

Row numbers are the numbers Excel shows, the header rows included. For CSV they
count records with the header as row 1, which is the row number a spreadsheet
program shows when it opens the file.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from kjd.importers.columns import MEMO_TYPES, ValueMemo, block_of, clean_blocks
from kjd.importers.headers import Header
from kjd.importers.metadata import read_metadata
from kjd.importers.rosters import ROSTERS, Roster
from kjd.importers.values import (
    PLAIN_TEXT_TYPES,
    Cell,
    RowWarning,
    cell_text,
    converter,
    extra_kind,
    extra_value,
)
from kjd.importers.workbook import RawSheet
from kjd.importers.xlsx_meta import column_letter
from kjd.match.orgkinds import institute_kind
from kjd.normalize import clean_name, is_clean_text, match_key

_FOOTER = re.compile(
    r"^(合计|总计|小计|以下空白|以下无|以下为空|此页以下空白|注[:：\d．.、]|注释[:：]|说明[:：]"
    r"|填表说明|填报说明|填写说明|填表人|审核人|制表人|单位负责人|负责人[:：]|备注[:：])"
)
KIND_FROM_NAME = "_kind_from_name"
_FOOTER_FIRST = frozenset("合总小以此注说填审制单负备")
_END_MARKER = re.compile(r"^(以下空白|以下无|以下为空|此页以下空白)")
# A legal company name that opens a paragraph ('郑州某某科技有限公司2014年首创…')
# or follows 本公司/我公司/公司名称 names the enterprise behind a demand.
_COMPANY_IN_TEXT = re.compile(
    r"(?:^|本公司|我公司|公司名称[:：]|企业名称[:：])\s*(?:[(（]?[\d一二三四五六七八九十]+[)）、.．]\s*)?"
    r"([\u4e00-\u9fff（）()]{2,30}?(?:股份有限公司|有限责任公司|有限公司))",
    re.MULTILINE,
)


@dataclass
class Record:
    """One roster row ready to load: typed values, extra columns, warnings."""

    row_number: int
    values: dict
    extra: dict
    natural_key: str = ""
    warnings: list[RowWarning] = field(default_factory=list)
    links: list = field(default_factory=list)


@dataclass
class Reject:
    """One row that cannot be imported, with the reason in Chinese."""

    row_number: int
    column: str | None
    value: str | None
    reason: str
    cells: dict


@dataclass
class ParsedSheet:
    """A sheet read as one roster kind, before anything is written."""

    name: str
    kind: str
    header: Header
    metadata: dict
    records: list[Record] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[RowWarning] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Rows below the header up to the last filled row, skipped ones included."""
        return len(self.records) + len(self.rejects) + sum(self.skipped.values())

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + sum(len(r.warnings) for r in self.records)


def parse_sheet(sheet: RawSheet, header: Header) -> ParsedSheet:
    """Classify every row below the header and convert the data rows."""
    parsed = ParsedSheet(
        sheet.name, header.kind, header, read_metadata(sheet.rows[: header.top])
    )
    hidden_columns = _check_hidden_columns(sheet, header, parsed)
    plan = _column_plan(header, hidden_columns)
    header_keys = [match_key(label) for label in header.labels]
    first_label = next(
        ((column, label) for column, label in enumerate(header.labels) if label),
        (0, ""),
    )
    required_columns = [
        column
        for column, name in header.fields.items()
        if name in ROSTERS[header.kind].required
    ]
    _mark_clean_columns(plan, sheet.rows, header.first_data_row)
    blank_run = 0
    ended = False
    for index in range(header.first_data_row, len(sheet.rows)):
        row = sheet.rows[index]
        row_number = index + 1

        # rows that are not records
        if row.count(None) == len(row):
            blank_run += 1
            continue
        parsed.skipped["blank"] += blank_run
        blank_run = 0
        if ended:
            parsed.skipped["after-end"] += 1
            continue
        if index in sheet.hidden_rows:
            _skip_hidden(parsed, row, row_number, header)
            continue
        marker = _footer_marker(row, required_columns)
        if marker is not None:
            ended = bool(_END_MARKER.match(marker))
            parsed.skipped["footer"] += 1
            continue
        if _repeats_header(row, first_label, header_keys):
            parsed.skipped["header-repeat"] += 1
            continue

        _convert_row(parsed, header, plan, row, row_number, index)
    if plan.by_ref:
        _warn_required_column(parsed, header)
    _assign_natural_keys(parsed)
    _warn_repeated_refs(parsed)
    return parsed


def _warn_required_column(parsed: ParsedSheet, header: Header) -> None:
    # One warning for the sheet rather than one per row, so that the cell
    # warnings of single rows stay visible in the summary.
    label = ROSTERS[header.kind].required_label
    parsed.warnings.insert(
        0,
        RowWarning(
            None,
            None,
            None,
            "required-column-missing",
            f"表头中没有“{label}”列，{len(parsed.records)} 行按编号导入"
            f"（{label}留空），请核对",
        ),
    )


def _repeats_header(row: list, first_label: tuple[int, str], header_keys) -> bool:
    # Printed rosters repeat the header on every page. Compare the whole row
    # only when the first titled column contains its title.
    column, label = first_label
    value = row[column] if column < len(row) else None
    if not isinstance(value, str) or match_key(value) != match_key(label):
        return False
    return [match_key(cell_text(value)) for value in row] == header_keys[: len(row)]


def _check_hidden_columns(sheet, header, parsed) -> set[int]:
    dropped = set()
    for column in sorted(sheet.hidden_columns):
        if column in header.fields:
            label = header.labels[column]
            parsed.warnings.append(
                RowWarning(
                    None,
                    label,
                    None,
                    "hidden-column",
                    f"列 {column_letter(column)}“{label}”是隐藏列，"
                    "已按表头导入，请核对",
                )
            )
        elif column in header.extra:
            label = header.extra[column]
            dropped.add(column)
            parsed.warnings.append(
                RowWarning(
                    None,
                    label,
                    None,
                    "hidden-column-dropped",
                    f"列 {column_letter(column)}“{label}”是隐藏列，"
                    "且不属于名单字段，未导入",
                )
            )
    return dropped


def _skip_hidden(parsed, row, row_number, header) -> None:
    parsed.skipped["hidden"] += 1
    summary = "；".join(
        text for text in (clean_name(cell_text(value)) for value in row) if text
    )
    parsed.warnings.append(
        RowWarning(
            row_number,
            None,
            summary[:200],
            "hidden-row",
            f"第 {row_number} 行是隐藏行，未导入（{summary[:60]}）",
        )
    )


def _footer_marker(row: list, required_columns: list[int]) -> str | None:
    for first in row:
        if first is not None:
            break
    if not isinstance(first, str) or _cannot_open_footer(first):
        return None
    key = match_key(first)
    if not _FOOTER.match(key):
        return None
    for column in required_columns:
        value = row[column] if column < len(row) else None
        if value is not None and value != first:
            return None
    return key


def _cannot_open_footer(text: str) -> bool:
    # A cell that opens with a CJK ideograph no footer word starts with is
    # decided without its match_key: NFKC leaves those ideographs alone.
    head = text[:1]
    return "\u4e00" <= head <= "\u9fff" and head not in _FOOTER_FIRST


@dataclass
class _ColumnPlan:
    """The converters and extra columns of a sheet, worked out once per sheet."""

    roster: Roster
    typed: list["_TypedColumn"]
    extra: list[tuple[int, str, str]]
    by_ref: bool
    # The sheet's own titles of the columns a rejected row lacks.
    required_titles: str
    # The first data row, where the blocks of `_TypedColumn.clean_blocks` start.
    first_row: int = 0


class _TypedColumn:
    """One mapped column: its field, converter, and the shortcuts for its cells."""

    def __init__(self, column: int, name: str, value_type: str, label, unit):
        self.column = column
        self.name = name
        self.label = label
        self.unit = unit
        self.convert = converter(value_type)
        self.spaces_allowed = PLAIN_TEXT_TYPES.get(value_type)
        self.memo = None
        if value_type in MEMO_TYPES or value_type.startswith("vocab:"):
            self.memo = ValueMemo(name, self.convert, label, unit)
        self.clean_blocks = _NO_BLOCK_CLEAN


class _NoBlockClean:
    """Until a column is checked, none of its blocks counts as clean."""

    def __getitem__(self, block: int) -> bool:
        return False


_NO_BLOCK_CLEAN = _NoBlockClean()


def _mark_clean_columns(plan: _ColumnPlan, rows: list, first_row: int) -> None:
    plan.first_row = first_row
    for typed in plan.typed:
        if typed.spaces_allowed is not None:
            typed.clean_blocks = clean_blocks(
                rows, typed.column, first_row, typed.spaces_allowed
            )


def _column_plan(header: Header, hidden_columns: set[int]) -> _ColumnPlan:
    roster = ROSTERS[header.kind]
    typed = [
        _TypedColumn(column, name, roster.fields[name], header.labels[column],
                     header.units.get(column))
        for column, name in header.fields.items()
    ]  # fmt: skip
    extra = [
        (column, label, extra_kind(label))
        for column, label in header.extra.items()
        if column not in hidden_columns
    ]
    required = [
        header.labels[column]
        for column, name in header.fields.items()
        if name in roster.required or (header.identified_by_ref and name == "ref")
    ]
    titles = "、".join(required) or roster.required_label
    return _ColumnPlan(roster, typed, extra, header.identified_by_ref, titles)


def _convert_row(parsed, header, plan: _ColumnPlan, row, row_number, index) -> None:
    roster = plan.roster
    values: dict = {}
    warnings: list[RowWarning] = []
    cell = Cell(row_number, "", values, warnings)
    width = len(row)
    block = block_of(index, plan.first_row)

    # typed fields; clean text is stored without a converter call
    for typed in plan.typed:
        raw = row[typed.column] if typed.column < width else None
        spaces_allowed = typed.spaces_allowed
        if spaces_allowed is not None:
            if raw is None:
                values[typed.name] = None
                continue
            if type(raw) is str and (
                typed.clean_blocks[block]
                or (is_clean_text(raw) and (spaces_allowed or " " not in raw))
            ):
                values[typed.name] = raw or None
                continue
        cell.label, cell.unit = typed.label, typed.unit
        memo = typed.memo
        if memo is not None and memo.active:
            memo.apply(raw, cell)
        else:
            typed.convert(typed.name, raw, cell)

    # columns kjd does not know, kept as they were typed
    extra = values.pop("_extra", {})
    for column, label, kind in plan.extra:
        raw = row[column] if column < width else None
        if raw is not None:
            cell.label = label
            extra[label] = extra_value(label, raw, cell, kind)
    extra.update(values.pop("_extra", {}))

    reason = _missing_required(roster, plan.by_ref, values)
    if reason is not None:
        cells = original_cells(header, row)
        parsed.rejects.append(
            Reject(row_number, plan.required_titles, None, reason, cells)
        )
        return
    if plan.by_ref:
        for name, blank in roster.blank_values:
            values[name] = blank
    _complete(header.kind, values, warnings, row_number)
    parsed.records.append(Record(row_number, values, extra, warnings=warnings))


def original_cells(header: Header, row: list) -> dict:
    """Return a row as {column title: text as typed}, for the rejects workbook."""
    cells = {}
    for column, label in enumerate(header.labels):
        value = row[column] if column < len(row) else None
        cells[label or f"列{column_letter(column)}"] = cell_text(value)
    return cells


def _missing_required(roster, by_ref: bool, values) -> str | None:
    # A blank cell in a required column rejects the row. Without any required
    # column, the reference identifies the row, so a blank reference does.
    if by_ref:
        if values.get("ref"):
            return None
        return f"表头中没有“{roster.required_label}”列，且编号为空"
    if any(values.get(name) for name in roster.required):
        return None
    return f"缺少必填项：{roster.required_label}"


def _complete(kind: str, values: dict, warnings: list, row_number: int) -> None:
    # Fill the values a row implies, and warn about the values it lacks.
    if kind == "demands":
        values["kind"] = "talent" if values.get("demand_type") == "人才需求" else "tech"
        if not values.get("enterprise_name"):
            _enterprise_from_text(values, warnings, row_number)
    elif kind == "experts":
        if values.get("is_academician") is None:
            values["is_academician"] = int("院士" in (values.get("title") or ""))
    elif kind == "institutes" and not values.get("kind"):
        values["kind"] = institute_kind(values.get("name"))
        # Not a column. The loader keeps a stored kind over this guess.
        values[KIND_FROM_NAME] = True


def _enterprise_from_text(values: dict, warnings: list, row_number: int) -> None:
    text = "\n".join(filter(None, [values.get("title"), values.get("description")]))
    match = _COMPANY_IN_TEXT.search(text)
    if match:
        name = match.group(1)
        values["enterprise_name"] = name
        warnings.append(
            RowWarning(
                row_number,
                None,
                name,
                "enterprise-from-text",
                f"需求单位为空，已按需求文字中的“{name}”关联企业，请核对",
            )
        )
        return
    warnings.append(
        RowWarning(
            row_number, None, None, "enterprise-missing", "需求单位为空，未关联企业"
        )
    )


def _assign_natural_keys(parsed: ParsedSheet) -> None:
    roster = ROSTERS[parsed.kind]
    seen: Counter = Counter()
    # Owners and titles repeat down a roster; each distinct one is keyed once.
    keys: dict[str, str] = {}
    for record in parsed.records:
        values = record.values
        if parsed.kind == "demands" and not values.get("title"):
            values = dict(values)
            values["title"] = (values.get("description") or "")[:60]
        base = f"{parsed.kind}:{roster.natural_key(values, keys)}"
        seen[base] += 1
        record.natural_key = base if seen[base] == 1 else f"{base}#{seen[base]}"


def _warn_repeated_refs(parsed: ParsedSheet) -> None:
    # Both rows are imported because they may be different rows numbered by
    # mistake, but the second one is flagged so that someone checks.
    first_rows: dict[str, int] = {}
    for record in parsed.records:
        ref = record.values.get("ref")
        if not ref:
            continue
        key = match_key(ref)
        first = first_rows.setdefault(key, record.row_number)
        if first == record.row_number:
            continue
        record.warnings.append(
            RowWarning(
                record.row_number,
                None,
                ref,
                "ref-repeated",
                f"第 {first} 行和第 {record.row_number} 行的编号都是“{ref}”，"
                "两行都已导入，请核对",
            )
        )


def preview_cells(header: Header, record: Record) -> dict:
    """Return a record as {column title: text to show}, after cleaning."""
    shown = {}
    for column, label in enumerate(header.labels):
        name = header.fields.get(column)
        if name is not None:
            value = record.values.get(name)
        else:
            value = record.extra.get(header.extra.get(column, ""))
        shown[label or f"列{column_letter(column)}"] = cell_text(value)
    return shown
