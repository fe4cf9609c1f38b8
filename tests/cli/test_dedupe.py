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


def _fill(path, decisions):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["待核对"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("决定") + 1
    for row in range(2, sheet.max_row + 1):
        pair = (sheet.cell(row, 2).value, sheet.cell(row, 5).value)
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
    assert "合并,不合并" in sheet_xml or "&quot;合并,不合并&quot;" in sheet_xml
    workbook = openpyxl.load_workbook(path)
    names = [cell.value for cell in workbook["待核对"]["C"]] + [
        cell.value for cell in workbook["待核对"]["F"]
    ]
    assert "=德茂汽车零部件" in names
    assert workbook["kjd"].sheet_state == "hidden"


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
