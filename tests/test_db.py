"""Database creation, migration, backup and checks."""

import sqlite3
import threading
import time

import pytest

from kjd import db as database
from kjd.errors import SchemaTooNew
from kjd.schema import MIGRATIONS, SCHEMA_VERSION


def build_version_1(path):
    conn = sqlite3.connect(path)
    for statement in database._split_statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO institutes (name, natural_key, phone) VALUES (?, ?, ?)",
        ["吉林大学", "吉林大学", "0431-85166000"],
    )
    conn.execute(
        "INSERT INTO enterprises (name, natural_key, phone) VALUES (?, ?, ?)",
        ["长春德茂汽车零部件有限公司", "长春德茂汽车零部件", "010010"],
    )
    conn.commit()
    conn.close()


def test_open_creates_current_schema(db_path):
    db = database.open_db(db_path)
    assert database.schema_version(db) == SCHEMA_VERSION
    assert {"institutes", "demands", "matches", "outcomes"} <= set(db.table_names())


def test_open_uses_wal_and_foreign_keys(db_path):
    db = database.open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_code_columns_stay_text(db_path):
    db = database.open_db(db_path)
    db["enterprises"].insert({"name": "甲", "natural_key": "甲", "phone": "010010"})
    phone = db.execute("SELECT phone, typeof(phone) FROM enterprises").fetchone()
    assert phone == ("010010", "text")


def test_migration_from_version_1_keeps_rows_and_backs_up(tmp_path):
    path = tmp_path / "old.db"
    build_version_1(path)
    db = database.open_db(path)
    assert database.schema_version(db) == SCHEMA_VERSION
    assert "matches" in db.table_names()
    row = db.execute("SELECT name, phone FROM enterprises").fetchone()
    assert row == ("长春德茂汽车零部件有限公司", "010010")
    backups = list(tmp_path.glob("old.db.v1-*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM institutes").fetchone()[0] == 1


def test_newer_schema_is_rejected(db_path):
    database.open_db(db_path).conn.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew) as raised:
        database.open_db(db_path)
    assert "较新版本" in raised.value.message


def test_transaction_rolls_back_on_error(db_path):
    db = database.open_db(db_path)
    with pytest.raises(RuntimeError):
        with database.transaction(db):
            db["institutes"].insert({"name": "甲", "natural_key": "甲"})
            raise RuntimeError("stop")
    assert db["institutes"].count == 0


def test_backup_while_another_connection_writes(db_path, tmp_path):
    db = database.open_db(db_path)
    db["institutes"].insert_all(
        {"name": f"院所{i}", "natural_key": f"院所{i}"} for i in range(2000)
    )
    stop = threading.Event()

    def write_more():
        writer = database.open_db(db_path)
        i = 0
        while not stop.is_set():
            with database.transaction(writer):
                writer["enterprises"].insert(
                    {"name": f"企业{i}", "natural_key": f"企业{i}"}
                )
            i += 1
            time.sleep(0.001)

    thread = threading.Thread(target=write_more)
    thread.start()
    time.sleep(0.05)
    target = database.backup(db, tmp_path / "copy.db")
    stop.set()
    thread.join()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM institutes").fetchone()[0] == 2000
    copied = copy.execute("SELECT count(*) FROM enterprises").fetchone()[0]
    names = {r[0] for r in copy.execute("SELECT name FROM enterprises")}
    assert names == {f"企业{i}" for i in range(copied)}


def test_check_finds_planted_foreign_key_violation(db_path):
    db = database.open_db(db_path)
    assert database.check(db)["ok"] is True
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute(
        "INSERT INTO experts (name, natural_key, institute_id) "
        "VALUES ('专家A', 'a', 999)"
    )
    result = database.check(db)
    assert result["ok"] is False
    assert result["foreign_keys"] == [
        {"table": "experts", "rowid": 1, "parent": "institutes", "fk_index": 0}
    ]


def test_read_only_database_opens_for_reading(db_path, monkeypatch):
    db = database.open_db(db_path)
    db["institutes"].insert({"name": "吉林大学", "natural_key": "吉林大学"})
    db.conn.close()
    monkeypatch.setattr(database, "is_read_only", lambda path: True)
    reader = database.open_db(db_path)
    assert reader.execute("SELECT name FROM institutes").fetchone() == ("吉林大学",)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO institutes (name, natural_key) VALUES ('甲', '甲')")


def test_read_only_database_needing_upgrade_fails_clearly(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    build_version_1(path)
    monkeypatch.setattr(database, "is_read_only", lambda path: True)
    with pytest.raises(database.DatabaseError) as raised:
        database.open_db(path)
    assert "不可写" in raised.value.message


def test_backup_into_missing_folder_names_it(db_path, tmp_path):
    db = database.open_db(db_path)
    with pytest.raises(database.DatabaseError) as raised:
        database.backup(db, tmp_path / "缺少" / "copy.db")
    assert "备份目标文件夹不存在" in raised.value.message


def test_two_processes_create_the_same_database(db_path, subprocess_env):
    import subprocess
    import sys

    script = "import sys; from kjd.db import open_db; open_db(sys.argv[1])"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(db_path)],
            env=subprocess_env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [proc.stderr.read() for proc in procs]
    assert [proc.wait() for proc in procs] == [0, 0, 0, 0], errors
    assert database.schema_version(database.open_db(db_path)) == SCHEMA_VERSION


def test_preview_of_an_older_database_changes_no_file(tmp_path):
    path = tmp_path / "old.db"
    build_version_1(path)
    before = path.read_bytes()

    db = database.open_db_for_preview(path)
    assert database.schema_version(db) == SCHEMA_VERSION
    assert db.execute("SELECT name FROM enterprises").fetchone() == (
        "长春德茂汽车零部件有限公司",
    )
    db.conn.close()
    assert path.read_bytes() == before
    assert sorted(item.name for item in tmp_path.iterdir()) == ["old.db"]


def test_preview_older_wal_leaves_no_files(tmp_path):
    path = tmp_path / "old.db"
    build_version_1(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()

    db = database.open_db_for_preview(path)
    assert database.schema_version(db) == SCHEMA_VERSION
    db.conn.close()
    assert sorted(item.name for item in tmp_path.iterdir()) == ["old.db"]


def test_preview_non_database_raises(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all, just text")
    with pytest.raises(sqlite3.DatabaseError):
        database.open_db_for_preview(path)
    assert path.read_bytes() == b"not a database at all, just text"


def test_preview_of_a_missing_database_creates_none(tmp_path):
    db = database.open_db_for_preview(tmp_path / "new.db")
    assert database.schema_version(db) == SCHEMA_VERSION
    assert list(tmp_path.iterdir()) == []


def test_preview_of_a_newer_database_is_rejected(tmp_path):
    path = tmp_path / "newer.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        database.open_db_for_preview(path)
