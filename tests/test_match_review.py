"""The review workbook round trip: export, edit in any order, import decisions."""

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kjd.errors import FileRejected, OutputExists
from kjd.match import dedupe_review
from kjd.match.review import (
    DECISION_HEADER,
    KEY_HEADER,
    NOTE_HEADER,
    NOTES,
    export_review,
)
from kjd.match.review_import import import_review, parse_decision
from kjd.match.runs import run_matching

from .match_fixtures import build_matching_db

DATA = Path(__file__).parent / "data"
# Written by the review export before it moved onto the shared workbook layer:
# header on row 1, no title block, 对接键 in a hidden column. It holds the 15
# pairs that `run_matching(threshold=0)` proposes on build_matching_db.
PREVIOUS_VERSION_WORKBOOK = DATA / "match_review_v1.xlsx"
HEADERS = [
    "序号",
    "需求编号",
    "需求名称",
    "需求单位",
    "对象类别",
    "对象编号",
    "对象名称",
    "所属单位",
    "匹配度",
    "匹配理由",
    "共同关键词",
    "决定",
    "备注",
    "对接键",
]
NOT_REVIEW = (
    "不是匹配审核工作簿：前 10 行没有“决定”和“对接键”（或需求编号、对象类别、"
    "对象编号）列，未导入任何决定；"
)


@pytest.fixture
def db(tmp_path):
    db = build_matching_db(tmp_path / "kjd.db")
    run_matching(db, threshold=0)
    return db


def read_review(path):
    """Return the header row number, header → column index, and the data rows."""
    sheet = load_workbook(path).active
    header_row, headers = next(
        (row[0].row, [cell.value for cell in row])
        for row in sheet.iter_rows(max_row=10)
        if DECISION_HEADER in [cell.value for cell in row]
    )
    columns = {header: index for index, header in enumerate(headers) if header}
    rows = [
        list(values)
        for values in sheet.iter_rows(min_row=header_row + 1, values_only=True)
        if values[columns[KEY_HEADER]]
    ]
    return header_row, columns, rows


def write_reviewed(path, headers, rows, hidden_row=None):
    """Save `rows` under `headers` the way a reviewer's edited copy looks.

    Text that starts with '=' stays text, as Excel keeps a typed '=…' that the
    reviewer entered with a leading apostrophe.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "待审匹配"
    sheet["A1"] = "匹配结果审核表"
    sheet.append([])
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    if hidden_row is not None:
        sheet.row_dimensions[hidden_row].hidden = True
    workbook.save(path)


def review_first_pair(db, tmp_path, decision, note=None):
    """Export, fill 决定 (and 备注) of the first pair, save the reviewer's copy."""
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)
    _, columns, rows = read_review(exported)
    rows[0][columns[DECISION_HEADER]] = decision
    rows[0][columns[NOTE_HEADER]] = note
    write_reviewed(edited, HEADERS, rows)
    return edited, columns, rows


def match_state(db, key):
    demand_id, target_type, target_id = key.split(":")
    status = db.execute(
        "SELECT status FROM matches WHERE demand_id=? AND target_type=? "
        "AND target_id=?",
        [demand_id, target_type, target_id],
    ).fetchone()[0]
    decision = db.execute(
        "SELECT decision, note FROM decisions WHERE demand_id=? AND target_type=? "
        "AND target_id=?",
        [demand_id, target_type, target_id],
    ).fetchone()
    return status, decision


def count(db, sql):
    return db.execute(sql).fetchone()[0]


def test_review_export_layout(db, tmp_path):
    path = tmp_path / "待审.xlsx"
    result = export_review(db, path)
    proposed = count(db, "SELECT count(*) FROM matches WHERE status='proposed'")
    sheet = load_workbook(path).active
    assert result.rows == proposed == 15
    assert sheet.title == "待审匹配"
    assert sheet["A1"].value == "匹配结果审核表"
    assert sheet["A2"].value == "待审匹配：15 对"
    assert [cell.value for cell in sheet[3]] == HEADERS
    assert [cell.value for cell in sheet[4]][:8] == [
        1,
        "D1",
        "镁合金熔铸技术指导",
        "测试企业1",
        "成果",
        "A1",
        "镁合金熔铸与轧制成套技术",
        None,
    ]
    assert sheet["N4"].value == "1:project:1"
    assert sheet["N18"].value == "3:institute:2"
    assert sheet["E7"].value == "院所"
    assert sheet["F7"].value == "1"


