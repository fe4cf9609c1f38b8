"""`kjd report docket` and `kjd report summary` end to end."""

import csv
import io
import json
import sqlite3
import subprocess

import openpyxl
import pytest

from kjd.db import open_db
from kjd.reports.docket import write_docket
from kjd.reports.summary import write_summary
from tests.reports_data import build_database


@pytest.fixture
def filled_db(db_path):
    build_database(db_path).conn.close()
    return db_path


def docket_phones(path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["对接清单"]
    return [row[11] for row in sheet.iter_rows(min_row=4, values_only=True) if row[11]]


def test_docket_writes_masked_workbook(invoke, filled_db, tmp_path):
    path = tmp_path / "清单.xlsx"
    result = invoke("report", "docket", "-o", path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (f"已写入 {path}（对接清单 6 行，未匹配需求 2 行）")
    assert result.stderr == ""
    assert docket_phones(path)[0] == "138****0001\nz***@example.com"


def test_docket_show_contacts(invoke, filled_db, tmp_path):
    path = tmp_path / "清单.xlsx"
    result = invoke("report", "docket", "-o", path, "--show-contacts")

    assert result.exit_code == 0, result.stderr
    assert docket_phones(path)[0] == "13800000001\nzhangsan@example.com"


def test_docket_refuses_overwrite(invoke, filled_db, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"old")

    result = invoke("report", "docket", "-o", path)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "输出文件已存在" in result.stderr
    assert "--force" in result.stderr
    assert path.read_bytes() == b"old"
    assert invoke("report", "docket", "-o", path, "--force").exit_code == 0
    assert len(docket_phones(path)) == 6


def test_docket_locked_target(invoke, filled_db, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"old")
    (tmp_path / "~$清单.xlsx").write_bytes(b"")

    result = invoke("report", "docket", "-o", path, "--force", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "output-not-writable"
    assert result.stderr.count("\n") == 1
    assert "正在被 Excel 或 WPS 打开" in result.stderr
    assert path.read_bytes() == b"old"


def test_docket_json_equals_library(invoke, filled_db, tmp_path):
    cli_path = tmp_path / "cli.xlsx"
    result = invoke("report", "docket", "-o", cli_path, "--region", "长春", "--json")
    library_path = tmp_path / "library.xlsx"
    library = write_docket(open_db(filled_db), library_path, region="长春")

    document = json.loads(result.stdout)
    expected = {**library.to_dict(), "path": str(cli_path), "status": "ok"}
    assert result.exit_code == 0, result.stderr
    assert document == expected
    assert document["rows"] == 2


def test_docket_csv_to_stdout(invoke, filled_db):
    result = invoke("report", "docket", "--format", "csv", "--status", "accepted")

    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    assert rows[0][0] == "序号"
    assert {row[10] for row in rows[1:]} == {"已确认"}


def test_docket_json_format_to_stdout(invoke, filled_db):
    result = invoke("report", "docket", "--format", "json", "--event", "1")

    document = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert document["status"] == "ok"
    assert [row["table_number"] for row in document["sheets"][0]["rows"]] == ["3", "5"]


def test_json_flag_rejects_csv_on_stdout(invoke, filled_db):
    result = invoke("report", "docket", "--format", "csv", "--json")

    assert result.exit_code == 2
    assert json.loads(result.stdout)["status"] == "error"


@pytest.mark.parametrize(
    "arguments",
    [
        ("docket", "--status", "rejected"),
        ("docket", "--group-by", "colour"),
        ("docket", "--format", "pdf"),
        ("summary", "--year", "2025", "--from", "2025-01-01"),
        ("summary", "--from", "昨天"),
    ],
)
def test_report_usage_errors(invoke, filled_db, arguments):
    result = invoke("report", *arguments)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("错误：")


def test_docket_unknown_event(invoke, filled_db, tmp_path):
    result = invoke("report", "docket", "--event", "42", "-o", tmp_path / "x.xlsx")

    assert result.exit_code == 1
    assert "没有编号为 42 的对接活动" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_summary_json_equals_library(invoke, filled_db, tmp_path):
    cli_path = tmp_path / "cli.xlsx"
    result = invoke("report", "summary", "--year", "2025", "-o", cli_path, "--json")
    library_path = tmp_path / "library.xlsx"
    library = write_summary(open_db(filled_db), library_path, year=2025)

    document = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert document == {**library.to_dict(), "path": str(cli_path), "status": "ok"}
    assert document["funnel"]["collected"] == 3


def test_summary_markdown_file(invoke, filled_db, tmp_path):
    path = tmp_path / "汇总.md"
    result = invoke("report", "summary", "-o", path)

    text = path.read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert text.startswith("# 科技成果与企业需求对接工作汇总")
    assert "| 7 | 落地 | 1 | 20.0% | 1 | 80.00 |" in text


def test_docket_default_file_name(filled_db, kjd_command, subprocess_env, tmp_path):
    completed = subprocess.run(
        [*kjd_command, "--db", str(filled_db), "report", "docket"],
        cwd=tmp_path,
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    written = sorted(p.name for p in tmp_path.glob("对接清单-*.xlsx"))
    assert completed.returncode == 0, completed.stderr
    assert len(written) == 1
    assert written[0] in completed.stdout


def test_markdown_on_gbk_console(filled_db, kjd_command, subprocess_env):
    """A GBK console (Chinese Windows) cannot encode 䶮: it prints '?' instead."""
    conn = sqlite3.connect(filled_db)
    conn.execute(
        "UPDATE enterprises SET name = '吉林省䶮丰农业科技有限公司' WHERE id = 1"
    )
    conn.commit()
    conn.close()

    completed = subprocess.run(
        [*kjd_command, "--db", str(filled_db), "report", "docket", "--format", "md"],
        env={**subprocess_env, "PYTHONIOENCODING": "gbk"},
        capture_output=True,
        timeout=60,
    )

    text = completed.stdout.decode("gbk")
    assert completed.returncode == 0, completed.stderr.decode("gbk", "replace")
    assert "吉林省?丰农业科技有限公司" in text
