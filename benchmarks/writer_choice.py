"""Time openpyxl and XlsxWriter on the same formatted 5,000-row Chinese workbook.

Both writers get the same cells and the same formatting (title row, header style,
wrapped body, column widths, print setup); the figures decide which one the shared
workbook layer uses. Run: PYTHONPATH=. python benchmarks/writer_choice.py
"""

import random
import statistics
import tempfile
import time
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

ROWS = 5000
COLUMNS = 12
WORDS = "铝合金压铸件气孔缺陷激光熔覆氢燃料电池双极板智能制造玉米深加工生物医药"


def make_rows(seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for number in range(1, ROWS + 1):
        cells: list = [number]
        for column in range(COLUMNS - 2):
            size = rng.randint(4, 60 if column == 3 else 16)
            cells.append("".join(rng.choice(WORDS) for _ in range(size)))
        cells.append(round(rng.uniform(40, 100), 1))
        rows.append(cells)
    return rows


def write_openpyxl(path: Path, rows: list[list]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font = Font(name="宋体", size=10)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLUMNS)
    sheet.cell(1, 1, "对接清单").font = Font(name="黑体", size=18)
    for column in range(1, COLUMNS + 1):
        cell = sheet.cell(2, column, f"列{column}")
        cell.font = Font(name="黑体", size=10, bold=True)
        cell.border = border
    for row_number, cells in enumerate(rows, start=3):
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row_number, column, value)
            cell.font = body_font
            cell.alignment = wrap
            cell.border = border
        sheet.row_dimensions[row_number].height = 27
    for column in range(1, COLUMNS + 1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = 16
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.freeze_panes = "A3"
    workbook.save(path)


def write_xlsxwriter(path: Path, rows: list[list]) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    title = workbook.add_format({"font_name": "黑体", "font_size": 18})
    header = workbook.add_format({"font_name": "黑体", "bold": True, "border": 1})
    body = workbook.add_format(
        {"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"}
    )
    body.set_border(1)
    sheet.merge_range(0, 0, 0, COLUMNS - 1, "对接清单", title)
    sheet.write_row(1, 0, [f"列{column}" for column in range(1, COLUMNS + 1)], header)
    for row_index, cells in enumerate(rows, start=2):
        sheet.write_row(row_index, 0, cells, body)
        sheet.set_row(row_index, 27)
    sheet.set_column(0, COLUMNS - 1, 16)
    sheet.repeat_rows(0, 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页 共 &N 页")
    sheet.freeze_panes(2, 0)
    workbook.close()


def median_seconds(writer, rows: list[list], folder: Path, runs: int = 3) -> float:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        writer(folder / f"{writer.__name__}-{run}.xlsx", rows)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    rows = make_rows()
    with tempfile.TemporaryDirectory() as folder:
        openpyxl_time = median_seconds(write_openpyxl, rows, Path(folder))
        xlsxwriter_time = median_seconds(write_xlsxwriter, rows, Path(folder))
    print(f"rows: {ROWS}, columns: {COLUMNS}, median of 3 runs")
    print(f"openpyxl   {openpyxl_time:.2f} s")
    print(f"xlsxwriter {xlsxwriter_time:.2f} s")
    print(f"openpyxl / xlsxwriter = {openpyxl_time / xlsxwriter_time:.1f}x")


if __name__ == "__main__":
    main()
