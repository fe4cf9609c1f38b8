"""`kjd dedupe`: review workbook export, apply, undo, decisions that stick."""

import json
import zipfile

import openpyxl
import pytest

from kjd.db import open_db


@pytest.fixture
def enterprises(db_path):
    db = open_db(db_path)
    db.execute(
        "INSERT INTO enterprises (id, name, natural_key, credit_code) VALUES "
        "(1, '长春德茂汽车零部件有限公司', 'a', NULL), "
        "(2, '德茂汽车零部件（长春）有限公司', 'b', NULL), "
        "(3, '吉林瑞丰化工集团有限责任公司', 'c', NULL), "
        "(4, '瑞丰化工', 'd', NULL), "
        "(5, '=德茂汽车零部件', 'e', NULL), "
        "(6, '长春恒昌汽车零部件有限公司', 'f', NULL)"
    )
    db.execute(
        "INSERT INTO demands (natural_key, enterprise_id, title) VALUES "
        "('d1', 2, '需求一'), ('d2', 4, '需求二')"
    )
    db.conn.close()
    return db_path


def _header_row(sheet) -> int:
    for row in sheet.iter_rows(max_row=10):
        if any(cell.value == "记录A编号" for cell in row):
            return row[0].row
    raise AssertionError("no header row with 记录A编号")


def _review_rows(path):
    """Return the header of the 待核对 sheet and its data rows as dicts."""
    sheet = openpyxl.load_workbook(path)["待核对"]
    top = _header_row(sheet)
    header = [cell.value for cell in sheet[top]]
    rows = [
        dict(zip(header, values, strict=True))
        for values in sheet.iter_rows(min_row=top + 1, values_only=True)
        if values[header.index("记录A编号")] is not None
    ]
    return header, rows


def _fill(path, decisions):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["待核对"]
    top = _header_row(sheet)
    header = [cell.value for cell in sheet[top]]
    column = header.index("决定") + 1
    first = header.index("记录A编号") + 1
    second = header.index("记录B编号") + 1
    for row in range(top + 1, sheet.max_row + 1):
        pair = (sheet.cell(row, first).value, sheet.cell(row, second).value)
        if pair in decisions:
            sheet.cell(row, column).value = decisions[pair]
    workbook.save(path)