def test_review_export_dropdown_print_setup_and_notes(db, tmp_path):
    path = tmp_path / "待审.xlsx"
    export_review(db, path)
    sheet = load_workbook(path).active
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"同意,不同意,待定"'
    assert str(validation.sqref) == "L4:L18"
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:N18"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert [sheet.cell(row=r, column=1).value for r in (20, 21)] == list(NOTES)


def test_review_round_trip_with_rows_and_columns_rearranged(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)
    _, columns, rows = read_review(exported)
    rows.sort(key=lambda row: (row[columns["匹配度"]], row[columns[KEY_HEADER]]))
    kept = rows[::2]
    for row in kept:
        target = row[columns["对象编号"]]
        row[columns[DECISION_HEADER]] = "不同意" if target.startswith("E") else "同意"
        row[columns[NOTE_HEADER]] = f"=备注{target}"
    # The reviewer moved the columns too: they come back in reverse order.
    write_reviewed(edited, HEADERS[::-1], [row[::-1] for row in kept], hidden_row=5)

    result = import_review(db, edited)

    experts = sum(1 for row in kept if row[columns["对象编号"]].startswith("E"))
    assert len(kept) == 8
    assert result.rows == 8
    assert result.rejected == experts == 3
    assert result.accepted == 5
    assert result.problems == []
    for row in kept:
        key = row[columns[KEY_HEADER]]
        expected = "rejected" if ":expert:" in key else "accepted"
        note = f"=备注{row[columns['对象编号']]}"
        assert match_state(db, key) == (expected, (expected, note))


def test_review_import_twice_changes_nothing(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)
    _, columns, rows = read_review(exported)
    for row in rows:
        row[columns[DECISION_HEADER]] = "同意"
    write_reviewed(edited, HEADERS, rows)
    first = import_review(db, edited)
    again = import_review(db, edited)
    assert first.accepted == 15
    assert again.accepted == 0
    assert again.unchanged == 15


def test_review_import_finds_rows_without_key_column(db, tmp_path):
    exported = tmp_path / "待审.xlsx"
    edited = tmp_path / "已审.xlsx"
    export_review(db, exported)
    _, columns, rows = read_review(exported)
    rows[0][columns[DECISION_HEADER]] = "不同意"
    key_index = columns[KEY_HEADER]
    write_reviewed(
        edited,
        [h for h in HEADERS if h != KEY_HEADER],
        [row[:key_index] + row[key_index + 1 :] for row in rows],
    )
    result = import_review(db, edited)
    assert result.rejected == 1
    assert result.blank == 14
    assert match_state(db, "1:project:1") == ("rejected", ("rejected", None))


