"""The import hard cases: each expected behaviour as exact values."""

import csv
import json
import time

import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.importers.headers import find_header, map_header
from kjd.importers.records import parse_sheet
from kjd.importers.workbook import read_workbook

from .conftest import CASES, needs_cases

pytestmark = needs_cases


@pytest.fixture
def db(db_path):
    return open_db(db_path)


def only_sheet(report, name=None):
    sheets = [s for s in report.sheets if s.kind and (name is None or s.sheet == name)]
    assert len(sheets) == 1, [s.to_dict() for s in report.sheets]
    return sheets[0]


def rows(db, sql, params=()):
    return [tuple(row) for row in db.execute(sql, params).fetchall()]


def test_b01_title_rows_and_two_level_header(db):
    path = CASES / "B01_title_rows_merged_header.xlsx"
    sheet = only_sheet(import_paths(db, [path]))
    assert sheet.sheet == "企业技术需求"
    assert sheet.kind == "demands"
    assert sheet.header_row == 3
    assert sheet.inserted == 3
    assert sheet.skipped == 2
    assert sheet.skipped_reasons == {"footer": 2}
    assert sheet.metadata["填报单位"] == "某市科学技术局"
    assert sheet.metadata["填报日期"] == "2024-03-15"

    raw = read_workbook(path).sheets[0]
    top, bottom = find_header(raw.rows, raw.merged)
    assert (top + 1, bottom + 1) == (3, 4)
    header = map_header(raw.rows, top, bottom, raw.name)
    assert header.labels == [
        "序号", "企业名称", "所属地区", "技术需求/需求名称", "技术需求/需求描述",
        "联系人/姓名", "联系人/联系电话", "备注",
    ]  # fmt: skip
    assert header.fields == {
        1: "enterprise_name",
        2: "region",
        3: "title",
        4: "description",
        5: "contact",
        6: "phone",
    }
    assert rows(db, "SELECT title, contact, phone FROM demands ORDER BY id")[0] == (
        "轻量化铝合金压铸件气孔缺陷控制",
        "联系人A",
        "13800000001",
    )
    stored = json.loads(db.execute("SELECT metadata FROM imports").fetchone()[0])
    assert stored["填报单位"] == "某市科学技术局"


def test_b02_merged_body_cells_fill_only_their_range(db):
    sheet = only_sheet(import_paths(db, [CASES / "B02_merged_body_cells.xlsx"]))
    assert sheet.inserted == 6
    found = rows(
        db,
        "SELECT source_row, json_extract(extra, '$.所属地区'), institute_names, "
        "contact FROM projects ORDER BY source_row",
    )
    assert found == [
        (2, "长春市", "吉林德茂大学", "联系人A"),
        (3, "长春市", "吉林德茂大学", "联系人A"),
        (4, "长春市", "长春恒昌光电研究所", "联系人B"),
        (5, "吉林市", "吉林瑞丰化工研究院", "联系人C"),
        (6, "吉林市", "吉林瑞丰化工研究院", None),
        (7, "吉林市", "吉林瑞丰化工研究院", "联系人D"),
    ]


