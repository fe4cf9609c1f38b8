"""`kjd import` end to end: exit codes, streams, JSON, GBK console, a killed run."""

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import openpyxl

from kjd.db import open_db
from kjd.importers import import_paths

from ..conftest import CASES, needs_cases


def write_demands(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "技术需求"
    sheet.append(["序号", "企业名称", "需求名称", "需求描述"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_exit_3_when_rows_are_rejected(invoke, tmp_path):
    path = write_demands(
        tmp_path / "需求.xlsx",
        [[1, "甲公司", "需求一", "描述"], [2, "乙公司", None, None]],
    )
    result = invoke("import", path)
    assert result.exit_code == 3
    assert result.stdout.startswith(
        "导入完成：读取 2 行，新增 1，更新 0，未变 0，拒收 1"
    )
    assert "需求_未导入.xlsx" in result.stderr
    assert "需求_未导入.xlsx" not in result.stdout
    assert (tmp_path / "需求_未导入.xlsx").exists()


def test_import_json_equals_library_result(invoke, tmp_path, db_path):
    path = write_demands(tmp_path / "需求.xlsx", [[1, "甲公司", "需求一", "描述"]])
    result = invoke("import", path, "--json", "--dry-run")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    library = import_paths(open_db(tmp_path / "other.db"), [path], dry_run=True)
    assert document == json.loads(json.dumps(library.to_dict()))
    entry = document["files"][0]
    assert set(entry) >= {
        "path", "sheet", "kind", "header_row", "read", "inserted", "updated",
        "unchanged", "rejected", "skipped", "warnings", "status",
    }  # fmt: skip
    assert (entry["kind"], entry["header_row"], entry["inserted"]) == ("demands", 1, 1)


def test_import_ambiguous_kind_exits_2(invoke, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("单位名称,联系人,联系电话\n某单位,张三,13800000001\n", "utf-8")
    result = invoke("import", path)
    assert result.exit_code == 2
    assert "--kind" in result.stderr


def test_import_ambiguous_by_reference_lists_candidates(invoke, tmp_path):
    """Neither kind has its required column, and both have a reference column."""
    path = tmp_path / "名单.csv"
    path.write_text("需求编号,专家编号,联系电话\nD1,E1,13800000001\n", "utf-8")
    result = invoke("import", path)
    assert result.exit_code == 2
    assert (
        "表头同样符合企业需求（需求编号、联系电话）、专家（专家编号、联系电话），"
        "无法判断名单类型，请用 --kind demands 或 --kind experts 指定。"
    ) in result.stderr.replace("\n", "")
    with_kind = invoke("import", path, "--kind", "experts", "--json")
    assert with_kind.exit_code == 0
    entry = json.loads(with_kind.stdout)["files"][0]
    assert (entry["kind"], entry["kind_detected"], entry["inserted"]) == (
        "experts",
        False,
        1,
    )


@needs_cases
def test_import_b18_names_the_detected_kind(invoke):
    result = invoke("import", CASES / "B18_sqlite_type_drift.csv")
    assert result.exit_code == 0
    assert result.stdout.startswith("导入完成：读取 150 行，新增 150，")
    assert (
        "B18_sqlite_type_drift.csv › B18_sqlite_type_drift：科技成果（按表头识别），"
        "表头第 1 行，读取 150，新增 150"
    ) in result.stderr.replace("\n", "")
    assert "第 141 行 › 列“经费（万元）”" in result.stderr.replace("\n", "")


def test_import_only_non_rosters_exits_1(invoke, tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text("这不是名单。\n", encoding="utf-8")
    result = invoke("import", path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["status"] == "not-roster"


def test_import_missing_file_is_usage_error(invoke, tmp_path):
    result = invoke("import", tmp_path / "没有这个文件.xlsx")
    assert result.exit_code == 2


def test_import_unknown_kind_is_usage_error(invoke, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", [[1, "甲公司", "需求一", "描述"]])
    result = invoke("import", path, "--kind", "people")
    assert result.exit_code == 2
    assert "未知的名单类型" in result.stderr


@needs_cases
def test_gbk_console_dry_run_prints_the_table(kjd_command, subprocess_env, db_path):
    env = dict(subprocess_env, PYTHONIOENCODING="gbk")
    source = CASES / "B21_gbk_console_chars.xlsx"
    completed = subprocess.run(
        [*kjd_command, "--db", str(db_path), "import", str(source)]
        + ["--kind", "enterprises", "--dry-run"],
        env=env,
        capture_output=True,
    )
    assert completed.returncode == 0, completed.stderr.decode("gbk", "replace")
    stdout = completed.stdout.decode("gbk")
    assert "温度≤-40℃" in stdout
    assert "黑土地保护性耕作" in stdout
    assert "?已对接" in stdout.replace(" ", "")
    assert "预检（未写入）：读取 3 行，新增 3" in stdout


@needs_cases
def test_gbk_console_import_summary_and_exact_characters_stored(
    kjd_command, subprocess_env, db_path
):
    env = dict(subprocess_env, PYTHONIOENCODING="gbk")
    source = CASES / "B21_gbk_console_chars.xlsx"
    completed = subprocess.run(
        [
            *kjd_command,
            "--db",
            str(db_path),
            "import",
            str(source),
            "--kind",
            "enterprises",
        ],
        env=env,
        capture_output=True,
    )
    assert completed.returncode == 0, completed.stderr.decode("gbk", "replace")
    assert "导入完成" in completed.stdout.decode("gbk")
    conn = sqlite3.connect(db_path)
    names = {row[0] for row in conn.execute("SELECT name FROM enterprises")}
    assert "吉林省䶮丰农业科技有限公司" in names
    assert "延边𠮷林特产有限公司" in names
    notes = {
        json.loads(row[0]).get("备注")
        for row in conn.execute("SELECT extra FROM enterprises")
    }
    assert {"✓ 已对接", "⚠ 待确认", "温度≤-40℃"} <= notes


def table_counts(path):
    conn = sqlite3.connect(path)
    tables = ("demands", "enterprises", "imports", "import_warnings", "rejects")
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
    }
    conn.close()
    return counts


def write_large_csv(path, rows):
    lines = ["企业名称,需求名称,需求描述,联系电话"]
    for number in range(rows):
        lines.append(
            f"企业{number % 3000}有限公司,需求{number},"
            f"描述{number}需要解决铝合金压铸件气孔缺陷并提高良品率,"
            f"{13800000000 + number}"
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def wait_for_write_lock(db_path, process, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
        time.sleep(0.02)
    return False


def test_killed_import_leaves_database_unchanged(
    invoke, kjd_command, subprocess_env, db_path, tmp_path
):
    small = write_demands(tmp_path / "先导.xlsx", [[1, "甲公司", "需求一", "描述"]])
    assert invoke("import", small).exit_code == 0
    before = table_counts(db_path)
    big = write_large_csv(tmp_path / "大名单.csv", 30000)
    process = subprocess.Popen(
        [*kjd_command, "--db", str(db_path), "import", str(big)],
        env=subprocess_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_write_lock(db_path, process), "import never started writing"
        time.sleep(0.5)
        assert process.poll() is None, "import finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert table_counts(db_path) == before
    check = subprocess.run(
        [*kjd_command, "--db", str(db_path), "db", "check"],
        env=subprocess_env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok"


def test_dry_run_creates_no_database(invoke, tmp_path):
    path = tmp_path / "企业.csv"
    lines = ["企业名称,联系电话"]
    lines += [f"吉林德茂{n}号科技有限公司,1.380000000{n}E+10" for n in range(7)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "new.db"
    result = invoke("import", path, "--dry-run", db=target)
    assert result.exit_code == 0
    assert not target.exists()
    assert result.stdout.splitlines()[-1] == (
        "预检（未写入）：读取 7 行，新增 7，更新 0，未变 0，拒收 0，跳过 0"
    )
    notice = "企业.csv › 企业：另有 2 条警告，预检不保存警告（加 -v 显示更多）"
    assert result.stderr.splitlines()[-1] == notice
    assert "import_warnings" not in result.stderr


def test_exit_closes_database_keeps_code(
    kjd_command, subprocess_env, db_path, tmp_path
):
    rows = [[1, "甲公司", "需求一", "描述"], [2, "乙公司", None, None]]
    path = write_demands(tmp_path / "需求.xlsx", rows)
    completed = subprocess.run(
        [*kjd_command, "--db", str(db_path), "import", str(path)],
        env=subprocess_env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 3, completed.stderr
    assert "拒收 1" in completed.stdout + completed.stderr
    # closing the connection checkpoints the log into the .db file
    assert not Path(f"{db_path}-wal").exists()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT title FROM demands").fetchall() == [("需求一",)]


def test_dry_run_older_database_unchanged(invoke, tmp_path):
    from ..test_db import build_version_1

    old = tmp_path / "old.db"
    build_version_1(old)
    before = old.read_bytes()
    path = write_demands(tmp_path / "需求.xlsx", [[1, "甲公司", "需求一", "描述"]])

    result = invoke("import", path, "--dry-run", db=old)
    assert result.exit_code == 0, result.stderr
    assert "新增 1" in result.stdout + result.stderr
    assert old.read_bytes() == before
    assert not list(tmp_path.glob("old.db.v1-*.bak"))