def test_review_import_reads_previous_version_workbook(db, tmp_path):
    path = tmp_path / "旧版待审.xlsx"
    shutil.copy(PREVIOUS_VERSION_WORKBOOK, path)
    workbook = load_workbook(path)
    sheet = workbook.active
    key_letter = sheet.cell(row=1, column=HEADERS.index(KEY_HEADER) + 1).column_letter
    assert sheet.column_dimensions[key_letter].hidden
    decision_column = HEADERS.index(DECISION_HEADER) + 1
    keys = {row[-1].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    sheet.cell(row=keys["1:project:1"], column=decision_column, value="同意")
    sheet.cell(row=keys["3:expert:1"], column=decision_column, value="不同意")
    sheet.cell(row=keys["2:institute:2"], column=decision_column + 1, value="再联系")
    workbook.save(path)

    result = import_review(db, path)

    assert (result.rows, result.accepted, result.rejected) == (15, 1, 1)
    assert (result.pending, result.blank, result.problems) == (1, 12, [])
    assert match_state(db, "1:project:1") == ("accepted", ("accepted", None))
    assert match_state(db, "3:expert:1") == ("rejected", ("rejected", None))
    assert match_state(db, "2:institute:2") == ("proposed", ("pending", "再联系"))


def test_review_import_reports_unreadable_decision(db, tmp_path):
    edited, _, _ = review_first_pair(db, tmp_path, "大概吧")
    result = import_review(db, edited)
    assert result.problems == [
        "已审.xlsx › 待审匹配 › 第 4 行 › 列“决定”：不认识“大概吧”，"
        "应为 同意、不同意 或 待定"
    ]
    assert count(db, "SELECT count(*) FROM decisions") == 0


def test_rejected_in_review_stays_rejected_after_rerun(db, tmp_path):
    edited, columns, rows = review_first_pair(db, tmp_path, "不同意")
    import_review(db, edited)
    run_matching(db, threshold=0)
    assert match_state(db, rows[0][columns[KEY_HEADER]]) == (
        "rejected",
        ("rejected", None),
    )


def test_review_export_all_shows_decisions_made(db, tmp_path):
    edited, _, _ = review_first_pair(db, tmp_path, "不同意", "方向不符")
    import_review(db, edited)

    proposed_only = tmp_path / "仍待审.xlsx"
    everything = tmp_path / "全部.xlsx"
    assert export_review(db, proposed_only).rows == 14
    assert export_review(db, everything, include_decided=True).rows == 15
    _, columns, rows = read_review(everything)
    first = rows[0]
    assert first[columns[KEY_HEADER]] == "1:project:1"
    assert first[columns[DECISION_HEADER]] == "不同意"
    assert first[columns[NOTE_HEADER]] == "方向不符"
    assert load_workbook(everything).active["A2"].value == "全部匹配：15 对"


def test_review_export_writes_formula_like_text_as_text(db, tmp_path):
    db.execute("UPDATE demands SET title = '=HYPERLINK(\"x\")' WHERE id = 1")
    db.execute("UPDATE demands SET enterprise_name = '-40℃低温' WHERE id = 1")
    path = tmp_path / "待审.xlsx"
    export_review(db, path)
    sheet = load_workbook(path).active
    titles = [sheet.cell(row=r, column=3) for r in range(4, 19)]
    risky = [cell for cell in titles if cell.value == '=HYPERLINK("x")']
    assert len(risky) == 5
    assert {cell.data_type for cell in risky} == {"s"}
    units = {sheet.cell(row=cell.row, column=4).value for cell in risky}
    assert units == {"-40℃低温"}


def test_review_export_refuses_to_overwrite(db, tmp_path):
    path = tmp_path / "待审.xlsx"
    export_review(db, path)
    with pytest.raises(OutputExists):
        export_review(db, path)


def test_review_import_rejects_dedupe_review_workbook(db, tmp_path):
    path = tmp_path / "疑似重复.xlsx"
    dedupe_review.export_review(db, "institute", [], path)
    with pytest.raises(FileRejected) as caught:
        import_review(db, path)
    assert caught.value.message == (
        f"{path} {NOT_REVIEW}这是疑似重复审核表，请用 kjd dedupe --apply 导入。"
    )
    assert count(db, "SELECT count(*) FROM decisions") == 0


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [["名称", "决定", "备注"], ["吉林大学", "同意", None]],
        [["需求编号", "对象编号", "备注"], ["D1", "A1", "同意"]],
    ],
    ids=["empty", "decision-without-references", "references-without-decision"],
)
def test_review_import_rejects_other_workbooks(db, tmp_path, rows):
    path = tmp_path / "其他.xlsx"
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    with pytest.raises(FileRejected) as caught:
        import_review(db, path)
    assert caught.value.message == (
        f"{path} {NOT_REVIEW}请导入 kjd match review --export 导出并填好的工作簿。"
    )
    assert count(db, "SELECT count(*) FROM decisions") == 0


def test_review_import_rejects_workbook_of_another_database(db, tmp_path):
    edited, _, _ = review_first_pair(db, tmp_path, "同意")
    db.execute("DELETE FROM matches")
    with pytest.raises(FileRejected) as caught:
        import_review(db, edited)
    assert caught.value.message == (
        f"{edited} 中没有一行对应本数据库中的匹配"
        "（对接键、需求编号、对象编号都对不上）；"
        "请确认 --db 是导出时用的数据库，或重新导出审核工作簿。"
    )
    assert count(db, "SELECT count(*) FROM decisions") == 0


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
