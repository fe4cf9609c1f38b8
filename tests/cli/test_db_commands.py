"""`kjd db` commands end to end."""

import json
import sqlite3
import subprocess

from kjd.schema import SCHEMA_VERSION


def test_db_info_json_gives_version_and_counts(invoke):
    result = invoke("db", "info", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["counts"]["demands"] == 0
    assert result.stderr == ""


def test_db_options_work_after_the_command(runner, db_path):
    from kjd.cli import app

    result = runner.invoke(app, ["db", "info", "--json", "--db", str(db_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["path"] == str(db_path.resolve())


def test_db_check_exit_codes(invoke, db_path):
    assert invoke("db", "init").exit_code == 0
    good = invoke("db", "check")
    assert good.exit_code == 0
    assert good.stdout.strip() == "ok"
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO experts (name, natural_key, institute_id) VALUES ('专家A', 'a', 7)"
    )
    conn.commit()
    conn.close()
    bad = invoke("db", "check")
    assert bad.exit_code == 1
    assert "外键问题" in bad.stderr
    assert bad.stdout == ""


def test_db_backup_copy_matches_counts(invoke, db_path, tmp_path):
    invoke("db", "init")
    conn = sqlite3.connect(db_path)
    conn.executemany(
        "INSERT INTO institutes (name, natural_key) VALUES (?, ?)",
        [(f"院所{i}", f"院所{i}") for i in range(25)],
    )
    conn.commit()
    conn.close()
    dest = tmp_path / "backup.db"
    result = invoke("db", "backup", str(dest), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["institutes"] == 25
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM institutes").fetchone()[0] == 25
    again = invoke("db", "backup", str(dest))
    assert again.exit_code == 1
    assert "--force" in again.stderr


def test_db_newer_schema_fails_with_message(invoke, db_path):
    invoke("db", "init")
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    result = invoke("db", "info", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "schema-too-new"


def test_missing_folder_for_db_fails_cleanly(runner, tmp_path):
    from kjd.cli import app

    result = runner.invoke(app, ["--db", str(tmp_path / "nope" / "x.db"), "db", "info"])
    assert result.exit_code == 1
    assert "文件夹不存在" in result.stderr


def test_unknown_option_is_usage_error(invoke):
    result = invoke("db", "info", "--no-such-option")
    assert result.exit_code == 2


def test_version_option(runner):
    from kjd import __version__
    from kjd.cli import app

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"kjd {__version__}"


def test_subprocess_gbk_console_does_not_crash(kjd_command, subprocess_env, db_path):
    env = dict(subprocess_env, PYTHONIOENCODING="gbk")
    completed = subprocess.run(
        [*kjd_command, "--db", str(db_path), "db", "info"],
        env=env,
        capture_output=True,
    )
    assert completed.returncode == 0, completed.stderr.decode("gbk", "replace")
    assert "高校院所".encode("gbk") in completed.stdout


def test_root_db_option_beats_kjd_db_variable(runner, tmp_path, monkeypatch):
    from kjd.cli import app

    monkeypatch.setenv("KJD_DB", str(tmp_path / "from-env.db"))
    chosen = tmp_path / "chosen.db"
    result = runner.invoke(app, ["--db", str(chosen), "db", "info", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(chosen.resolve())
    assert not (tmp_path / "from-env.db").exists()


def test_kjd_db_variable_is_the_default(runner, tmp_path, monkeypatch):
    from kjd.cli import app

    monkeypatch.setenv("KJD_DB", str(tmp_path / "from-env.db"))
    result = runner.invoke(app, ["db", "info", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(
        (tmp_path / "from-env.db").resolve()
    )


def test_locked_database_message_names_file(invoke, db_path, tmp_path, monkeypatch):
    import kjd.db

    invoke("db", "init")
    roster = tmp_path / "需求.csv"
    roster.write_text("企业名称,需求名称\n长春甲公司,压铸件气孔\n", encoding="utf-8")
    monkeypatch.setattr(kjd.db, "BUSY_TIMEOUT_SECONDS", 0)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = invoke("import", str(roster))
    finally:
        holder.execute("ROLLBACK")
    assert result.exit_code == 1
    assert "正被其他程序占用" in result.stderr
    assert str(db_path) in result.stderr.replace("\n", "")


def test_not_a_database_message_names_file(invoke, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库" * 200, encoding="utf-8")
    result = invoke("db", "info", db=bogus)
    assert result.exit_code == 1
    assert "不是有效的 kjd 数据库" in result.stderr


def test_json_usage_error_prints_json(kjd_command, subprocess_env, db_path):
    completed = subprocess.run(
        [*kjd_command, "--json", "--db", str(db_path), "db", "info", "--bogus"],
        env=subprocess_env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"]["code"] == "usage"
    assert "用法错误" in completed.stderr


def closed_pipe_run(kjd_command, env, *args):
    """Run kjd with its stdout reader gone before it writes; return (code, stderr)."""
    process = subprocess.Popen(
        [*kjd_command, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    return process.wait(timeout=60), stderr


def test_db_info_into_closed_pipe_ends_with_zero(kjd_command, subprocess_env, db_path):
    code, stderr = closed_pipe_run(
        kjd_command, subprocess_env, "--db", db_path, "db", "info"
    )
    assert code == 0, stderr
    assert stderr == ""


def test_help_into_closed_pipe_ends_with_zero(kjd_command, subprocess_env):
    code, stderr = closed_pipe_run(kjd_command, subprocess_env, "--help")
    assert (code, stderr) == (0, "")


def test_error_into_closed_pipe_keeps_exit_code(
    kjd_command, subprocess_env, db_path, tmp_path
):
    code, stderr = closed_pipe_run(
        kjd_command, subprocess_env, "--db", db_path, "import",
        tmp_path / "missing.xlsx", "--json",
    )  # fmt: skip
    assert code == 2
    assert "文件不存在" in stderr
