"""Reading workbooks and finding headers: .xls, header wordings, kind detection."""

from pathlib import Path

import openpyxl
import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.importers.headers import find_header, header_key, header_unit, map_header
from kjd.importers.workbook import read_workbook

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def db(db_path):
    return open_db(db_path)


def test_legacy_xls_layout_is_read():
    workbook = read_workbook(DATA / "legacy_roster.xls")
    assert workbook.file_format == "xls"
    states = [(sheet.name, sheet.state) for sheet in workbook.sheets]
    assert states == [("下拉选项", "hidden"), ("成果汇总", "visible")]
    sheet = workbook.sheets[1]
    assert sheet.hidden_rows == {6}
    assert sheet.rows[4][5] == "014000"
    assert sheet.rows[5][2] == "吉林德茂大学"
    assert sheet.rows[7][3] is None


def test_legacy_xls_imports_like_xlsx(db):
    report = import_paths(db, [DATA / "legacy_roster.xls"])
    statuses = [(s.sheet, s.status) for s in report.sheets]
    assert statuses == [("下拉选项", "hidden-sheet"), ("成果汇总", "ok")]
    sheet = report.sheets[1]
    assert (sheet.kind, sheet.header_row, sheet.inserted) == ("projects", 3, 3)
    assert sheet.skipped_reasons == {"hidden": 1, "footer": 2}
    assert sheet.metadata["填报单位"] == "某大学科技处"
    assert sheet.metadata["填报日期"] == "2023-11"
    found = db.execute(
        "SELECT title, institute_names, contact, phone, json_extract(extra, '$.邮编') "
        "FROM projects ORDER BY source_row"
    ).fetchall()
    assert found == [
        ("高强钢激光拼焊", "吉林德茂大学", "联系人A", "13800000031", "014000"),
        ("铝合金半固态成形", "吉林德茂大学", "联系人B", "13800000032", "130012"),
        ("红外镜头无热化", "长春恒昌光电研究所", None, None, "130033"),
    ]


@pytest.mark.parametrize(
    "label,key",
    [
        ("*需求名称", "需求名称"),
        ("＊需求名称：", "需求名称"),
        ("拟投入资金（万元）", "拟投入资金"),
        ("预算(万元)", "预算"),
        ("联系\n电话", "联系电话"),
        ("需求概述（主要问题、技术关键、预期目标）", "需求概述"),
        (" 技术 领域 ", "技术领域"),
        ("E-mail", "e-mail"),
    ],
)
def test_header_key(label, key):
    assert header_key(label) == key


def test_header_unit():
    assert header_unit("拟投入资金（万元）") == "万元"
    assert header_unit("金额(元)") == "元"
    assert header_unit("投资额（亿元）") == "亿元"
    assert header_unit("需求名称") is None


def sheet_rows(*rows):
    return [list(row) for row in rows]


@pytest.mark.parametrize(
    "titles,kind",
    [
        (["技术需求名称", "企业名称", "投入金额", "手机"], "demands"),
        (["需求题目", "单位名称", "预算（万元）"], "demands"),
        (["技术名称", "依托单位", "所处阶段"], "projects"),
        (["成果名称", "完成单位", "成果简介"], "projects"),
        (["专家姓名", "工作单位", "职称", "研究领域"], "experts"),
        (["姓名", "所在单位", "职务", "研究方向", "手机号码"], "experts"),
        (["院所名称", "简称", "单位类型"], "institutes"),
        (["企业名称", "统一社会信用代码", "所属行业", "企业规模"], "enterprises"),
    ],
)
def test_kind_detected_from_other_wordings(titles, kind):
    rows = sheet_rows(["某某表"], titles, ["值"] * len(titles))
    top, bottom = find_header(rows, [])
    assert top == 1
    assert map_header(rows, top, bottom, "Sheet1").kind == kind


def test_header_found_below_notes_and_blank_rows(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["附件2"])
    sheet.append(["专家推荐汇总表"])
    sheet.append([])
    sheet.append(["说明：推荐专家须具有副高级以上职称。"])
    sheet.append(["序号", "*姓名", "工作单位", "职称/职务", "研究方向", "是否院士"])
    sheet.append([1, "专家甲", "吉林大学", "中国科学院院士", "光学", None])
    sheet.append([2, "专家乙", "长春理工大学", "教授", "激光", "否"])
    sheet.append(["填表人：", None, "审核人："])
    path = tmp_path / "专家.xlsx"
    workbook.save(path)
    result = import_paths(db, [path]).sheets[0]
    assert (result.kind, result.header_row, result.inserted) == ("experts", 5, 2)
    assert result.skipped_reasons == {"footer": 1}
    assert result.metadata["标题"] == "附件2"
    found = db.execute(
        "SELECT name, title, is_academician FROM experts ORDER BY source_row"
    ).fetchall()
    assert found == [("专家甲", "中国科学院院士", 1), ("专家乙", "教授", 0)]


def test_repeated_header_rows_are_skipped(db, tmp_path):
    path = tmp_path / "成果.csv"
    path.write_text(
        "成果名称,完成单位\n成果一,吉林大学\n成果名称,完成单位\n成果二,吉林大学\n",
        encoding="utf-8",
    )
    result = import_paths(db, [path]).sheets[0]
    assert (result.inserted, result.skipped_reasons) == (2, {"header-repeat": 1})


def test_sheet_option_picks_one_sheet(db, tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "说明"
    first.append(["本工作簿第二个表是名单"])
    second = workbook.create_sheet("名单")
    second.append(["成果名称", "完成单位"])
    second.append(["成果一", "吉林大学"])
    path = tmp_path / "成果.xlsx"
    workbook.save(path)
    report = import_paths(db, [path], sheet="名单")
    assert [(s.sheet, s.inserted) for s in report.sheets] == [("名单", 1)]
    missing = import_paths(db, [path], sheet="没有")
    assert missing.sheets[0].status == "failed"
    assert "没有名为“没有”的工作表" in missing.sheets[0].message


def test_legacy_xls_flags_cut_long_number(db):
    # long_number.xls: LibreOffice's .xls export of a sheet whose 项目编号 cells
    # have the number format '0'; row 2 is a number Excel cut to 15 digits.
    import_paths(db, [DATA / "long_number.xls"])
    found = db.execute(
        "SELECT json_extract(extra, '$.项目编号'), json_extract(extra, '$.邮政编码') "
        "FROM enterprises ORDER BY source_row"
    ).fetchall()
    assert found == [
        ("2.02401150000012E+17", "014000"),
        ("202401150000012346", "130012"),
        ("202401150000012", "130033"),
    ]
    warnings = db.execute(
        "SELECT row_number, column_name, value FROM import_warnings "
        "WHERE code = 'precision-lost'"
    ).fetchall()
    assert warnings == [(2, "项目编号", "202401150000012000")]
