"""`kjd report` on the real rosters after `kjd import` and `kjd match`."""

import openpyxl
import pytest

from kjd.db import open_db
from kjd.reports.docket import DocketFilter, build_docket

from ..conftest import REALDATA, needs_realdata

pytestmark = needs_realdata

ROSTERS = [
    "高校院所名录.xlsx",
    "企业技术需求汇总表.xlsx",
    "科技成果汇总表.xlsx",
    "专家信息表.xlsx",
]


@pytest.fixture(scope="module")
def matched_db(tmp_path_factory):
    from typer.testing import CliRunner

    from kjd.cli import app

    path = tmp_path_factory.mktemp("realdata") / "kjd.db"
    runner = CliRunner()
    files = [str(REALDATA / name) for name in ROSTERS]
    imported = runner.invoke(app, ["--db", str(path), "import", *files, "-q"])
    assert imported.exit_code == 0, imported.stderr
    matched = runner.invoke(app, ["--db", str(path), "match", "-q"])
    assert matched.exit_code == 0, matched.stderr
    return path


def current_pairs(db, where: str = "", params=()) -> set[tuple]:
    sql = (
        "SELECT m.demand_id, m.target_type, m.target_id FROM matches m "
        "JOIN demands d ON d.id = m.demand_id "
        "WHERE m.status IN ('accepted', 'proposed') " + where
    )
    return {tuple(row) for row in db.execute(sql, list(params)).fetchall()}


def test_docket_holds_every_current_pair(matched_db, invoke, tmp_path):
    path = tmp_path / "清单.xlsx"
    result = invoke("report", "docket", "-o", path, db=matched_db)
    db = open_db(matched_db)

    assert result.exit_code == 0, result.stderr
    expected = current_pairs(db)
    listed = {row["_pair"] for row in build_docket(db).sheets[0].rows}
    assert len(expected) > 100
    assert listed == expected
    sheet = openpyxl.load_workbook(path)["对接清单"]
    numbered = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert [n for n in numbered if isinstance(n, int)] == list(
        range(1, len(expected) + 1)
    )


def test_unmatched_sheet_covers_the_rest(matched_db):
    db = open_db(matched_db)
    report = build_docket(db)

    matched_demands = {pair[0] for pair in current_pairs(db)}
    demands = db.execute("SELECT count(*) FROM demands").fetchone()[0]
    assert len(report.sheets[1].rows) == demands - len(matched_demands)


def test_docket_filter_on_real_institute(matched_db):
    db = open_db(matched_db)
    institute_id, name = db.execute(
        "SELECT i.id, i.name FROM matches m JOIN projects p "
        "ON m.target_type = 'project' AND p.id = m.target_id "
        "JOIN institutes i ON i.id = p.institute_id "
        "WHERE m.status IN ('accepted', 'proposed') "
        "GROUP BY i.id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()

    report = build_docket(db, DocketFilter(institute=name))

    expected = current_pairs(
        db,
        "AND ((m.target_type = 'project' AND m.target_id IN "
        "(SELECT id FROM projects WHERE institute_id = ?)) "
        "OR (m.target_type = 'expert' AND m.target_id IN "
        "(SELECT id FROM experts WHERE institute_id = ?)) "
        "OR (m.target_type = 'institute' AND m.target_id = ?))",
        [institute_id] * 3,
    )
    rows = report.sheets[0].rows
    assert expected
    assert expected <= {row["_pair"] for row in rows}
    assert all(name in (row["institute"] or "") for row in rows)


def test_summary_counts_equal_database(matched_db, invoke, tmp_path):
    path = tmp_path / "汇总.xlsx"
    result = invoke("report", "summary", "-o", path, db=matched_db)
    db = open_db(matched_db)

    assert result.exit_code == 0, result.stderr
    workbook = openpyxl.load_workbook(path, data_only=True)
    counts = {
        table: db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        for table in ("institutes", "experts", "projects", "enterprises", "demands")
    }
    overview = {
        row[1]: row[2]
        for row in workbook["总览"].iter_rows(min_row=4, values_only=True)
        if isinstance(row[0], int)
    }
    companies = db.execute(
        "SELECT count(*) FROM institutes WHERE kind = '企业研发机构'"
    ).fetchone()[0]
    assert companies == 10
    assert overview["高校院所"] == counts["institutes"] - companies
    assert overview["企业研发机构"] == companies
    assert overview["专家"] == counts["experts"]
    assert overview["科技成果"] == counts["projects"]
    assert overview["企业"] == counts["enterprises"]
    assert overview["企业需求"] == counts["demands"] == 52
    by_city = workbook["按市州"]
    total = next(row for row in by_city.iter_rows(values_only=True) if row[0] == "合计")
    assert total[2:7] == (
        counts["institutes"] - companies,
        counts["experts"],
        counts["projects"],
        counts["enterprises"],
        counts["demands"],
    )
    by_institute = workbook["按依托单位"]
    total = next(
        row for row in by_institute.iter_rows(values_only=True) if row[0] == "合计"
    )
    assert total[4:6] == (counts["experts"], counts["projects"])
    assert total[6] == len(current_pairs(db))
