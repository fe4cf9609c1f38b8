"""Pure text helpers: spaces, width, phones, codes, amounts, dates."""

import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kjd.normalize import (
    ParsedDate,
    apply_zero_format,
    clean_line_breaks,
    clean_name,
    clean_name_text,
    clean_prose,
    clean_prose_text,
    credit_code_is_valid,
    fold_width,
    identifier_text,
    is_blank,
    match_key,
    normalize_credit_code,
    parse_amount_wan,
    parse_bool,
    parse_date,
    parse_int,
    parse_phones,
    remove_spaces,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("长春德茂汽车零部件有限公司\u3000", "长春德茂汽车零部件有限公司"),
        ("\xa0长春德茂汽车零部件有限公司", "长春德茂汽车零部件有限公司"),
        ("长春德茂汽车零部件有限公司\u200b", "长春德茂汽车零部件有限公司"),
        ("\ufeff吉林省瑞丰生物科技有限公司", "吉林省瑞丰生物科技有限公司"),
        ("长春德茂（汽车）零部件有限公司", "长春德茂(汽车)零部件有限公司"),
        ("ＡＢＳ防抱死", "abs防抱死"),
        (None, ""),
    ],
)
def test_match_key_folds_width_case_and_spaces(text, expected):
    assert match_key(text) == expected


def test_remove_spaces_and_is_blank():
    assert remove_spaces("a\u3000b\u00a0c\u200bd\ufeff") == "abcd"
    assert is_blank(None)
    assert is_blank(float("nan"))
    assert is_blank("\u3000 \u200b")
    assert not is_blank("0")


def test_clean_line_breaks_turns_escapes_into_newlines():
    assert clean_line_breaks("a_x000D_\nb\r\nc\rd") == "a\nb\nc\nd"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("长春德茂汽车零部件有限公司\u3000", "长春德茂汽车零部件有限公司"),
        ("长春德茂 汽车\n零部件", "长春德茂汽车零部件"),
        (
            "Changchun  Institute of\u00a0Applied Chemistry",
            "Changchun Institute of Applied Chemistry",
        ),
        ("中科院 CIAC 团队", "中科院CIAC团队"),
        ("ＡＢＣ１２３（汽车）", "ABC123（汽车）"),
        ("\u3000\u200b", None),
        (None, None),
    ],
)
def test_clean_name(value, expected):
    assert clean_name(value) == expected


def test_clean_prose_keeps_line_breaks_and_drops_indentation():
    text = "\u3000\u3000随着社会_x000D_\n    发展  很快\r\n\r\n\r\n2.结论  "
    assert clean_prose(text) == "随着社会\n发展 很快\n\n2.结论"


@pytest.mark.parametrize(
    "value,expected_text,expected_note",
    [
        (13800000001.0, "13800000001", None),
        (13800000001, "13800000001", None),
        ("13800000004.0", "13800000004", None),
        ("1.3800000005E+10", "13800000005", "scientific"),
        (2.02401150000012e17, "2.02401150000012E+17", "precision-lost"),
        ("202401150000012346", "202401150000012346", None),
        ("2024011500000123E+2", "2024011500000123E+2", None),
        ("2.02401150000012E+17", "2.02401150000012E+17", "precision-lost"),
        ("JLKJ-2024-121", "JLKJ-2024-121", None),
        ("０１０", "010", None),
        (12.5, "12.5", None),
    ],
)
def test_identifier_text(value, expected_text, expected_note):
    assert identifier_text(value) == (expected_text, expected_note)


@pytest.mark.parametrize(
    "value,number_format,expected",
    [
        (14000.0, "000000", "014000"),
        (130012.0, "000000", "130012"),
        (14000.0, "0.00", None),
        (14000.0, "General", None),
        (7.0, '"0000"', "0007"),
        (2.02401150000012e17, "0", None),
        (999999999999999.0, "0", "999999999999999"),
    ],
)
def test_apply_zero_format(value, number_format, expected):
    assert apply_zero_format(value, number_format) == expected


