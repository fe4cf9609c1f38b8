"""Output files: refuse to overwrite unless forced, write atomically, name locks."""

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kjd.errors import OutputExists, OutputNotWritable

logger = logging.getLogger(__name__)


def check_output(path: Path, force: bool = False) -> Path:
    """Check that `path` may be written and create its folder.

    Raises:
        OutputExists: the file exists and `force` is False.
        OutputNotWritable: the path is a folder, the file is open in Excel or WPS
            (their lock file ~$name sits beside it), or the folder cannot be
            created or written.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputNotWritable(
            f"输出路径是一个文件夹：{path}，请给出文件名，例如 {path / '清单.xlsx'}",
            path=str(path),
        )
    if path.exists() and not force:
        raise OutputExists(
            f"输出文件已存在：{path}。加 --force 覆盖，或用 -o 指定另一个文件名。",
            path=str(path),
        )
    if path.exists() and _office_lock(path) is not None:
        raise OutputNotWritable(
            f"无法写入 {path}：文件正在被 Excel 或 WPS 打开，请关闭后重试。",
            path=str(path),
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(
            f"无法创建输出文件夹 {path.parent}：{exc.strerror}", path=str(path)
        ) from exc
    if not os.access(path.parent, os.W_OK):
        raise OutputNotWritable(
            f"无法写入 {path}：文件夹 {path.parent} 没有写权限。", path=str(path)
        )
    return path


def _office_lock(path: Path) -> Path | None:
    # NOTE: Excel names its owner file ~$ plus the file name, with the first two
    # characters of long names dropped; WPS uses ~$ plus the whole name. Both
    # spellings are checked. An editor that keeps no lock file is not detected here,
    # but on Windows the final rename then fails and raises OutputNotWritable.
    for name in (f"~${path.name}", f"~${path.name[2:]}"):
        lock = path.with_name(name)
        if lock.exists():
            return lock
    return None


@contextmanager
def atomic_output(path: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place when the block ends.

    A failure inside the block leaves any existing file untouched and no partial
    file behind. Raises what `check_output` raises, and OutputNotWritable when the
    final move fails (the target is locked by another program).
    """
    path = check_output(path, force=force)
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        yield temporary
        _replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _replace(source: Path, target: Path) -> None:
    # mkstemp creates the file readable by its owner only. Give it the mode any
    # new file would get, so that colleagues on a shared folder can open it.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(source, 0o666 & ~umask)
    try:
        os.replace(source, target)
    except PermissionError as exc:
        raise OutputNotWritable(
            f"无法写入 {target}：文件被其他程序占用（可能正在被 Excel 或 WPS "
            "打开），请关闭后重试。",
            path=str(target),
        ) from exc
    except OSError as exc:
        raise OutputNotWritable(
            f"无法写入 {target}：{exc.strerror}", path=str(target)
        ) from exc
    logger.info("wrote %s", target)
