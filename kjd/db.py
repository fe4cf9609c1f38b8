"""Open, create and upgrade the kjd database; info, backup and integrity checks."""

import logging
import os
import shutil
import sqlite3
import weakref
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from kjd.config import BUSY_TIMEOUT_SECONDS
from kjd.errors import DatabaseError, SchemaTooNew
from kjd.schema import MIGRATIONS, SCHEMA_VERSION

logger = logging.getLogger(__name__)


class _Connection(sqlite3.Connection):
    """A sqlite3 connection that can be held by weak reference (see _OPEN)."""


# The connections `connect` opened that are still alive, for
# close_open_databases. In Python 3.11 a connection and its statement cache
# refer to each other, so a connection lives until the cyclic collector runs.
_OPEN: "weakref.WeakSet[_Connection]" = weakref.WeakSet()

REPORTED_TABLES = (
    "institutes",
    "aliases",
    "experts",
    "projects",
    "enterprises",
    "demands",
    "imports",
    "rejects",
    "match_runs",
    "matches",
    "decisions",
    "events",
    "meetings",
    "outcomes",
)


def connect(path: Path) -> sqlite3.Connection:
    """Open a raw connection with the pragmas every kjd connection uses.

    The connection is in autocommit mode (isolation_level=None): callers open
    transactions explicitly with `transaction()`, so one file is one transaction.
    A database that this user may not write (a read-only file or folder) opens
    read-only, so that reading commands still work.
    """
    if is_read_only(path):
        return _connect_read_only(path)
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            factory=_Connection,
        )
        _OPEN.add(conn)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        raise DatabaseError(f"无法打开数据库 {path}：{exc}", path=str(path)) from exc
    _enable_wal(conn, path)
    return conn


def is_read_only(path: Path) -> bool:
    """Return True for an existing database this user cannot write to."""
    path = Path(path)
    if str(path) == ":memory:" or not path.exists():
        return False
    folder = path.parent if str(path.parent) else Path(".")
    return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro still needs the -shm file of a WAL database; when the folder is
    # read-only and no writer is active, immutable=1 reads the file as it is.
    uri = Path(path).resolve().as_uri()
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{uri}?{query}",
                uri=True,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                factory=_Connection,
            )
            _OPEN.add(conn)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            continue
        logger.info("database %s opened read-only", path)
        return conn
    raise DatabaseError(f"无法以只读方式打开数据库 {path}。", path=str(path))


def _enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    if str(path) == ":memory:":
        return
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        logger.warning("WAL mode not available for %s: %s", path, exc)


def open_db(path: Path, migrate: bool = True) -> sqlite_utils.Database:
    """Open the database at `path`, creating and upgrading it as needed.

    An older schema is upgraded after a backup copy is written beside the file
    (kjd.db → kjd.db.v1-20261204-153000.bak). A newer schema raises SchemaTooNew.
    """
    path = Path(path)
    if str(path) != ":memory:" and not path.parent.exists():
        raise DatabaseError(f"数据库所在文件夹不存在：{path.parent}", path=str(path))
    is_new = str(path) == ":memory:" or not path.exists() or path.stat().st_size == 0
    conn = connect(path)
    db = sqlite_utils.Database(conn)
    if migrate:
        upgrade(db, path, is_new=is_new)
    return db


def open_db_for_preview(path: Path) -> sqlite_utils.Database:
    """Open a database that nothing will be written to, without changing the file.

    A missing file gives an empty database in memory. A file with an older
    schema is copied into memory and the copy is upgraded, so a preview
    neither upgrades the file nor writes a backup beside it.
    """
    path = Path(path)
    if not path.exists():
        return open_db(Path(":memory:"))
    if not _is_sqlite_file(path):
        return open_db(path)  # raises the error every command gives for it
    source = sqlite_utils.Database(_connect_snapshot(path))
    version = schema_version(source)
    if version >= SCHEMA_VERSION:
        source.conn.close()
        return open_db(path)  # raises SchemaTooNew for a newer schema
    copy = open_db(Path(":memory:"), migrate=False)
    source.conn.backup(copy.conn)
    source.conn.close()
    upgrade(copy, Path(":memory:"), is_new=True)
    return copy


def _is_sqlite_file(path: Path) -> bool:
    with Path(path).open("rb") as handle:
        head = handle.read(16)
    return head in (b"", b"SQLite format 3\x00")