def test_b03_identifiers_stay_text(db):
    sheet = only_sheet(import_paths(db, [CASES / "B03_numbers_as_identifiers.xlsx"]))
    assert sheet.kind == "enterprises"
    found = rows(
        db,
        "SELECT json_extract(extra, '$.邮政编码'), phone, credit_code, "
        "json_extract(extra, '$.项目编号'), json_extract(extra, '$.注册资本（万元）'), "
        "typeof(json_extract(extra, '$.注册资本（万元）')) "
        "FROM enterprises ORDER BY source_row",
    )
    assert [r[0] for r in found] == ["014000", "130012", "130033", "132000"]
    assert [r[1] for r in found] == [
        "13800000001",
        "13900000003",
        "13800000004",
        "13800000005",
    ]
    assert found[3][2] == "91220000MA1A00000X"
    assert found[0][3] == "2.02401150000012E+17"
    assert found[1][3] == "202401150000012346"
    assert found[2][3] == "2024011500000123E+2"
    assert [r[4] for r in found] == [5000.0, 1200.5, 800.0, 3000.0]
    assert {r[5] for r in found} == {"real"}
    warnings = rows(db, "SELECT row_number, column_name, code FROM import_warnings")
    assert (2, "项目编号", "precision-lost") in warnings
    assert (5, "联系电话", "phone-digits-lost") in warnings
    assert not any(code == "precision-lost" and row == 3 for row, _, code in warnings)
    # Row 4 contains the text '2024011500000123E+2', typed as text, so it is not
    # flagged as a number Excel cut.
    assert not any(code == "precision-lost" and row == 4 for row, _, code in warnings)


def test_b05_styled_empty_rows_fast_gap_kept(db):
    started = time.perf_counter()
    sheet = only_sheet(import_paths(db, [CASES / "B05_formatted_empty_rows.xlsx"]))
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert sheet.inserted == 5
    assert sheet.skipped_reasons == {"blank": 2, "footer": 1}
    refs = [r[0] for r in rows(db, "SELECT ref FROM experts ORDER BY source_row")]
    assert refs == ["ZJ001", "ZJ002", "ZJ003", "ZJ004", "ZJ005"]
    # The roster has no name column: rows stand on their 专家编号.
    assert rows(db, "SELECT DISTINCT name FROM experts") == [("",)]
    assert sheet.warning_messages == [
        "表头中没有“姓名”列，5 行按编号导入（姓名留空），请核对"
    ]


def test_b06_hidden_sheets_rows_and_columns(db):
    report = import_paths(db, [CASES / "B06_hidden_sheet_rows.xlsx"])
    statuses = {s.sheet: s.status for s in report.sheets}
    assert statuses == {
        "下拉选项": "hidden-sheet",
        "填写说明": "hidden-sheet",
        "专家信息": "ok",
    }
    sheet = only_sheet(report)
    assert sheet.inserted == 4
    assert sheet.skipped_reasons == {"hidden": 1}
    refs = [r[0] for r in rows(db, "SELECT ref FROM experts ORDER BY source_row")]
    assert refs == ["ZJ101", "ZJ102", "ZJ104", "ZJ105"]
    warnings = rows(db, "SELECT row_number, column_name, code FROM import_warnings")
    assert (4, None, "hidden-row") in warnings
    assert (None, "内部编号", "hidden-column-dropped") in warnings
    extras = [json.loads(r[0]) for r in rows(db, "SELECT extra FROM experts")]
    assert all("内部编号" not in extra for extra in extras)


def test_b08_fullwidth_and_invisible_spaces(db):
    sheet = only_sheet(
        import_paths(db, [CASES / "B08_fullwidth_invisible_spaces.xlsx"])
    )
    assert sheet.read == 8
    assert sheet.rejected == 0
    found = rows(db, "SELECT name, credit_code, phone FROM enterprises ORDER BY id")
    assert found[0] == (
        "长春德茂汽车零部件有限公司",
        "91220101MA0Y00002X",
        "13800000011",
    )
    assert found[1] == ("吉林省瑞丰生物科技有限公司", None, "13800000012")


@pytest.mark.parametrize(
    "name",
    ["B09a_demands_gbk.csv", "B09b_demands_utf8_bom.csv", "B09c_demands_gb18030.csv"],
)
def test_b09_csv_encodings(name):
    workbook = read_workbook(CASES / name)
    sheet = workbook.sheets[0]
    assert workbook.encoding == ("utf-8-sig" if "utf8" in name else "gb18030")
    assert sheet.rows[0][0] == "企业名称"
    assert len(sheet.rows) == 4
    assert {len(row) for row in sheet.rows} == {4}
    assert sheet.rows[2][2] == "菌株选育\n发酵放大（50L→5t）"
    assert sheet.rows[1][2] == "真空压铸,模具排气，X光检测"
    if name.startswith("B09c"):
        assert sheet.rows[2][0] == "吉林省䶮丰农业科技有限公司"