@pytest.mark.parametrize(
    "value,numbers,notes",
    [
        (13800000001.0, ["13800000001"], [None]),
        ("139 0000 0003", ["13900000003"], [None]),
        ("13800000004.0", ["13800000004"], [None]),
        ("1.3800000005E+10", ["13800000005"], ["scientific"]),
        ("１３８００００００１１", ["13800000011"], [None]),
        ("138-0000-0011", ["13800000011"], [None]),
        ("+86 138 0000 0011", ["13800000011"], [None]),
        ("(0432)62000000", ["0432-62000000"], [None]),
        ("0431-85000000", ["0431-85000000"], [None]),
        ("043185000000", ["0431-85000000"], [None]),
        ("13800000023；13800000024", ["13800000023", "13800000024"], [None, None]),
        ("12345", ["12345"], ["invalid"]),
    ],
)
def test_parse_phones(value, numbers, notes):
    phones = parse_phones(value)
    assert [phone.number for phone in phones] == numbers
    assert [phone.note for phone in phones] == notes


def test_parse_phones_keeps_contact_names():
    phones = parse_phones("联系人A：13800000021_x000D_\n联系人B：13800000022")
    assert [(p.contact, p.number) for p in phones] == [
        ("联系人A", "13800000021"),
        ("联系人B", "13800000022"),
    ]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("91220101MA0Y00002x", "91220101MA0Y00002X"),
        ("９１２２０１０１ＭＡ０Ｙ００００２Ｘ", "91220101MA0Y00002X"),
        ("91220101MA0Y00002X ", "91220101MA0Y00002X"),
        (None, None),
    ],
)
def test_normalize_credit_code(value, expected):
    assert normalize_credit_code(value) == expected


@pytest.mark.parametrize(
    "code,valid",
    [
        ("91520000214434146R", True),
        ("91110000710925462X", True),
        ("91440300192317458F", True),
        ("91440300192317458G", False),
        ("9152000O214434146R", False),
        ("915200002144341", False),
    ],
)
def test_credit_code_check_character(code, valid):
    assert credit_code_is_valid(code) is valid


@pytest.mark.parametrize(
    "value,unit,expected",
    [
        (50, "万元", 50.0),
        ("50", "万元", 50.0),
        ("50万", "万元", 50.0),
        ("50万元", "万元", 50.0),
        ("0.5亿", "万元", 5000.0),
        ("500,000元", "万元", 50.0),
        ("5千万", "万元", 5000.0),
        ("200（首期）", "万元", 200.0),
        ("面议", "万元", None),
        ("待定", "万元", None),
        ("", "万元", None),
        (None, "万元", None),
        (500000, "元", 50.0),
        ("１２０万", "万元", 120.0),
    ],
)
def test_parse_amount_wan(value, unit, expected):
    assert parse_amount_wan(value, unit) == expected


@pytest.mark.parametrize(
    "value,expected,note,open_end",
    [
        ("2022.3", "2022-03", None, False),
        ("2022年3月", "2022-03", None, False),
        ("2022/3/15", "2022-03-15", None, False),
        ("2022-03", "2022-03", None, False),
        ("2022年3月15日", "2022-03-15", None, False),
        ("2022.3-至今", None, None, True),
        ("2022.3—2024.12", "2024-12", None, False),
        ("03/04/2022", "2022-03-04", "ambiguous", False),
        ("25/04/2022", "2022-04-25", None, False),
        (45000, "2023-03-15", None, False),
        (datetime(2024, 3, 15, 0, 0), "2024-03-15", None, False),
        (date(2024, 3, 15), "2024-03-15", None, False),
        ("尽快", None, "invalid", False),
        ("2022.13", None, "invalid", False),
    ],
)
def test_parse_date(value, expected, note, open_end):
    parsed = parse_date(value)
    assert parsed.value == expected
    assert parsed.note == note
    assert parsed.open_end is open_end


