"""Property: a roster written to xlsx or CSV and imported gives back its values.

Values are text with CJK, full-width characters and spaces. kjd stores the
display form (`clean_name` for names, `clean_prose` for descriptions), so the
property compares with those functions applied to the written text.
"""

import csv
import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.normalize import clean_name, clean_prose

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
FULL_WIDTH = st.characters(min_codepoint=0xFF10, max_codepoint=0xFF5A)
SPACES = st.sampled_from([" ", "\u3000", "\u00a0", "\u200b"])
ASCII = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="'")
TEXT = st.text(
    st.one_of(CJK, CJK, CJK, FULL_WIDTH, SPACES, ASCII), min_size=1, max_size=30
).filter(lambda text: clean_name(text) is not None)
ROWS = st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=8)


def roster_rows(rows):
    # A distinct prefix keeps titles unique, so each row is its own record.
    return [
        (f"企业{n}{name}", f"需求{n}{title}", text)
        for n, (name, title, text) in enumerate(rows)
    ]


def write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "需求名称", "需求描述"])
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = "s"  # text such as '=1' stays text, not a formula
    workbook.save(path)


def write_csv(path, rows, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["企业名称", "需求名称", "需求描述"])
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def imported(tmp_path, path):
    db = open_db(tmp_path / f"{path.stem}.db")
    report = import_paths(db, [path])
    assert [s.status for s in report.sheets] == ["ok"]
    return db.execute(
        "SELECT enterprise_name, title, description FROM demands ORDER BY source_row"
    ).fetchall()


def expected(rows):
    return [(clean_name(a), clean_prose(b), clean_prose(c)) for a, b, c in rows]


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(rows=ROWS)
def test_xlsx_round_trip(tmp_path_factory, rows):
    tmp_path = tmp_path_factory.mktemp("xlsx")
    rows = roster_rows(rows)
    path = tmp_path / "roster.xlsx"
    write_xlsx(path, rows)
    assert imported(tmp_path, path) == expected(rows)


@SETTINGS
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_round_trip(tmp_path_factory, rows, encoding):
    tmp_path = tmp_path_factory.mktemp("csv")
    rows = roster_rows(rows)
    path = tmp_path / "roster.csv"
    write_csv(path, rows, encoding)
    assert imported(tmp_path, path) == expected(rows)


def test_round_trip_keeps_cjk_and_folds_width(tmp_path):
    rows = [("长春德茂\u3000汽车", "ＡＢＳ防抱死 系统", "第一行\n　第二行（全角）")]
    path = tmp_path / "roster.xlsx"
    write_xlsx(path, rows)
    assert imported(tmp_path, path) == [
        ("长春德茂汽车", "ABS防抱死 系统", "第一行\n第二行（全角）")
    ]
