"""Write the rows an import could not use to a workbook staff can fix and resend."""

import re
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from kjd.errors import OutputNotWritable
from kjd.importers.records import Reject

REASON_COLUMNS = ("行号", "列", "值", "原因")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class RejectedSheet:
    """The rejects of one sheet of one input file."""

    file_name: str
    sheet: str
    rejects: list[Reject]


def default_rejects_path(source: Path) -> Path:
    """Return the rejects workbook beside an input: 名单.xlsx → 名单_未导入.xlsx."""
    return source.with_name(f"{source.stem}_未导入.xlsx")


def write_rejects_workbook(path: Path, sheets: list[RejectedSheet]) -> Path:
    """Write one worksheet per input sheet: 行号, 列, 值, 原因, then the original cells.

    Every cell is written as a string, so text such as '=1+1' stays text and no
    formula reaches the file.

    Raises:
        OutputNotWritable: the file is open in Excel/WPS or the folder is read-only.
    """
    path = Path(path)
    try:
        workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
        bold = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        used: set[str] = set()
        for sheet in sheets:
            worksheet = workbook.add_worksheet(_sheet_name(sheet, used))
            _write_sheet(worksheet, sheet, bold, wrap)
        workbook.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise OutputNotWritable(
            f"无法写入拒收清单 {path}：{exc}。"
            "请关闭已打开的文件，或用 --rejects 指定其他位置。",
            path=str(path),
        ) from exc
    return path


def _write_sheet(worksheet, sheet: RejectedSheet, bold, wrap) -> None:
    labels: list[str] = []
    for reject in sheet.rejects:
        for label in reject.cells:
            if label not in labels:
                labels.append(label)
    headings = [*REASON_COLUMNS, *labels]
    for column, heading in enumerate(headings):
        worksheet.write_string(0, column, heading, bold)
        worksheet.set_column(column, column, 30 if column >= 3 else 10)
    for row, reject in enumerate(sheet.rejects, start=1):
        fixed = [
            str(reject.row_number),
            reject.column or "",
            reject.value or "",
            reject.reason,
        ]
        cells = [reject.cells.get(label) or "" for label in labels]
        for column, value in enumerate([*fixed, *cells]):
            worksheet.write_string(row, column, value, wrap)
    worksheet.freeze_panes(1, 0)


def _sheet_name(sheet: RejectedSheet, used: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", f"{Path(sheet.file_name).stem}-{sheet.sheet}")
    base = base[:28] or "未导入"
    name, number = base, 2
    while name.casefold() in used:
        name = f"{base[:25]}-{number}"
        number += 1
    used.add(name.casefold())
    return name
