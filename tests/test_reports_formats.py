"""CSV, JSON and Markdown output carry the workbook's rows and columns."""

import csv
import io
import json

import openpyxl
import pytest

from kjd.errors import UsageError
from kjd.reports.docket import build_docket
from kjd.reports.report import format_for, render_text, write_report
from tests.reports_data import build_database


@pytest.fixture
def report(tmp_path):
    return build_docket(build_database(tmp_path / "kjd.db"))


def test_csv_rows_match_workbook(report, tmp_path):
    workbook_path = tmp_path / "清单.xlsx"
    write_report(report, workbook_path)
    sheet = openpyxl.load_workbook(workbook_path)["对接清单"]
    workbook_titles = [
        row[3] for row in sheet.iter_rows(min_row=4, values_only=True) if row[3]
    ]

    rows = list(csv.reader(io.StringIO(render_text(report, "csv"))))

    assert rows[0][:3] == ["序号", "技术领域", "企业名称"]
    assert len(rows) - 1 == len(workbook_titles) == 6
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    titles = [row[4] for row in rows[1:]]
    assert [title.lstrip("'") for title in titles] == workbook_titles


def test_csv_formula_prefix(report):
    rows = list(csv.reader(io.StringIO(render_text(report, "csv"))))
    titles = {row[4] for row in rows[1:]}
    assert "'-40℃低温冷启动技术" in titles
    assert '\'=HYPERLINK("http://example.invalid/x","点击查看详情")' in titles


def test_csv_sheet_choice(report):
    rows = list(csv.reader(io.StringIO(render_text(report, "csv", "unmatched"))))
    assert rows[0][0:4] == ["序号", "企业名称", "所在地", "需求名称"]
    assert [row[3] for row in rows[1:]] == ["被否决的需求", "冷链物流保鲜"]
    with pytest.raises(UsageError):
        render_text(report, "csv", "nope")


def test_json_document(report):
    document = json.loads(render_text(report, "json"))
    docket_sheet = document["sheets"][0]
    assert document["report"] == "docket"
    assert docket_sheet["key"] == "docket"
    assert docket_sheet["columns"][1] == {"key": "field", "header": "技术领域"}
    assert len(docket_sheet["rows"]) == 6
    first = docket_sheet["rows"][0]
    assert first["demand_title"] == "-40℃低温冷启动技术"
    assert first["phone"] == "138****0001\nz***@example.com"
    assert first["score"] == 86.4
    assert document["contacts_masked"] is True


def test_markdown_tables(report):
    text = render_text(report, "md")
    lines = text.splitlines()
    assert lines[0] == "# 企业需求与科技成果对接清单"
    assert "## 对接清单" in lines
    assert "## 未匹配需求" in lines
    assert sum(1 for line in lines if line.startswith("| 1 |")) == 2
    assert "138****0001<br>z***@example.com" in text


def test_csv_file_has_bom(report, tmp_path):
    path = tmp_path / "清单.csv"
    result = write_report(report, path)
    assert result.format == "csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert result.sheets == {"对接清单": 6}


@pytest.mark.parametrize(
    ("path", "requested", "expected"),
    [
        ("a.xlsx", None, "xlsx"),
        ("a.CSV", None, "csv"),
        ("a.md", None, "md"),
        ("a.json", None, "json"),
        ("清单", None, "xlsx"),
        (None, None, "xlsx"),
        ("a.xlsx", "csv", "csv"),
    ],
)
def test_format_for(path, requested, expected):
    assert format_for(path, requested) == expected


@pytest.mark.parametrize(("path", "requested"), [(None, "pdf"), ("a.txt", None)])
def test_format_unknown(path, requested):
    with pytest.raises(UsageError):
        format_for(path, requested)
