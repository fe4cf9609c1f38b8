"""A lock file beside the database so that two scheduled runs do not interleave."""

import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from kjd.errors import DatabaseBusy

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


def lock_path_for(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".lock")


@contextmanager
def run_lock(db_path: Path, wait_seconds: float):
    """Hold an exclusive lock on `<db>.lock` for the duration of the block.

    Waits up to `wait_seconds` for another holder to finish, then raises
    DatabaseBusy. The operating system releases the lock when the holder exits,
    even after a kill, so a crashed run never leaves a stale lock behind.
    """
    path = lock_path_for(db_path)
    handle = open(path, "a+b")
    deadline = time.monotonic() + max(wait_seconds, 0)
    try:
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"另一个 kjd run 正在使用数据库 {db_path}，"
                    f"等待 {wait_seconds:g} 秒后仍未结束。"
                    "请稍后再试，或用 --wait 延长等待时间。",
                    lock=str(path),
                )
            time.sleep(POLL_SECONDS)
        _write_owner(handle)
        yield path
    finally:
        _unlock(handle)
        handle.close()


def _write_owner(handle) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle) -> None:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(handle) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