def test_dedupe_lists_pairs_as_json(invoke, enterprises):
    result = invoke("dedupe", "enterprises", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    pairs = [(pair["id_a"], pair["id_b"], pair["rule"]) for pair in document["pairs"]]
    assert (2, 1, "same_brand") in pairs or (1, 2, "same_brand") in pairs
    assert any({pair[0], pair[1]} == {3, 4} for pair in pairs)
    assert all(6 not in (pair[0], pair[1]) for pair in pairs)
    assert document["clusters"] == 2


def test_dedupe_export_writes_safe_cells_and_dropdown(invoke, enterprises, tmp_path):
    path = tmp_path / "review.xlsx"
    result = invoke("dedupe", "enterprises", "--export", path)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert '<formula1>"合并,不合并"</formula1>' in sheet_xml
    assert 'sqref="J4:J7"><formula1>"合并' in sheet_xml
    assert 'sqref="K4:K7"><formula1>"A,B"</formula1>' in sheet_xml
    header, rows = _review_rows(path)
    names = [row["记录A名称"] for row in rows] + [row["记录B名称"] for row in rows]
    assert "=德茂汽车零部件" in names
    assert [row["决定"] for row in rows] == [None, None, None, None]


def test_dedupe_export_is_print_ready(invoke, enterprises, tmp_path):
    path = tmp_path / "review.xlsx"
    assert invoke("dedupe", "enterprises", "--export", path).exit_code == 0
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["待核对"]
    sheet = workbook["待核对"]
    assert sheet["A1"].value == "企业疑似重复审核表"
    assert sheet["A2"].value.startswith("类型：企业　　疑似重复：4 对")
    assert _header_row(sheet) == 3
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    notes = [sheet.cell(row, 1).value for row in range(8, sheet.max_row + 1)]
    assert any(note and note.startswith("决定：选“合并”") for note in notes)


def test_dedupe_apply_reads_older_workbook(invoke, enterprises, tmp_path):
    """A workbook from before the title block: header on row 1, kind on a sheet."""
    path = tmp_path / "old.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "待核对"
    sheet.append(["组号", "记录A编号", "记录A名称", "记录B编号", "决定", "保留"])
    sheet.append([1, 1.0, "长春德茂汽车零部件有限公司", 2.0, "合并", "A"])
    meta = workbook.create_sheet("kjd")
    meta.append(["kind", "enterprise"])
    meta.sheet_state = "hidden"
    workbook.save(path)
    result = invoke("dedupe", "--apply", path, "--json")
    assert result.exit_code == 0, result.output
    merged = json.loads(result.stdout)["merged"]
    assert [(item["kept_id"], item["merged_id"]) for item in merged] == [(1, 2)]


def test_dedupe_export_refuses_existing_file(invoke, enterprises, tmp_path):
    path = tmp_path / "review.xlsx"
    path.write_bytes(b"x")
    result = invoke("dedupe", "enterprises", "--export", path)
    assert result.exit_code == 1
    assert "--force" in result.stderr


def test_dedupe_apply_merges_and_undo_restores(invoke, enterprises, tmp_path):
    path = tmp_path / "review.xlsx"
    assert invoke("dedupe", "enterprises", "--export", path).exit_code == 0
    _fill(path, {(1, 2): "合并", (2, 1): "合并", (3, 4): "不合并", (4, 3): "不合并"})

    applied = invoke("dedupe", "--apply", path, "--json")
    assert applied.exit_code == 0, applied.output
    document = json.loads(applied.stdout)
    assert len(document["merged"]) == 1
    assert document["distinct"] == 1
    db = open_db(enterprises)
    assert db.execute("SELECT count(*) FROM enterprises").fetchone() == (5,)
    kept = document["merged"][0]["kept_id"]
    assert db.execute(
        "SELECT enterprise_id FROM demands WHERE natural_key = 'd1'"
    ).fetchone() == (kept,)

    again = json.loads(invoke("dedupe", "enterprises", "--json").stdout)
    remaining = [{pair["id_a"], pair["id_b"]} for pair in again["pairs"]]
    assert {3, 4} not in remaining

    undone = invoke("dedupe", "--undo", document["merged"][0]["merge_id"])
    assert undone.exit_code == 0, undone.output
    assert db.execute("SELECT count(*) FROM enterprises").fetchone() == (6,)
    assert db.execute(
        "SELECT enterprise_id FROM demands WHERE natural_key = 'd1'"
    ).fetchone() == (2,)


def test_dedupe_undo_unknown_merge(invoke, enterprises):
    result = invoke("dedupe", "--undo", 99)
    assert result.exit_code == 1
    assert "99" in result.stderr


def test_dedupe_needs_one_mode(invoke, enterprises, tmp_path):
    result = invoke("dedupe", "enterprises", "--undo", 1)
    assert result.exit_code == 2
    bad_kind = invoke("dedupe", "companies")
    assert bad_kind.exit_code == 2


def test_dedupe_apply_rejects_other_workbook(invoke, enterprises, tmp_path):
    path = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.save(path)
    result = invoke("dedupe", "--apply", path)
    assert result.exit_code == 1
    assert "审核表" in result.stderr


def test_dedupe_table_shows_chinese_rule_labels(invoke, enterprises):
    result = invoke("dedupe", "institutes", "--threshold", 60)
    assert result.exit_code == 0, result.output
    assert "地区不同" in result.stdout
    assert "机构类型不同" in result.stdout
    assert "other_" not in result.stdout
    assert "_" not in result.stdout


def test_dedupe_json_keeps_rule_slug_and_label(invoke, enterprises):
    result = invoke("dedupe", "institutes", "--threshold", 60, "--json")
    assert result.exit_code == 0, result.output
    pairs = {
        (pair["name_a"], pair["name_b"]): (pair["rule"], pair["rule_label"])
        for pair in json.loads(result.stdout)["pairs"]
    }
    assert pairs[
        ("中国科学院长春光学精密机械与物理研究所", "中国科学院西安光学精密机械研究所")
    ] == (
        "other_region",
        "地区不同",
    )
    assert pairs[("东北师范大学", "通化师范学院")] == ("other_form", "机构类型不同")


def test_dedupe_workbook_shows_chinese_rule_labels(invoke, enterprises, tmp_path):
    path = tmp_path / "review.xlsx"
    result = invoke("dedupe", "enterprises", "--export", path)
    assert result.exit_code == 0, result.output
    header, rows = _review_rows(path)
    assert "规则代码" not in header
    labels = [(row["记录A编号"], row["记录B编号"], row["依据"]) for row in rows]
    assert labels == [
        (1, 2, "字号和行业相同"),
        (1, 5, "字号和行业相同"),
        (2, 5, "字号和行业相同"),
        (3, 4, "字号和行业相同"),
    ]