def test_parse_int_and_bool():
    assert parse_int("3人") == 3
    assert parse_int("2-3名") == 2
    assert parse_int(4.0) == 4
    assert parse_int("若干") is None
    assert parse_bool("是") is True
    assert parse_bool("否") is False
    assert parse_bool("√") is True
    assert parse_bool("待定") is None


def test_space_class_lists_every_zs_and_cf_character():
    import re
    import sys
    import unicodedata

    from kjd.normalize import ZS_CF_CLASS

    pattern = re.compile(f"[{ZS_CF_CLASS}]")
    listed = {chr(c) for c in range(sys.maxunicode + 1) if pattern.match(chr(c))}
    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Zs", "Cf")
    }
    assert listed == expected


# Text mixing what rosters contain: Chinese, ASCII, full-width forms, every
# kind of space and line break, control characters and the `_x000D_` escape.
ROSTER_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [" ", "  ", "\u3000", "\xa0", "\u200b", "\ufeff", "\t", "\n", "\r\n"]
            + ["_x000D_", "\x07", "\u2028", "\x85", "（", "）", "，", "Ａ", "１"]
            + ["长春", "德茂", "有限公司", "abc", "D001", "-"]
        ),
        st.text(max_size=3),
    ),
    max_size=12,
).map("".join)


@given(ROSTER_TEXT)
def test_clean_name_fast_path_equals_full_cleaning(text):
    assert clean_name(text) == clean_name_text(text)


@given(ROSTER_TEXT)
def test_clean_prose_fast_path_equals_full_cleaning(text):
    assert clean_prose(text) == clean_prose_text(text)


@given(ROSTER_TEXT)
def test_identifier_text_fast_path_equals_folding(text):
    """Text already folded and without spaces takes the fast path."""
    assert identifier_text(text) == identifier_text(remove_spaces(fold_width(text)))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
def test_match_key_ascii_fast_path(text):
    """ASCII text takes a shortcut; it must give the general result."""
    general = remove_spaces(unicodedata.normalize("NFKC", text).casefold())
    assert match_key(text) == general


def test_width_folding_keeps_symbols():
    text = "－30℃ ①号 120㎡ Ａ１ ™ ½ ﬁ （注）"
    assert fold_width(text) == "-30℃ ①号 120㎡ A1 ™ ½ ﬁ （注）"
    assert clean_name("Ａ１型①号－30℃冷库120㎡") == "A1型①号-30℃冷库120㎡"
    assert clean_prose("温度≤５℃，面积１０㎡") == "温度≤5℃，面积10㎡"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2025, "2025"),
        (2025.0, "2025"),
        ("2025", "2025"),
        (2022.3, "2022-03"),
        (2024.12, "2024-12"),
        (20250630, "2025-06-30"),
        (45000, "2023-03-15"),
    ],
)
def test_parse_date_number_reads_as_text(value, expected):
    assert parse_date(value).value == expected


@pytest.mark.parametrize("value", [1, 60, 2250, "45000.5", "5000.5"])
def test_number_that_is_no_date_is_invalid(value):
    assert parse_date(value) == ParsedDate(None, "invalid")


def test_parse_int_rejects_over_64_bits():
    assert parse_int(10**21) is None
    assert parse_int("123456789012345678901人") is None
    assert parse_int(2**63 - 1) == 2**63 - 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.0", True), ("2", True), ("0.0", False), (1.0, True), ("x", None)],
)
def test_bool_reads_number_text_as_excel_reads_numbers(value, expected):
    assert parse_bool(value) is expected


def test_parse_date_year_dot_one_flagged():
    assert parse_date(2025.1) == ParsedDate("2025-01", "month-cut")
    assert parse_date("2025.1") == ParsedDate("2025-01", None)
