"""The shared workbook layer: print setup, safe cells, widths, drop-downs, charts."""

import csv
import re
import zipfile

import openpyxl
import pytest

from kjd.errors import OutputExists, OutputNotWritable
from kjd.reports.workbook import (
    Chart,
    Column,
    SheetSpec,
    chinese_ordinal,
    write_table_workbook,
    write_workbook,
)
from tests.conftest import CASES, needs_cases

COLUMNS = [
    Column("enterprise", "企业名称"),
    Column("title", "需求名称"),
    Column("amount", "金额（万元）", kind="amount"),
]


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        return "".join(archive.read(name).decode("utf-8") for name in names)


def formula_cells(worksheet) -> list[str]:
    return [
        cell.coordinate
        for row in worksheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_table_workbook_print_setup(tmp_path):
    path = tmp_path / "审核.xlsx"
    rows = [
        {"enterprise": "长春德茂汽车零部件有限公司", "title": "轻量化", "amount": 5}
    ]
    write_table_workbook(path, "匹配结果审核表", {"活动名称": "对接会"}, COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    # fitToWidth is omitted when 1, the OOXML default; openpyxl then reads None.
    assert sheet.page_setup.fitToWidth in (None, 1)
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D4"
    assert sheet.print_options.horizontalCentered is True


def test_table_workbook_title_block_and_fonts(tmp_path):
    path = tmp_path / "审核.xlsx"
    subtitle = {"活动名称": "2025 吉林科技对接会", "主办单位": "吉林省科学技术厅"}
    rows = [{"enterprise": "吉林恒昌光电科技有限公司", "title": "镀膜", "amount": 1.5}]
    write_table_workbook(path, "匹配结果审核表", subtitle, COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "匹配结果审核表"
    assert sheet["A1"].font.name == "黑体"
    assert sheet["A1"].font.size == 18
    assert "A1:D1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["A2"].value.startswith("活动名称：2025 吉林科技对接会")
    assert "主办单位：吉林省科学技术厅" in sheet["A2"].value
    assert "制表日期：" in sheet["A2"].value
    headers = [cell.value for cell in sheet[3]]
    assert headers == ["序号", "企业名称", "需求名称", "金额（万元）"]
    assert sheet["B4"].font.name == "宋体"
    assert sheet["A4"].value == 1
    assert sheet["D4"].number_format == "#,##0.00"


def test_cjk_column_width(tmp_path):
    path = tmp_path / "宽度.xlsx"
    name = "吉林省瑞丰生物科技有限公司"  # 13 characters, 26 width units
    rows = [{"enterprise": name, "title": "abc", "amount": 1}]
    write_table_workbook(path, "宽度", "", COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet.column_dimensions["B"].width == pytest.approx(28, abs=1)
    assert sheet.column_dimensions["C"].width == pytest.approx(10, abs=1)


def test_long_text_wraps_with_taller_row(tmp_path):
    path = tmp_path / "换行.xlsx"
    long_title = "解决铝合金压铸件气孔缺陷的工艺优化" * 8
    rows = [{"enterprise": "甲", "title": long_title, "amount": 1}]
    write_table_workbook(path, "换行", "", COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet.column_dimensions["C"].width == pytest.approx(40, abs=1)
    assert sheet["C4"].alignment.wrap_text is True
    assert sheet.row_dimensions[4].height >= 7 * 13.5


def test_formula_like_text_stays_text(tmp_path):
    path = tmp_path / "注入.xlsx"
    texts = ["=1+1", "+86 431", "-40℃低温冷启动技术", "@德茂公司", "\t=2+3"]
    rows = [{"enterprise": text, "title": text, "amount": None} for text in texts]
    write_table_workbook(path, "注入", "", COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert [sheet.cell(row, 3).value for row in range(4, 9)] == texts
    assert {sheet.cell(row, 3).data_type for row in range(4, 9)} == {"s"}
    assert formula_cells(sheet) == []
    assert "<f>" not in sheet_xml(path)


@needs_cases
def test_b19_demand_names_written_as_text(tmp_path):
    with open(CASES / "B19_formula_like_text.csv", encoding="utf-8-sig") as handle:
        source = list(csv.DictReader(handle))
    path = tmp_path / "B19.xlsx"
    columns = [Column("企业名称", "企业名称"), Column("需求名称", "需求名称")]
    write_table_workbook(path, "B19", "", columns, source)

    sheet = openpyxl.load_workbook(path).active
    written = [sheet.cell(row, 3).value for row in range(4, 4 + len(source))]
    assert written == [row["需求名称"] for row in source]
    assert "-40℃低温冷启动技术" in written
    assert formula_cells(sheet) == []
    assert not re.search(r"<f[ >]", sheet_xml(path))


def test_control_characters_removed(tmp_path):
    path = tmp_path / "控制符.xlsx"
    rows = [{"enterprise": "长春\x00德茂\x1b公司", "title": "一\r\n二", "amount": 1}]
    write_table_workbook(path, "控制符", "", COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet["B4"].value == "长春德茂公司"
    assert sheet["C4"].value == "一\n二"
    assert "_x001B_" not in sheet_xml(path)


def test_overlong_cell_cut_with_warning(tmp_path):
    path = tmp_path / "超长.xlsx"
    rows = [{"enterprise": "甲", "title": "长" * 40000, "amount": 1}]
    result = write_table_workbook(path, "超长", "", COLUMNS, rows)

    sheet = openpyxl.load_workbook(path).active
    assert sheet["C4"].value.endswith("【已截断：原文共 40000 字，超出单元格上限】")
    assert len(sheet["C4"].value) <= 32767
    assert result.warnings == [
        "超长 › 序号 1 › 列“需求名称”：文本超过单元格上限 32,767 字，已截断并加了标记"
    ]


def test_dropdown_inline_list(tmp_path):
    path = tmp_path / "下拉.xlsx"
    columns = [Column("pair", "对接内容"), Column("decision", "决定")]
    rows = [("甲 → 乙", None), ("丙 → 丁", "同意")]
    write_table_workbook(
        path, "审核", "", columns, rows, validations={"decision": ["同意", "不同意"]}
    )

    sheet = openpyxl.load_workbook(path).active
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list"
    assert validations[0].formula1 == '"同意,不同意"'
    assert str(validations[0].sqref) == "C4:C5"


def test_dropdown_long_list_on_hidden_sheet(tmp_path):
    path = tmp_path / "下拉长.xlsx"
    options = [f"吉林省第{number}号研究所" for number in range(60)]
    columns = [Column("pair", "对接内容"), Column("institute", "单位")]
    write_table_workbook(
        path,
        "审核",
        "",
        columns,
        [("甲", None)],
        validations={"institute": options},
    )

    workbook = openpyxl.load_workbook(path)
    lists = workbook["下拉选项"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(row, 1).value for row in range(1, 61)] == options
    validation = workbook["审核"].data_validations.dataValidation[0]
    assert validation.formula1 == "'下拉选项'!$A$1:$A$60"


def test_sheet_names_cleaned_and_unique(tmp_path):
    path = tmp_path / "名称.xlsx"
    specs = [
        SheetSpec(name="长春/吉林:[对接]", title="一", columns=COLUMNS, rows=[]),
        SheetSpec(name="长春_吉林__对接_", title="二", columns=COLUMNS, rows=[]),
        SheetSpec(name="技术领域" * 10, title="三", columns=COLUMNS, rows=[]),
    ]
    result = write_workbook(path, specs)

    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["长春_吉林__对接_", "长春_吉林__对接_(2)", ("技术领域" * 10)[:31]]
    assert list(result.sheets) == names


def test_group_headings_and_numbering(tmp_path):
    path = tmp_path / "分组.xlsx"
    group = Column("field", "技术领域")
    rows = [
        {"enterprise": "甲", "title": "一", "amount": 1, "field": "先进制造"},
        {"enterprise": "乙", "title": "二", "amount": 2, "field": "新材料"},
        {"enterprise": "丙", "title": "三", "amount": 3, "field": "先进制造"},
    ]
    spec = SheetSpec(
        name="清单", title="清单", columns=COLUMNS, rows=rows, group_by=group
    )
    write_workbook(path, [spec])

    sheet = openpyxl.load_workbook(path).active
    assert sheet["A4"].value == "一、先进制造（2 条）"
    assert (sheet["A5"].value, sheet["B5"].value) == (1, "甲")
    assert (sheet["A6"].value, sheet["B6"].value) == (2, "丙")
    assert sheet["A7"].value == "二、新材料（1 条）"
    assert (sheet["A8"].value, sheet["B8"].value) == (3, "乙")


def test_totals_row_sums_with_cached_value(tmp_path):
    path = tmp_path / "合计.xlsx"
    rows = [{"enterprise": "甲", "amount": 1.5}, {"enterprise": "乙", "amount": 2}]
    spec = SheetSpec(
        name="汇总", title="汇总", columns=COLUMNS, rows=rows, totals=("amount",)
    )
    write_workbook(path, [spec])

    sheet = openpyxl.load_workbook(path).active
    assert sheet["A6"].value == "合计"
    assert sheet["D6"].value == "=SUM(D4:D5)"
    cached = openpyxl.load_workbook(path, data_only=True).active
    assert cached["D6"].value == 3.5


def test_native_chart_written(tmp_path):
    path = tmp_path / "图表.xlsx"
    columns = [Column("city", "市州"), Column("demands", "需求数", kind="count")]
    rows = [{"city": "长春市", "demands": 5}, {"city": "吉林市", "demands": 3}]
    chart = Chart("column", "各市州需求数", "city", ("demands",))
    spec = SheetSpec(
        name="按市州", title="t", columns=columns, rows=rows, charts=[chart]
    )
    write_workbook(path, [spec])

    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        xml = archive.read(charts[0]).decode("utf-8")
    assert len(charts) == 1
    assert "<c:barChart>" in xml
    assert "<c:f>按市州!$B$4:$B$5</c:f>" in xml
    assert "<c:f>按市州!$C$4:$C$5</c:f>" in xml


def test_existing_file_kept_without_force(tmp_path):
    path = tmp_path / "已有.xlsx"
    path.write_bytes(b"old")

    with pytest.raises(OutputExists) as caught:
        write_table_workbook(path, "t", "", COLUMNS, [])

    assert "--force" in caught.value.message
    assert path.read_bytes() == b"old"


def test_force_overwrites(tmp_path):
    path = tmp_path / "已有.xlsx"
    path.write_bytes(b"old")

    write_table_workbook(path, "新", "", COLUMNS, [], force=True)

    assert openpyxl.load_workbook(path).active["A1"].value == "新"


def test_file_open_in_office_rejected(tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"old")
    (tmp_path / "~$清单.xlsx").write_bytes(b"lock")

    with pytest.raises(OutputNotWritable) as caught:
        write_table_workbook(path, "t", "", COLUMNS, [], force=True)

    assert "正在被 Excel 或 WPS 打开" in caught.value.message
    assert path.read_bytes() == b"old"


def test_output_folder_created(tmp_path):
    path = tmp_path / "输出" / "子目录" / "清单.xlsx"

    write_table_workbook(path, "t", "", COLUMNS, [])

    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["清单.xlsx"]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (99, "九十九"),
        (105, "一百零五"),
    ],
)
def test_chinese_ordinal(number, text):
    assert chinese_ordinal(number) == text
