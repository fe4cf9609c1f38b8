"""`kjd import` on the real rosters: exact counts, references kept, idempotent."""

import json
import sqlite3

from ..conftest import REALDATA, needs_realdata

pytestmark = needs_realdata

EXPECTED = {
    "企业技术需求汇总表.xlsx": ("技术需求", "demands", 52, "D001"),
    "科技成果汇总表.xlsx": ("可转化成果", "projects", 89, "A001"),
    "专家信息表.xlsx": ("专家库", "experts", 41, "E001"),
    "高校院所名录.xlsx": ("高校院所名录", "institutes", 56, None),
}


def import_json(invoke, *paths):
    result = invoke("import", *paths, "--json")
    return result, json.loads(result.stdout)


def test_real_rosters_import_with_exact_counts(invoke, db_path):
    paths = [REALDATA / "高校院所名录.xlsx"] + [
        REALDATA / name for name in EXPECTED if name != "高校院所名录.xlsx"
    ]
    result, document = import_json(invoke, *paths)
    assert result.exit_code == 0, result.stderr
    by_file = {entry["path"].split("/")[-1]: entry for entry in document["files"]}
    for name, (sheet, kind, count, _) in EXPECTED.items():
        entry = by_file[name]
        assert entry["sheet"] == sheet
        assert entry["kind"] == kind
        assert entry["read"] == count + entry["skipped"]
        # Institutes may exist before their roster (seeded from data/aliases.csv).
        new = entry["inserted"] + (entry["updated"] if kind == "institutes" else 0)
        assert new == count, name
        assert entry["rejected"] == 0
        assert entry["status"] == "ok"
    conn = sqlite3.connect(db_path)
    for name, (_, table, count, first_ref) in EXPECTED.items():
        sql = f"SELECT count(*) FROM {table} WHERE source_file = ?"
        assert conn.execute(sql, [name]).fetchone()[0] == count
        if first_ref:
            refs = [r[0] for r in conn.execute(f"SELECT ref FROM {table} ORDER BY id")]
            assert refs[0] == first_ref
            assert len(set(refs)) == count
    assert conn.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0


def test_real_rosters_reimport_changes_nothing(invoke, db_path):
    first, _ = import_json(invoke, REALDATA)
    assert first.exit_code == 0, first.stderr
    conn = sqlite3.connect(db_path)
    before = conn.execute("SELECT id, updated_at, row_hash FROM demands").fetchall()
    again, document = import_json(invoke, REALDATA)
    assert again.exit_code == 0
    rosters = [e for e in document["files"] if e["kind"]]
    assert [e["inserted"] + e["updated"] for e in rosters] == [0, 0, 0, 0]
    assert sorted(e["unchanged"] for e in rosters) == [41, 52, 56, 89]
    after = conn.execute("SELECT id, updated_at, row_hash FROM demands").fetchall()
    assert after == before


def test_real_folder_classifies_other_files(invoke):
    result, document = import_json(invoke, REALDATA)
    statuses = {e["path"].split("/")[-1]: e["status"] for e in document["files"]}
    assert statuses["README.md"] == "not-roster"
    assert statuses["gold_links.csv"] == "not-roster"
    assert result.exit_code == 0


def test_real_demand_metadata_and_footer(invoke):
    result, document = import_json(invoke, REALDATA / "企业技术需求汇总表.xlsx")
    entry = document["files"][0]
    assert entry["header_row"] == 3
    assert entry["read"] == 53
    assert entry["skipped"] == 1
    assert entry["metadata"]["标题"] == "企业技术需求汇总表（第一批）"
    assert entry["metadata"]["填报日期"] == "2024-05"
