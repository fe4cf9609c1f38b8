"""Safe cell text, CJK widths and worksheet names."""

import pytest

from kjd.reports.cells import (
    EXCEL_CELL_LIMIT,
    clean_sheet_name,
    clean_text,
    display_width,
    fit_cell_limit,
    line_count,
    starts_like_formula,
    utf16_length,
)


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("吉林大学", 8),
        ("（万元）", 8),
        ("ABS防抱死", 9),
        ("-40℃低温", 9),
        ("—…·", 6),
        ("", 0),
    ],
)
def test_display_width_counts_cjk_as_two(text, width):
    assert display_width(text) == width


def test_line_count_wraps_by_width():
    assert line_count("吉林大学" * 5, 11) == 4
    assert line_count("第一行\n第二行", 40) == 2
    assert line_count("", 10) == 1


def test_clean_text_removes_control_characters():
    assert clean_text("a\x00b\x07c\x1fd\x7f") == "abcd"


def test_clean_text_keeps_tab_and_unifies_line_breaks():
    assert clean_text("\t=2+3") == "\t=2+3"
    assert clean_text("一\r\n二\r三_x000D_\n四") == "一\n二\n三\n四"


def test_fit_cell_limit_leaves_short_text():
    assert fit_cell_limit("吉林" * 100) == ("吉林" * 100, False)


def test_fit_cell_limit_cuts_with_marker():
    text, was_cut = fit_cell_limit("长" * 40000)
    assert was_cut
    assert utf16_length(text) <= EXCEL_CELL_LIMIT
    assert text.endswith("……【已截断：原文共 40000 字，超出单元格上限】")
    assert text.startswith("长" * 30000)


def test_fit_cell_limit_counts_astral_characters_twice():
    text, was_cut = fit_cell_limit("𠮷" * 20000)
    assert was_cut
    assert utf16_length(text) <= EXCEL_CELL_LIMIT
    assert "�" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", True),
        ("+86 431", True),
        ("-40℃低温冷启动技术", True),
        ("@德茂公司", True),
        ("\t=2+3", True),
        ("－30%能耗降低目标", False),
        ("吉林大学", False),
    ],
)
def test_starts_like_formula(text, expected):
    assert starts_like_formula(text) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("对接[2025]:清单*?/\\", "对接_2025__清单____"),
        ("'引号'", "引号"),
        ("", "Sheet"),
        ("History", "History_"),
        ("长春市" * 20, ("长春市" * 20)[:31]),
    ],
)
def test_clean_sheet_name_rules(name, expected):
    assert clean_sheet_name(name) == expected


def test_clean_sheet_name_unique_ignoring_case():
    taken: set[str] = set()
    assert clean_sheet_name("Sheet", taken) == "Sheet"
    assert clean_sheet_name("sheet", taken) == "sheet(2)"
    assert clean_sheet_name("SHEET", taken) == "SHEET(3)"


def test_clean_sheet_name_suffix_stays_within_31():
    taken: set[str] = set()
    long_name = "技术领域" * 10
    first = clean_sheet_name(long_name, taken)
    second = clean_sheet_name(long_name, taken)
    assert len(first) == 31
    assert len(second) == 31
    assert second.endswith("(2)")
    assert first != second
