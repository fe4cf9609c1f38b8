"""`kjd match`, `kjd match show/stats/review`, `kjd search`, `kjd export matches`."""

import csv
import json
import subprocess
from pathlib import Path

import pytest

from kjd.db import open_db
from kjd.match.runs import run_matching

from ..match_fixtures import build_matching_db


@pytest.fixture
def matching_db(db_path):
    build_matching_db(db_path)
    return db_path


def test_match_json_equals_library(invoke, matching_db, tmp_path):
    result = invoke("match", "--json", "--threshold", "0")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    copy = tmp_path / "copy.db"
    build_matching_db(copy)
    expected = run_matching(open_db(copy), threshold=0).to_dict()
    assert document["matches"] == expected["matches"]
    assert document["candidate_pairs"] == expected["candidate_pairs"]
    assert document["demands"] == 4
    assert document["status"] == "ok"


def test_match_preview_writes_nothing(invoke, matching_db):
    result = invoke("match", "--preview", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["demands"] == 4
    assert document["total_candidate_pairs"] > 0
    db = open_db(matching_db)
    assert db.execute("SELECT count(*) FROM matches").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM match_runs").fetchone()[0] == 0


def test_match_targets_option_limits_types(invoke, matching_db):
    result = invoke("match", "--json", "--targets", "experts", "--threshold", "0")
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)["matches"]) == ["expert"]
    types = (
        open_db(matching_db)
        .execute("SELECT DISTINCT target_type FROM matches")
        .fetchall()
    )
    assert types == [("expert",)]


def test_match_unknown_target_is_usage_error(invoke, matching_db):
    result = invoke("match", "--targets", "robots")
    assert result.exit_code == 2
    assert "robots" in result.stderr


def test_match_missing_dictionary_is_usage_error(invoke, matching_db, tmp_path):
    result = invoke("match", "--dict", tmp_path / "none.txt")
    assert result.exit_code == 2
    assert "--dict" in result.stderr