def test_b09_gb18030_name_reaches_the_database(db):
    import_paths(db, [CASES / "B09c_demands_gb18030.csv"])
    names = [r[0] for r in rows(db, "SELECT enterprise_name FROM demands ORDER BY id")]
    assert "吉林省䶮丰农业科技有限公司" in names
    description = rows(db, "SELECT description FROM demands WHERE source_row = 3")
    assert description == [("菌株选育\n发酵放大（50L→5t）",)]


def test_b11_line_breaks_and_several_contacts(db):
    sheet = only_sheet(import_paths(db, [CASES / "B11_cell_line_breaks.xlsx"]))
    assert sheet.inserted == 2
    found = rows(
        db, "SELECT description, contact, phone FROM demands ORDER BY source_row"
    )
    assert found[0] == (
        "1.解决铝合金压铸件\n气孔缺陷；\n2.良品率提升至95%",
        "联系人A;联系人B",
        "13800000021;13800000022",
    )
    assert found[1][2] == "13800000023;13800000024"
    assert all("_x000D_" not in text and "\r" not in text for text, _, _ in found)
    flat = found[0][0].replace("\n", "")
    assert "压铸件气孔" in flat


def read_b18_as_projects():
    raw = read_workbook(CASES / "B18_sqlite_type_drift.csv").sheets[0]
    top, bottom = find_header(raw.rows, raw.merged, "projects")
    header = map_header(raw.rows, top, bottom, raw.name, "projects")
    return raw, header


def test_b18_codes_stay_text_and_amounts_numbers():
    raw, header = read_b18_as_projects()
    assert header.missing_required
    assert header.identified_by_ref
    parsed = parse_sheet(raw, header)
    assert parsed.rejects == []
    codes = [record.values["ref"] for record in parsed.records]
    assert len(codes) == 150
    assert codes[0] == "2024001"
    assert codes[120] == "JLKJ-2024-121"
    assert len(set(codes)) == 150
    assert {record.values["title"] for record in parsed.records} == {""}
    assert [(w.row_number, w.code) for w in parsed.warnings] == [
        (None, "required-column-missing")
    ]


def test_b18_imports_all_rows_by_reference(db):
    """B18 has no 成果名称 column, so each row is identified by its 项目编号."""
    report = import_paths(db, [CASES / "B18_sqlite_type_drift.csv"], kind="projects")
    sheet = only_sheet(report)
    assert (sheet.status, sheet.inserted, sheet.rejected) == ("ok", 150, 0)
    assert sheet.kind_detected is False
    assert sheet.warning_messages == [
        "表头中没有“成果名称”列，150 行按编号导入（成果名称留空），请核对",
        "第 141 行 › 列“经费（万元）”：“经费（万元）”为“待定”，不是数字，"
        "未计入数值，已保留原文",
    ]

    found = rows(
        db,
        "SELECT ref, typeof(ref), title, institute_names, "
        "json_extract(extra, '$.邮政编码'), "
        "typeof(json_extract(extra, '$.邮政编码')), "
        "json_extract(extra, '$.经费（万元）'), "
        "typeof(json_extract(extra, '$.经费（万元）')), "
        "json_extract(extra, '$.\"经费（万元）_原文\"') "
        "FROM projects ORDER BY source_row",
    )

    # 项目编号 and 邮政编码 stay text; 经费 is real, blank or 待定 give NULL.
    assert len(found) == 150
    assert [r[0] for r in found[:2]] == ["2024001", "2024002"]
    assert found[120][0] == "JLKJ-2024-121"
    assert len({r[0] for r in found}) == 150
    assert {r[1] for r in found} == {"text"}
    assert found[0][2:4] == ("", "示例承担单位001")
    assert found[2][4:6] == ("010010", "text")
    assert {r[5] for r in found} == {"text"}
    assert found[0][6:8] == (10.5, "real")
    assert found[1][6:8] == (11.0, "real")

    assert found[139][0] == "JLKJ-2024-140"
    assert found[139][6:9] == (None, "null", "待定")
    blanks = [r[0] for r in found if r[7] == "null" and r[8] is None]
    assert blanks == [
        "2024025",
        "2024050",
        "2024075",
        "2024100",
        "JLKJ-2024-125",
        "JLKJ-2024-150",
    ]
    numbers = {r[7] for r in found if r[6] is not None}
    assert numbers == {"real"}
    warned = rows(
        db, "SELECT row_number, column_name, value, code FROM import_warnings"
    )
    assert (141, "经费（万元）", "待定", "amount-not-a-number") in warned


