"""A corrected roster updates the records its references (编号) name."""

import openpyxl
import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from tests.conftest import REALDATA, needs_realdata
from tests.test_importers_load import write_demands


@pytest.fixture
def db(db_path):
    return open_db(db_path)


def corrected_copy(tmp_path, name, ref, column, value):
    """Copy a real roster with one cell of the row of `ref` changed."""
    workbook = openpyxl.load_workbook(REALDATA / name)
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows() if r[1].value == ref)
    row[column].value = value
    target = tmp_path / f"corrected_{name}"
    workbook.save(target)
    return target


def figures(sheet):
    return (sheet.inserted, sheet.updated, sheet.unchanged, sheet.rejected)


DEMANDS = "企业技术需求汇总表.xlsx"
PROJECTS = "科技成果汇总表.xlsx"
EXPERTS = "专家信息表.xlsx"
OWNER = "enterprise_name"


@needs_realdata
@pytest.mark.parametrize(
    ("name", "table", "ref", "column", "value", "field", "count"),
    [
        (DEMANDS, "demands", "D004", 3, "耐辐照聚丙烯材料研发", "title", 52),
        (DEMANDS, "demands", "D022", 2, "吉林省某某新材料有限公司", OWNER, 52),
        (DEMANDS, "demands", "D001", 2, "吉林省某某生物材料有限公司", OWNER, 52),
        (PROJECTS, "projects", "A003", 2, "抗寒酿酒葡萄新品种", "title", 89),
        (EXPERTS, "experts", "E002", 4, "吉林大学", "institute_name", 41),
    ],
)
def test_corrected_roster_updates_record(
    db, tmp_path, name, table, ref, column, value, field, count
):
    import_paths(db, [REALDATA / name])
    before = db.execute(f"SELECT id FROM {table} WHERE ref = ?", [ref]).fetchall()
    assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count

    corrected = corrected_copy(tmp_path, name, ref, column, value)
    sheet = import_paths(db, [corrected]).sheets[0]
    assert figures(sheet) == (0, 1, count - 1, 0)
    assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
    after = db.execute(
        f"SELECT id, {field}, updated_at IS NOT NULL FROM {table} WHERE ref = ?", [ref]
    ).fetchall()
    assert after == [(before[0][0], value, 1)]

    again = import_paths(db, [corrected]).sheets[0]
    assert figures(again) == (0, 0, count, 0)


def warnings_of(db, code):
    return db.execute(
        "SELECT row_number, value, message FROM import_warnings WHERE code = ?", [code]
    ).fetchall()


def test_colliding_ref_adds_record(db, tmp_path):
    rows_a = [[1, "D001", "甲公司", "需求甲", "描述甲", None]]
    rows_b = [[1, "D001", "乙公司", "需求乙", "描述乙", None]]
    import_paths(db, [write_demands(tmp_path / "a.xlsx", rows_a)])
    sheet = import_paths(db, [write_demands(tmp_path / "b.xlsx", rows_b)]).sheets[0]
    assert figures(sheet) == (1, 0, 0, 0)
    assert warnings_of(db, "ref-collision") == [
        (
            3,
            "D001",
            "编号“D001”已属于另一条名称和单位都不同的记录，已按新记录导入，请核对",
        )
    ]


def test_repeated_ref_updates_one_record(db, tmp_path):
    rows = [
        [1, "D001", "甲公司", "需求甲", "描述甲", None],
        [2, "D001", "甲公司", "需求乙", "描述乙", None],
    ]
    import_paths(db, [write_demands(tmp_path / "a.xlsx", rows)])
    rows[1][3] = "需求乙（修订）"
    sheet = import_paths(db, [write_demands(tmp_path / "b.xlsx", rows)]).sheets[0]
    assert figures(sheet) == (0, 1, 1, 0)
    titles = db.execute("SELECT id, title FROM demands ORDER BY id").fetchall()
    assert titles == [(1, "需求甲"), (2, "需求乙（修订）")]


def test_repeated_ref_in_file_warns(db, tmp_path):
    rows = [
        [1, "D001", "甲公司", "需求甲", "描述甲", None],
        [2, "D002", "甲公司", "需求乙", "描述乙", None],
        [3, "D001", "甲公司", "需求甲", "描述甲", None],
    ]
    sheet = import_paths(db, [write_demands(tmp_path / "a.xlsx", rows)]).sheets[0]
    assert figures(sheet) == (3, 0, 0, 0)
    assert warnings_of(db, "ref-repeated") == [
        (5, "D001", "第 3 行和第 5 行的编号都是“D001”，两行都已导入，请核对")
    ]
    keys = [row[0] for row in db.execute("SELECT natural_key FROM demands ORDER BY id")]
    assert keys == [
        "demands:d001|甲公司|需求甲",
        "demands:d002|甲公司|需求乙",
        "demands:d001|甲公司|需求甲#2",
    ]


def write_sheets(path, sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(["需求编号", "需求单位", "需求名称", "需求描述"])
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_sheets_numbered_from_one_stay_apart(db, tmp_path):
    path = write_sheets(
        tmp_path / "各市需求.xlsx",
        {
            "长春": [["D001", None, "需求甲", "描述甲"]],
            "吉林": [["D001", None, "需求乙", "描述乙"]],
        },
    )
    report = import_paths(db, [path])
    assert [figures(sheet) for sheet in report.sheets] == [(1, 0, 0, 0)] * 2
    found = db.execute("SELECT source_sheet, title FROM demands ORDER BY id")
    assert found.fetchall() == [("长春", "需求甲"), ("吉林", "需求乙")]
    assert warnings_of(db, "ref-collision") == []


def test_no_owner_other_sheet_name_adds_record(db, tmp_path):
    first = write_sheets(tmp_path / "a.xlsx", {"长春": [["D001", None, "甲", "描述"]]})
    second = write_sheets(tmp_path / "b.xlsx", {"延边": [["D001", None, "乙", "描述"]]})
    import_paths(db, [first])
    sheet = import_paths(db, [second]).sheets[0]
    assert figures(sheet) == (1, 0, 0, 0)
    assert [row[0] for row in warnings_of(db, "ref-collision")] == [2]


def test_no_owner_same_sheet_name_updates_title(db, tmp_path):
    first = write_sheets(tmp_path / "a.xlsx", {"长春": [["D001", None, "甲", "描述"]]})
    second = write_sheets(tmp_path / "b.xlsx", {"长春": [["D001", None, "乙", "描述"]]})
    import_paths(db, [first])
    sheet = import_paths(db, [second]).sheets[0]
    assert figures(sheet) == (0, 1, 0, 0)
    assert db.execute("SELECT id, title FROM demands").fetchall() == [(1, "乙")]