def _connect_snapshot(path: Path) -> sqlite3.Connection:
    # Without a write-ahead log to read, immutable=1 reads the file as it is
    # and creates no -wal or -shm file beside it.
    log = Path(f"{path}-wal")
    if log.exists() and log.stat().st_size > 0:
        return _connect_read_only(path)
    uri = Path(path).resolve().as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return _connect_read_only(path)


def close_open_databases() -> None:
    """Close every connection that `connect` opened and that is still alive.

    Closing checkpoints the write-ahead log into the database file, so a copy
    of the .db file alone contains all the data.
    """
    for conn in list(_OPEN):
        try:
            conn.close()
        except sqlite3.Error as exc:
            logger.warning("closing the database failed: %s", exc)
    _OPEN.clear()


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def upgrade(db: sqlite_utils.Database, path: Path, is_new: bool = False) -> int:
    """Apply the missing migrations in one transaction; return the new version."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"数据库 {path} 由较新版本的 kjd 写入（结构版本 {version}，"
            f"本程序支持到 {SCHEMA_VERSION}），请升级 kjd 后再打开。",
            path=str(path),
            found=version,
            supported=SCHEMA_VERSION,
        )
    if version == SCHEMA_VERSION:
        return version
    if is_read_only(path):
        raise DatabaseError(
            f"数据库 {path} 需要升级到结构版本 {SCHEMA_VERSION}，"
            "但文件或所在文件夹不可写。请换到可写的位置后再打开。",
            path=str(path),
        )
    if version > 0 and not is_new:
        backup_path = _backup_before_upgrade(db, path, version)
        logger.warning(
            "database upgraded from version %s; backup at %s", version, backup_path
        )
    with transaction(db):
        # Another process may have upgraded the file while this one waited for
        # the write lock: read the version again under the lock.
        version = schema_version(db)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _split_statements(MIGRATIONS[number - 1]):
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SCHEMA_VERSION


def _split_statements(script: str) -> list[str]:
    # executescript() would commit the open transaction, so run statements one by one.
    return [part.strip() for part in script.split(";\n") if part.strip()]


def _backup_before_upgrade(db: sqlite_utils.Database, path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    backup(db, target)
    return target


@contextmanager
def transaction(db: sqlite_utils.Database):
    """Run a block in one write transaction: all of it is committed or none.

    BEGIN IMMEDIATE takes the write lock at once, so a second writer waits for the
    busy timeout instead of failing half-way through.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def backup(db: sqlite_utils.Database, dest: Path) -> Path:
    """Copy the database to `dest` with SQLite's online backup API.

    The copy is consistent even while another process writes: SQLite restarts the
    copy of pages that change during the backup.
    """
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise DatabaseError(
            f"备份目标文件夹不存在：{dest.parent}。请先创建该文件夹。", dest=str(dest)
        )
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        tmp.unlink()
    target = sqlite3.connect(str(tmp))
    try:
        db.conn.backup(target, pages=256)
        target.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        target.close()
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"备份失败：{exc}", dest=str(dest)) from exc
    target.close()
    shutil.move(str(tmp), str(dest))
    return dest


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    existing = set(db.table_names())
    return {
        name: db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
        for name in REPORTED_TABLES
        if name in existing
    }


def info(db: sqlite_utils.Database, path: Path, last_imports: int = 5) -> dict:
    """Describe the database: path, size, schema version, row counts, last imports."""
    size = Path(path).stat().st_size if Path(path).exists() else 0
    imports = []
    if "imports" in db.table_names():
        imports = list(
            db.query(
                "SELECT file_name, sheet, kind, inserted, updated, unchanged, "
                "rejected, status, finished_at FROM imports "
                "ORDER BY id DESC LIMIT ?",
                [last_imports],
            )
        )
    return {
        "path": str(Path(path).resolve()),
        "size_bytes": size,
        "schema_version": schema_version(db),
        "supported_schema_version": SCHEMA_VERSION,
        "counts": table_counts(db),
        "last_imports": imports,
    }


def check(db: sqlite_utils.Database) -> dict:
    """Run integrity_check and foreign_key_check; return the problems found."""
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    integrity_problems = [line for line in integrity if line != "ok"]
    foreign_keys = [
        {"table": row[0], "rowid": row[1], "parent": row[2], "fk_index": row[3]}
        for row in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    return {
        "ok": not integrity_problems and not foreign_keys,
        "integrity": integrity_problems,
        "foreign_keys": foreign_keys,
    }
