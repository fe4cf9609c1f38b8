"""Per-column shortcuts agree with converting every cell on its own, and rows
stored by kjd 0.1.0 compare as unchanged on re-import."""

import hashlib
from datetime import datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kjd.db import open_db
from kjd.importers import import_paths, load
from kjd.importers.columns import ValueMemo, block_of, clean_blocks
from kjd.importers.rosters import ROSTERS
from kjd.importers.values import Cell, converter
from kjd.normalize import is_clean_text

from .test_importers_load import DEMANDS, write_demands

CELLS = [
    "50万",
    "面议",
    "0.5亿",
    50.0,
    "５０万元",
    None,
    "2022.3",
    datetime(2024, 3, 1),
    True,
    1,
    1.0,
    "合作开发、技术许可",
    " 长春 市 ",
]
VALUE_TYPES = sorted(
    {kind for roster in ROSTERS.values() for kind in roster.fields.values()}
    - {"phone", "region", "city", "county"}
)


def convert_alone(value_type, raw, row_number):
    values, warnings = {}, []
    cell = Cell(row_number, "拟投入资金（万元）", values, warnings, "万元")
    converter(value_type)("budget", raw, cell)
    return values, [(w.row_number, w.code, w.message) for w in warnings]


def convert_memo(memo, raw, row_number):
    values, warnings = {}, []
    memo.apply(raw, Cell(row_number, "拟投入资金（万元）", values, warnings, "万元"))
    return values, [(w.row_number, w.code, w.message) for w in warnings]


@pytest.mark.parametrize("value_type", VALUE_TYPES)
def test_memo_matches_converter_every_row(value_type):
    memo = ValueMemo("budget", converter(value_type), "拟投入资金（万元）", "万元")
    for repeat in range(3):
        for position, raw in enumerate(CELLS):
            row_number = 10 * repeat + position + 3
            expected = convert_alone(value_type, raw, row_number)
            assert convert_memo(memo, raw, row_number) == expected, raw


def test_memo_keeps_true_and_one_apart():
    memo = ValueMemo("is_academician", converter("bool"), "是否院士", None)
    assert convert_memo(memo, "院士", 3)[0] == {"is_academician": 1}
    assert convert_memo(memo, True, 4)[0] == {"is_academician": 1}
    assert convert_memo(memo, "否", 5)[0] == {"is_academician": 0}


def test_memo_dropped_for_distinct_values():
    memo = ValueMemo("ref", converter("ref"), "编号", None)
    for number in range(2000):
        convert_memo(memo, f"D{number:05d}", number + 3)
    assert memo.active is False


def test_memo_extra_cells_are_copied_not_shared():
    memo = ValueMemo("headcount", converter("int"), "需求人数", None)
    first = convert_memo(memo, "若干", 3)[0]
    second = convert_memo(memo, "若干", 4)[0]
    assert first["_extra"] == {"需求人数": "若干"}
    first["_extra"]["其他"] = "x"
    assert second["_extra"] == {"需求人数": "若干"}


text = st.text(
    st.sampled_from(list("长春光机所ab 1２_x000D_\u3000\u200b，（）Ａ-\n")), max_size=12
)


@given(st.lists(st.one_of(st.none(), text, st.just(5.0)), max_size=600))
def test_clean_blocks_never_call_an_unclean_cell_clean(cells):
    rows = [["标题"]] + [[cell] for cell in cells]
    for spaces_allowed in (True, False):
        blocks = clean_blocks(rows, 0, 1, spaces_allowed)
        for index, cell in enumerate(cells, start=1):
            if type(cell) is str and blocks[block_of(index, 1)]:
                assert is_clean_text(cell), cell
                assert spaces_allowed or " " not in cell, cell


def test_clean_blocks_clean_column_all_clean():
    rows = [["标题"]] + [[f"长春光机所第{n}项，（含）"] for n in range(1000)]
    blocks = clean_blocks(rows, 0, 1, False)
    assert all(blocks[block_of(index, 1)] for index in range(1, 1001))


def test_clean_blocks_dirty_cell_marks_one_block():
    rows = [["标题"]] + [["干净"] for _ in range(1000)]
    rows[600][0] = "不\u3000干净"
    blocks = clean_blocks(rows, 0, 1, False)
    assert [blocks[block_of(index, 1)] for index in (1, 300, 600, 900)] == [
        True,
        True,
        False,
        True,
    ]


def legacy_hash(items):
    text = repr(sorted(items))
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def write_enterprises(path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "所在地区", "所属行业"])
    sheet.append(["长春德茂汽车零部件有限公司", "长春市", "汽车零部件"])
    sheet.append(["吉林省瑞丰生物科技有限公司", "吉林市", "生物医药"])
    workbook.save(path)
    return path


def test_enterprise_legacy_hash_unchanged(db_path, tmp_path, monkeypatch):
    db = open_db(db_path)
    path = write_enterprises(tmp_path / "企业.xlsx")
    with monkeypatch.context() as patch:
        # kjd 0.1.0 hashed the repr() of the row's items
        patch.setattr(load, "row_hash", lambda row: legacy_hash(list(row.items())))
        [first] = import_paths(db, [path]).sheets
    assert first.inserted == 2

    [again] = import_paths(db, [path]).sheets
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_demand_legacy_hash_unchanged(db_path, tmp_path, monkeypatch):
    db = open_db(db_path)
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    with monkeypatch.context() as patch:
        patch.setattr(load, "row_hash", lambda row: legacy_hash(list(row.items())))
        [first] = import_paths(db, [path]).sheets
    assert first.inserted == 4

    [again] = import_paths(db, [path]).sheets
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_values_filled_after_import_survive_a_reimport(db_path, tmp_path):
    db = open_db(db_path)
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    import_paths(db, [path])
    # what a merge does: fill a blank column of the kept record
    db.execute("UPDATE demands SET email = 'kjd@example.cn'")
    db.conn.commit()

    [sheet] = import_paths(db, [path]).sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 0, 4)
    emails = {row[0] for row in db.execute("SELECT email FROM demands")}
    assert emails == {"kjd@example.cn"}


def test_demand_with_a_changed_description_is_updated(db_path, tmp_path):
    db = open_db(db_path)
    import_paths(db, [write_demands(tmp_path / "需求.xlsx", DEMANDS)])
    changed = [list(row) for row in DEMANDS]
    changed[0][4] = "真空压铸，模具改造"
    path = write_demands(tmp_path / "需求_修订.xlsx", changed)

    [sheet] = import_paths(db, [path]).sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 3)
    description = db.execute(
        "SELECT description FROM demands WHERE title = '压铸件气孔控制' ORDER BY id"
    ).fetchone()[0]
    assert description == "真空压铸，模具改造"


def test_memo_kept_for_repeated_values():
    memo = ValueMemo("budget", converter("amount"), "拟投入资金（万元）", "万元")
    # one cell in ten is new: 2,500 distinct values among 25,000 cells
    for number in range(25000):
        convert_memo(memo, f"{number // 10}万" if number % 10 == 0 else "50万", 3)
    assert memo.active is True
