"""The rows of a report as CSV, JSON or Markdown, for scripts and e-mail.

Every format carries the same rows and columns as the workbook: 序号 first, and
the group of a grouped sheet as a column (the workbook shows it as heading rows).

CSV cells that start with = + - @, a tab or a carriage return get a leading
apostrophe, so that Excel or WPS opening the CSV shows them as text instead of
running them as formulas. JSON and Markdown carry the text unchanged.
"""

import csv
import io
import json
import math
from collections.abc import Sequence
from datetime import date, datetime

from kjd.reports.cells import clean_text, csv_safe
from kjd.reports.workbook import Column, SheetSpec

FORMATS = ("xlsx", "csv", "json", "md")


def plain_columns(sheet: SheetSpec) -> list[Column]:
    """Return the columns of `sheet` in plain output: 序号, the group, the rest."""
    columns = sheet.table_columns()
    if sheet.group_by is None:
        return columns
    position = 1 if sheet.numbered else 0
    return columns[:position] + [sheet.group_by] + columns[position:]


def to_csv(sheet: SheetSpec) -> str:
    """Return one sheet as CSV text: a header row of the Chinese column titles."""
    columns = plain_columns(sheet)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.header for column in columns])
    for record in sheet.row_dicts():
        writer.writerow([_csv_cell(record.get(column.key)) for column in columns])
    return buffer.getvalue()


def to_json_document(
    title: str, kind: str, sheets: Sequence[SheetSpec], extra: dict | None = None
) -> dict:
    """Return the report as a JSON-ready dict: each sheet's columns and rows by key."""
    return {
        "report": kind,
        "title": title,
        **(extra or {}),
        "sheets": [
            {
                "key": sheet.key or sheet.name,
                "name": sheet.name,
                "columns": [
                    {"key": column.key, "header": column.header}
                    for column in plain_columns(sheet)
                ],
                "rows": [
                    {
                        column.key: _json_value(record.get(column.key))
                        for column in plain_columns(sheet)
                    }
                    for record in sheet.row_dicts()
                ],
            }
            for sheet in sheets
        ],
    }


def to_json(
    title: str, kind: str, sheets: Sequence[SheetSpec], extra: dict | None = None
) -> str:
    """Return the report as one JSON document (UTF-8 text, Chinese unescaped)."""
    document = to_json_document(title, kind, sheets, extra)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_markdown(title: str, sheets: Sequence[SheetSpec]) -> str:
    """Return the report as Markdown: the title, then one table per sheet."""
    parts = [f"# {_markdown_cell(title)}", ""]
    for sheet in sheets:
        columns = plain_columns(sheet)
        parts.append(f"## {_markdown_cell(sheet.name)}")
        parts.append("")
        parts.append(
            "| " + " | ".join(_markdown_cell(c.header) for c in columns) + " |"
        )
        parts.append("|" + "|".join(_markdown_rule(c) for c in columns) + "|")
        for record in sheet.row_dicts():
            cells = [
                _markdown_cell(_display_value(record.get(column.key), column))
                for column in columns
            ]
            parts.append("| " + " | ".join(cells) + " |")
        parts.append("")
    return "\n".join(parts)


def _csv_cell(value) -> str:
    text = _plain_text(value)
    return csv_safe(text) if isinstance(value, str) else text


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def _plain_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return clean_text(str(value))


def _markdown_cell(value) -> str:
    text = _plain_text(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _display_value(value, column: Column):
    if column.kind == "percent" and isinstance(value, (int, float)):
        return f"{value:.1%}"
    if column.kind == "amount" and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    return value


def _markdown_rule(column: Column) -> str:
    return "---" if column.kind == "text" else "---:"
