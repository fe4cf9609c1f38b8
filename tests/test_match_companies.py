"""Companies among institute records: never institute targets, shown as 企业."""

import csv
import json

import pytest
from openpyxl import load_workbook

from kjd.match.documents import count_targets
from kjd.match.exports import export_matches
from kjd.match.review import export_review
from kjd.match.review_import import import_review
from kjd.match.runs import preview_matching, run_matching
from kjd.match.views import demand_matches

from .match_fixtures import build_matching_db

COMPANY_ID = 3
COMPANY = "长春某汽车零部件股份有限公司"


@pytest.fixture
def db(tmp_path):
    """The matching fixture plus a company that completed a fuel-cell achievement."""
    db = build_matching_db(tmp_path / "kjd.db")
    db["institutes"].insert(
        {
            "id": COMPANY_ID,
            "name": COMPANY,
            "natural_key": COMPANY,
            "kind": "企业研发机构",
            "city": "长春",
        }
    )
    db["projects"].insert(
        {
            "id": 6,
            "ref": "A6",
            "natural_key": "A6",
            "title": "燃料电池金属双极板防腐涂层",
            "field": "新能源/燃料电池",
            "summary": "氢燃料电池金属双极板冲压成形及防腐涂层批量制备。",
            "institute_id": COMPANY_ID,
            "institute_names": COMPANY,
        }
    )
    db["demands"].insert(
        {
            "id": 5,
            "ref": "D5",
            "natural_key": "D5",
            "kind": "talent",
            "title": "引进燃料电池双极板方向博士",
            "description": "氢燃料电池金属双极板冲压与防腐涂层研发人才",
            "degree": "博士",
        }
    )
    return db


def institute_targets(db, demand_ref):
    return [
        row[0]
        for row in db.execute(
            "SELECT m.target_id FROM matches m JOIN demands d ON d.id = m.demand_id "
            "WHERE d.ref = ? AND m.target_type = 'institute' ORDER BY m.rank",
            [demand_ref],
        ).fetchall()
    ]


def accept_company_pair(db):
    """Store an accepted D3 → company pair, as an earlier run may have left it."""
    db.execute(
        "INSERT INTO matches (demand_id, target_type, target_id, score, rank, parts, "
        "shared_terms, status) VALUES (3, 'institute', ?, 50.0, 1, ?, ?, 'accepted')",
        [COMPANY_ID, json.dumps({"text": 50.0}), json.dumps(["双极板"])],
    )
    db.execute(
        "INSERT INTO decisions (demand_id, target_type, target_id, decision) "
        "VALUES (3, 'institute', ?, 'accepted')",
        [COMPANY_ID],
    )


def test_company_is_no_institute_target(db):
    run_matching(db, threshold=0)
    assert institute_targets(db, "D3") == [1, 2]
    assert institute_targets(db, "D5") == [1, 2]
    achievements = db.execute(
        "SELECT count(*) FROM matches WHERE demand_id = 3 AND target_type = 'project' "
        "AND target_id = 6"
    ).fetchone()[0]
    assert achievements == 1


def test_company_achievement_still_matches(db):
    run_matching(db, threshold=0)
    view = demand_matches(db, "D3")
    a6 = next(m for m in view.matches if m.target_ref == "A6")
    assert (a6.target_label, a6.target_unit) == ("成果", COMPANY)


def test_preview_counts_institute_targets_without_companies(db):
    assert count_targets(db, "institute") == 2
    assert count_targets(db, "project") == 6
    counts = preview_matching(db, targets=("institute",))
    assert counts["targets"] == {"institute": 2}


def test_rerun_drops_proposed_company_pairs_keeps_accepted(db):
    accept_company_pair(db)
    db.execute(
        "INSERT INTO matches (demand_id, target_type, target_id, score, rank) "
        "VALUES (1, 'institute', ?, 30.0, 1)",
        [COMPANY_ID],
    )
    run_matching(db, threshold=0)
    assert sorted(institute_targets(db, "D1")) == [1, 2]
    assert sorted(institute_targets(db, "D3")) == [1, 2, 3]


def test_show_labels_company_target(db):
    run_matching(db, threshold=0)
    accept_company_pair(db)
    view = demand_matches(db, "D3")
    institutes = {m.target_id: m for m in view.matches if m.target_type == "institute"}
    company, university = institutes[COMPANY_ID], institutes[1]
    assert (company.target_label, company.target_kind) == ("企业", "企业研发机构")
    assert (university.target_label, university.target_kind) == ("院所", None)
    labels = {
        m["target_id"]: m["target_label"]
        for m in view.to_dict()["matches"]
        if m["target_type"] == "institute"
    }
    assert labels == {1: "院所", 2: "院所", COMPANY_ID: "企业"}


def test_show_command_prints_company_label(invoke, db, db_path):
    accept_company_pair(db)
    result = invoke("match", "show", "D3")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if COMPANY[:6] in line)
    # The company has no external reference, so the 编号 column is blank.
    assert line.split()[:2] == ["企业1", COMPANY]


def test_exports_label_company_target(db, tmp_path):
    run_matching(db, threshold=0)
    accept_company_pair(db)
    csv_path = tmp_path / "匹配.csv"
    json_path = tmp_path / "匹配.json"
    export_matches(db, csv_path)
    export_matches(db, json_path)
    with csv_path.open(encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if row["对象名称"] == COMPANY]
    assert [(row["需求编号"], row["对象类别"], row["状态"]) for row in rows] == [
        ("D3", "企业", "同意")
    ]
    records = json.loads(json_path.read_text(encoding="utf-8"))["matches"]
    company = [r for r in records if r["target_name"] == COMPANY]
    assert [
        (r["target_type"], r["target_kind"], r["target_label"]) for r in company
    ] == [("institute", "企业研发机构", "企业")]


def test_review_workbook_labels_company_target(db, tmp_path):
    run_matching(db, threshold=0)
    accept_company_pair(db)
    path = tmp_path / "审核.xlsx"
    export_review(db, path, include_decided=True)
    sheet = load_workbook(path).active
    rows = [
        row for row in sheet.iter_rows(min_row=4, values_only=True) if row[6] == COMPANY
    ]
    assert [(row[1], row[4], row[5], row[11]) for row in rows] == [
        ("D3", "企业", "3", "同意")
    ]


def test_review_import_finds_company_row_by_references(db, tmp_path):
    run_matching(db, threshold=0)
    accept_company_pair(db)
    path = tmp_path / "审核.xlsx"
    export_review(db, path, include_decided=True)
    workbook = load_workbook(path)
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=4):
        if row[6].value == COMPANY:
            row[11].value = "不同意"
    sheet.delete_cols(14)
    workbook.save(path)
    result = import_review(db, path)
    assert (result.rejected, result.problems) == (1, [])
    decision = db.execute(
        "SELECT decision FROM decisions WHERE demand_id = 3 "
        "AND target_type = 'institute' AND target_id = ?",
        [COMPANY_ID],
    ).fetchone()
    assert decision == ("rejected",)
