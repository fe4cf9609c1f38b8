"""The review workbook round trip: export, edit in any order, import decisions."""

import pytest
from openpyxl import load_workbook

from kjd.errors import FileRejected, OutputExists
from kjd.match.review import (
    DECISION_HEADER,
    KEY_HEADER,
    NOTE_HEADER,
    export_review,
    import_review,
    parse_decision,
    write_safe,
)
from kjd.match.runs import run_matching

from .match_fixtures import build_matching_db


@pytest.fixture
def db(tmp_path):
    db = build_matching_db(tmp_path / "kjd.db")
    run_matching(db, threshold=0)
    return db


def headings(sheet):
    return {cell.value: cell.column - 1 for cell in sheet[1]}


def rewrite_sorted_and_filtered(source, target, edit):
    """Re-sort rows by score ascending, drop half of them, apply `edit` per row."""
    workbook = load_workbook(source)
    sheet = workbook.active
    columns = headings(sheet)
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    rows.sort(key=lambda r: r[columns["匹配度"]])
    kept = rows[::2]
    sheet.delete_rows(2, sheet.max_row)
    for number, row in enumerate(kept, start=2):
        edit(row, columns)
        for column, value in enumerate(row, start=1):
            write_safe(sheet.cell(row=number, column=column), value)
    sheet.row_dimensions[3].hidden = True
    workbook.save(target)
    return kept, columns


def test_review_export_has_dropdown_and_hidden_key(db, tmp_path):
    path = tmp_path / "待审.xlsx"
    result = export_review(db, path)
    sheet = load_workbook(path).active
    columns = headings(sheet)
    proposed = db.execute(
        "SELECT count(*) FROM matches WHERE status='proposed'"
    ).fetchone()[0]
    assert result.rows == proposed
    assert sheet.max_row == proposed + 1
    assert DECISION_HEADER in columns
    assert NOTE_HEADER in columns
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"同意,不同意,待定"'
    key_letter = sheet.cell(row=1, column=columns[KEY_HEADER] + 1).column_letter
    assert sheet.column_dimensions[key_letter].hidden


def test_review_round_trip_with_rows_resorted_and_filtered(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)

    def edit(row, columns):
        target = row[columns["对象编号"]]
        row[columns[DECISION_HEADER]] = "不同意" if target.startswith("E") else "同意"
        row[columns[NOTE_HEADER]] = f"=备注{target}"

    kept, columns = rewrite_sorted_and_filtered(exported, edited, edit)
    result = import_review(db, edited)

    experts = sum(1 for r in kept if r[columns["对象编号"]].startswith("E"))
    assert result.rows == len(kept)
    assert result.rejected == experts
    assert result.accepted == len(kept) - experts
    assert result.problems == []
    for row in kept:
        demand_id, target_type, target_id = row[columns[KEY_HEADER]].split(":")
        (status,) = db.execute(
            "SELECT status FROM matches "
            "WHERE demand_id=? AND target_type=? AND target_id=?",
            [demand_id, target_type, target_id],
        ).fetchone()
        decision, note = db.execute(
            "SELECT decision, note FROM decisions WHERE demand_id=? AND target_type=? "
            "AND target_id=?",
            [demand_id, target_type, target_id],
        ).fetchone()
        expected = "rejected" if target_type == "expert" else "accepted"
        assert status == expected
        assert decision == expected
        assert note == f"=备注{row[columns['对象编号']]}"


def test_review_import_twice_changes_nothing(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)

    def edit(row, columns):
        row[columns[DECISION_HEADER]] = "同意"

    kept, _ = rewrite_sorted_and_filtered(exported, edited, edit)
    import_review(db, edited)
    again = import_review(db, edited)
    assert again.accepted == 0
    assert again.unchanged == len(kept)


def test_review_import_finds_rows_without_key_column(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    export_review(db, exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    columns = headings(sheet)
    sheet.cell(row=2, column=columns[DECISION_HEADER] + 1, value="不同意")
    demand_ref = sheet.cell(row=2, column=columns["需求编号"] + 1).value
    sheet.delete_cols(columns[KEY_HEADER] + 1)
    workbook.save(exported)
    result = import_review(db, exported)
    assert result.rejected == 1
    assert (
        db.execute(
            "SELECT count(*) FROM matches m JOIN demands d ON d.id = m.demand_id "
            "WHERE d.ref = ? AND m.status = 'rejected'",
            [demand_ref],
        ).fetchone()[0]
        == 1
    )


def test_review_import_reports_unreadable_decision(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    export_review(db, exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    columns = headings(sheet)
    sheet.cell(row=2, column=columns[DECISION_HEADER] + 1, value="大概吧")
    workbook.save(exported)
    result = import_review(db, exported)
    assert len(result.problems) == 1
    assert "第 2 行" in result.problems[0]
    assert "大概吧" in result.problems[0]
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_rejected_in_review_stays_rejected_after_rerun(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    export_review(db, exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    columns = headings(sheet)
    sheet.cell(row=2, column=columns[DECISION_HEADER] + 1, value="不同意")
    key = sheet.cell(row=2, column=columns[KEY_HEADER] + 1).value
    workbook.save(exported)
    import_review(db, exported)
    run_matching(db, threshold=0)
    demand_id, target_type, target_id = key.split(":")
    assert db.execute(
        "SELECT status FROM matches "
        "WHERE demand_id=? AND target_type=? AND target_id=?",
        [demand_id, target_type, target_id],
    ).fetchall() == [("rejected",)]


def test_review_export_writes_formula_like_text_as_text(db, tmp_path):
    db.execute("UPDATE demands SET title = '=HYPERLINK(\"x\")' WHERE id = 1")
    db.execute("UPDATE demands SET enterprise_name = '-40℃低温' WHERE id = 1")
    path = tmp_path / "待审.xlsx"
    export_review(db, path)
    sheet = load_workbook(path).active
    columns = headings(sheet)
    titles = [
        sheet.cell(row=r, column=columns["需求名称"] + 1)
        for r in range(2, sheet.max_row + 1)
    ]
    risky = [c for c in titles if str(c.value).startswith("=")]
    assert risky
    assert all(c.data_type == "s" for c in risky)
    units = [sheet.cell(row=c.row, column=columns["需求单位"] + 1).value for c in risky]
    assert set(units) == {"-40℃低温"}


def test_review_export_refuses_to_overwrite(db, tmp_path):
    path = tmp_path / "待审.xlsx"
    export_review(db, path)
    with pytest.raises(OutputExists):
        export_review(db, path)


def test_review_import_rejects_workbook_without_decision_column(db, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(FileRejected):
        import_review(db, path)


@pytest.mark.parametrize(
    "value,decision",
    [
        ("同意", "accepted"),
        (" 不同意 ", "rejected"),
        ("待定", "pending"),
        (None, ""),
        ("√", "accepted"),
        ("×", "rejected"),
        ("随便", None),
    ],
)
def test_parse_decision_values(value, decision):
    assert parse_decision(value) == decision