def test_match_show_lists_ranked_targets(invoke, matching_db):
    invoke("match", "--threshold", "0")
    result = invoke("match", "show", "D1", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    projects = [m for m in document["matches"] if m["target_type"] == "project"]
    assert projects[0]["target_ref"] == "A1"
    assert projects[0]["rank"] == 1
    assert round(sum(projects[0]["parts"].values()), 1) == projects[0]["score"]


def test_match_show_unknown_demand_exits_1(invoke, matching_db):
    result = invoke("match", "show", "D404")
    assert result.exit_code == 1
    assert "D404" in result.stderr


def test_match_show_under_gbk_console_exits_0(kjd_command, subprocess_env, matching_db):
    db = open_db(matching_db)
    db.execute(
        "UPDATE demands SET title = '吉林省䶮丰 𠮷 ✓ ⚠ 🔬 镁合金熔铸' WHERE ref = 'D1'"
    )
    run_matching(db, threshold=0)
    env = dict(subprocess_env, PYTHONIOENCODING="gbk")
    completed = subprocess.run(
        [*kjd_command, "--db", str(matching_db), "match", "show", "D1"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr.decode("gbk", "replace")
    text = completed.stdout.decode("gbk")
    assert "镁合金熔铸" in text
    assert "A1" in text


def test_match_stats_counts_demands_without_match(invoke, matching_db):
    invoke("match", "--threshold", "0")
    result = invoke("match", "stats", "--threshold", "101", "--json")
    assert result.exit_code == 2
    result = invoke("match", "stats", "--threshold", "100", "--json")
    document = json.loads(result.stdout)
    assert document["demands"] == 4
    assert document["demands_without_match"] == 4
    assert sum(row["matches"] for row in document["histogram"]) == document["matches"]


def test_match_review_needs_exactly_one_direction(invoke, matching_db):
    result = invoke("match", "review")
    assert result.exit_code == 2


def test_match_review_export_then_import(invoke, matching_db, tmp_path):
    invoke("match", "--threshold", "0")
    path = tmp_path / "待审.xlsx"
    exported = invoke("match", "review", "--export", path, "--json")
    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["rows"] > 0
    imported = invoke("match", "review", "--import", path, "--json")
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(imported.stdout)["blank"] == json.loads(exported.stdout)["rows"]


def test_search_command_finds_short_terms(invoke, matching_db):
    result = invoke("search", "镁", "防腐", "--in", "projects", "--json")
    assert result.exit_code == 0, result.stderr
    assert [h["ref"] for h in json.loads(result.stdout)["hits"]] == ["A5"]


def test_search_table_names_matched_columns_in_chinese(invoke, matching_db):
    result = invoke("search", "聚乳酸")
    assert result.exit_code == 0, result.stderr
    rows = {
        line.split("│")[1].strip(): line.split("│")[4].strip()
        for line in result.stdout.splitlines()
        if line.count("│") == 5
    }
    assert rows == {
        "成果": "成果名称、简介",
        "专家": "研究方向",
        "需求": "需求描述",
    }
    assert "summary" not in result.stdout
    assert "description" not in result.stdout


def test_search_json_keeps_column_keys(invoke, matching_db):
    result = invoke("search", "聚乳酸", "--json")
    assert result.exit_code == 0, result.stderr
    hits = {
        hit["ref"]: hit["matched_columns"] for hit in json.loads(result.stdout)["hits"]
    }
    assert hits == {
        "A2": ["title", "summary"],
        "E2": ["research_fields"],
        "D2": ["description"],
    }


def test_export_matches_csv_marks_formula_text(invoke, matching_db, tmp_path):
    open_db(matching_db).execute("UPDATE demands SET title = '=1+1' WHERE ref = 'D1'")
    invoke("match", "--threshold", "0")
    path = tmp_path / "m.csv"
    result = invoke("export", "matches", "--format", "csv", "-o", path)
    assert result.exit_code == 0, result.stderr
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    d1 = [r for r in rows if r["需求编号"] == "D1"]
    assert d1
    assert {r["需求名称"] for r in d1} == {"'=1+1"}
    assert all(r["对象编号"] for r in rows if r["对象类别"] in ("成果", "专家"))


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_matches_other_formats(invoke, matching_db, tmp_path, fmt):
    invoke("match", "--threshold", "0")
    path = tmp_path / f"m.{fmt}"
    result = invoke("export", "matches", "-o", path, "--json")
    assert result.exit_code == 0, result.stderr
    count = open_db(matching_db).execute("SELECT count(*) FROM matches").fetchone()[0]
    assert json.loads(result.stdout)["rows"] == count
    if fmt == "json":
        document = json.loads(path.read_text(encoding="utf-8"))
        assert {m["demand_ref"] for m in document["matches"]} <= {
            "D1",
            "D2",
            "D3",
            "D4",
        }


def test_match_dict_option_loads_gbk_dictionary(invoke, matching_db, tmp_path):
    path = tmp_path / "用户词典.txt"
    path.write_bytes("金属双极板 30 n\r\n防腐涂层\r\n".encode("gb18030"))
    result = invoke("match", "--dict", path, "--json", "--threshold", "0")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["demands"] == 4
    db = open_db(matching_db)
    terms = db.execute(
        "SELECT m.shared_terms FROM matches m JOIN projects p ON p.id = m.target_id "
        "WHERE m.target_type = 'project' AND p.ref = 'A3' AND m.demand_id = 3"
    ).fetchone()[0]
    assert "金属双极板" in json.loads(terms)


def test_match_review_import_unreadable_decision_exits_3(invoke, matching_db, tmp_path):
    from openpyxl import load_workbook

    invoke("match", "--threshold", "0")
    path = tmp_path / "待审.xlsx"
    invoke("match", "review", "--export", path)
    workbook = load_workbook(path)
    sheet = workbook.active
    headings = {cell.value: cell.column for cell in sheet[3]}
    sheet.cell(row=4, column=headings["决定"], value="再说吧")
    sheet.cell(row=5, column=headings["决定"], value="同意")
    workbook.save(path)
    result = invoke("match", "review", "--import", path, "--json")
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["status"] == "rejected"
    assert document["accepted"] == 1
    assert "再说吧" in document["problems"][0]


def test_match_review_import_of_dedupe_workbook_exits_1(invoke, matching_db, tmp_path):
    invoke("match", "--threshold", "0")
    path = tmp_path / "疑似重复.xlsx"
    exported = invoke("dedupe", "institutes", "--export", path)
    assert exported.exit_code == 0, exported.stderr
    result = invoke("match", "review", "--import", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"错误：{path} 不是匹配审核工作簿：前 10 行没有“决定”和“对接键”"
        "（或需求编号、对象类别、对象编号）列，未导入任何决定；"
        "这是疑似重复审核表，请用 kjd dedupe --apply 导入。"
    ]
    db = open_db(matching_db)
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    assert db.execute(
        "SELECT count(*) FROM matches WHERE status != 'proposed'"
    ).fetchone() == (0,)


def test_export_matches_csv_to_stdout(invoke, matching_db, tmp_path):
    invoke("match", "--threshold", "0")
    result = invoke("export", "matches", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("需求编号")
    file_result = invoke("export", "matches", "-o", tmp_path / "m.csv")
    assert file_result.exit_code == 0, file_result.stderr
    written = (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert written.splitlines() == lines


def test_export_matches_dash_means_stdout(invoke, matching_db, tmp_path):
    invoke("match", "--threshold", "0")
    result = invoke("export", "matches", "-o", "-", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["matches"]
    assert not Path("-").exists()