def test_b18_kind_detected_without_option(db):
    report = import_paths(db, [CASES / "B18_sqlite_type_drift.csv"])
    sheet = only_sheet(report)
    assert (sheet.kind, sheet.kind_detected, sheet.inserted) == ("projects", True, 150)


def test_missing_required_column_without_reference_fails(db, tmp_path):
    path = tmp_path / "成果.csv"
    path.write_text("完成单位,联系电话\n吉林大学,13800000001\n", encoding="utf-8")
    report = import_paths(db, [path], kind="projects")
    assert [(s.status, s.message) for s in report.sheets] == [
        ("failed", "表头中没有科技成果的必填列：成果名称，也没有编号列")
    ]
    assert db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0


def test_b18_typed_columns_in_database(db, tmp_path):
    # The case has no title column; give each row one so that it loads.
    source = CASES / "B18_sqlite_type_drift.csv"
    with source.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    target = tmp_path / "b18.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["成果名称", *table[0]])
        for number, row in enumerate(table[1:], start=1):
            writer.writerow([f"成果{number}", *row])
    sheet = only_sheet(import_paths(db, [target], kind="projects"))
    assert sheet.inserted == 150
    refs = [r[0] for r in rows(db, "SELECT ref FROM projects ORDER BY source_row")]
    assert refs[:2] == ["2024001", "2024002"]
    assert refs[120] == "JLKJ-2024-121"
    assert len(set(refs)) == 150
    postcodes = rows(
        db,
        "SELECT json_extract(extra, '$.邮政编码'), "
        "typeof(json_extract(extra, '$.邮政编码')) FROM projects WHERE source_row = 4",
    )
    assert postcodes == [("010010", "text")]
    funds = rows(
        db,
        "SELECT source_row, json_extract(extra, '$.经费（万元）'), "
        "json_extract(extra, '$.\"经费（万元）_原文\"') FROM projects "
        "WHERE source_row IN (2, 141)",
    )
    assert funds == [(2, 10.5, None), (141, None, "待定")]
    warned = rows(db, "SELECT row_number, code FROM import_warnings")
    assert (141, "amount-not-a-number") in warned


def test_b18_csv_row_numbers_start_at_header(db):
    raw, header = read_b18_as_projects()
    parsed = parse_sheet(raw, header)
    assert parsed.records[0].row_number == 2
    assert parsed.records[-1].row_number == 151


def test_b19_names_kept_except_width_and_ends(db):
    import_paths(db, [CASES / "B19_formula_like_text.csv"])
    titles = [r[0] for r in rows(db, "SELECT title FROM demands ORDER BY source_row")]
    assert titles == [
        "-40℃低温冷启动技术",
        '=HYPERLINK("http://example.invalid/x","点击查看详情")',
        "+86 431 8500 0000",
        "@德茂公司 联合攻关",
        "=1+1",
        # The leading tab is stripped like any leading space.
        "=2+3",
        # Full-width '－' folds to '-'.
        "-30%能耗降低目标",
    ]
