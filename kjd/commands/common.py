"""Shared command-line pieces: global options, the two consoles, errors, output.

`@command_options` adds --db, --json, -q, -v and --debug to a command, so the
global options work both before the sub-command (`kjd --db x.db db info`) and
after it (`kjd db info --db x.db`), as scheduled scripts tend to write them.
"""

import functools
import inspect
import json
import logging
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from kjd.config import Settings, debug_from_env, resolve_db_path
from kjd.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    DatabaseBusy,
    DatabaseError,
    KjdError,
)

# The root callback reads KJD_DB; a command's own --db does not, because click
# would fill it from the variable and override a --db given before the command.
RootDbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="KJD_DB",
        help="数据库文件路径（默认：当前文件夹下的 kjd.db）。",
        show_default=False,
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="数据库文件路径（默认：环境变量 KJD_DB，否则当前文件夹下的 kjd.db）。",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="在标准输出打印一个 JSON 文档，供脚本读取。")
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="不显示进度、提示和警告，只输出结果和错误。"),
]
VerboseOption = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, help="显示更多过程信息（-vv 更详细）。"
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="出错时显示完整的 Python 调用栈。")
]

_COMMON = {
    "db": DbOption,
    "json_output": JsonOption,
    "quiet": QuietOption,
    "verbose": VerboseOption,
    "debug": DebugOption,
}
_DEFAULTS = {
    "db": None,
    "json_output": False,
    "quiet": False,
    "verbose": 0,
    "debug": False,
}


def make_console(stderr: bool) -> Console:
    """Return a rich console that never crashes on characters the terminal lacks.

    Off a terminal (cron mail, a log file) lines are not wrapped at 80 columns.
    """
    stream = sys.stderr if stderr else sys.stdout
    _replace_unencodable(stream)
    wrap = _is_terminal(stream)
    return Console(file=stream, stderr=stderr, highlight=False, soft_wrap=not wrap)


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _replace_unencodable(stream) -> None:
    # A GBK console (code page 936) cannot show 䶮, 𠮷, ✓ or emoji: print '?' instead
    # of raising UnicodeEncodeError half-way through a table.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):
            pass


def stdout_console() -> Console:
    return make_console(stderr=False)


def stderr_console() -> Console:
    return make_console(stderr=True)


def settings(ctx: typer.Context) -> Settings:
    """Return the Settings of this invocation, created by the root callback."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Settings(db_path=resolve_db_path(None), debug=debug_from_env())
    return root.obj


def apply_options(ctx: typer.Context, **options) -> Settings:
    """Merge options given on a command into the root Settings."""
    current = settings(ctx)
    if options.get("db") is not None:
        current.db_path = resolve_db_path(str(options["db"]))
    current.json = current.json or bool(options.get("json_output"))
    current.quiet = current.quiet or bool(options.get("quiet"))
    current.verbose = max(current.verbose, int(options.get("verbose") or 0))
    current.debug = current.debug or bool(options.get("debug"))
    configure_logging(current)
    return current


def configure_logging(current: Settings) -> None:
    """Send kjd's log records to stderr: rich on a terminal, timestamped lines else."""
    level = logging.WARNING
    if current.quiet or current.json:
        level = logging.ERROR
    if current.verbose == 1:
        level = logging.INFO
    elif current.verbose >= 2:
        level = logging.DEBUG
    logger = logging.getLogger("kjd")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    if sys.stderr.isatty():
        handler: logging.Handler = RichHandler(
            console=stderr_console(), show_path=False, markup=False
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    logger.addHandler(handler)
    logger.propagate = False


def command_options(func):
    """Add the global options to a command and map errors to exit codes.

    KjdError → its message on stderr and its exit code (1 unless the error sets
    otherwise); Ctrl-C → 130; any other exception → one line asking for --debug,
    exit 1, or the traceback with --debug. A function with a `ctx` parameter gets
    the typer Context (a group callback reads `ctx.invoked_subcommand`).
    """
    signature = inspect.signature(func)
    params = [
        p for p in signature.parameters.values() if p.name not in (*_COMMON, "ctx")
    ]
    params.append(
        inspect.Parameter(
            "_kjd_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
        )
    )
    for name, annotation in _COMMON.items():
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=_DEFAULTS[name],
                annotation=annotation,
            )
        )

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = kwargs.pop("_kjd_ctx")
        options = {name: kwargs.pop(name, _DEFAULTS[name]) for name in _COMMON}
        current = apply_options(ctx, **options)
        accepted = inspect.signature(func).parameters
        if "settings" in accepted:
            kwargs["settings"] = current
        if "ctx" in accepted:
            kwargs["ctx"] = ctx
        return run_guarded(current, func, *args, **kwargs)

    wrapper.__signature__ = signature.replace(
        parameters=[p for p in params if p.name != "settings"]
    )
    return wrapper


# Click's own exceptions (usage errors raised inside a command) keep click's
# handling: a message and exit code 2.
CLICK_EXCEPTION = next(
    base for base in typer.BadParameter.__mro__ if base.__name__ == "ClickException"
)


def run_guarded(current: Settings, func, *args, **kwargs):
    try:
        try:
            return func(*args, **kwargs)
        except sqlite3.Error as exc:
            raise database_error(current.db_path, exc) from exc
    except (typer.Exit, CLICK_EXCEPTION):
        raise
    except KjdError as exc:
        report_error(current, exc.message, exc.to_dict(), exc.exit_code)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        message = "已中断，未完成的步骤没有写入。"
        stderr_console().print(f"[yellow]{message}[/]")
        if current.json:
            emit_json(
                {
                    "status": "error",
                    "exit_code": EXIT_INTERRUPTED,
                    "error": {"code": "interrupted", "message": message},
                }
            )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # The program reading the output stopped early (kjd … | head).
        discard_stdout()
        raise typer.Exit(EXIT_OK) from None
    except Exception as exc:
        if current.debug:
            raise
        message = (
            f"意外错误：{type(exc).__name__}: {exc}。"
            "请加 --debug 重新运行并把输出发给技术人员。"
        )
        report_error(current, message, {"code": "unexpected", "message": str(exc)})
        raise typer.Exit(EXIT_FAILED) from None


def discard_stdout() -> None:
    # Later writes and the final flush go nowhere instead of failing again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def database_error(path: Path, exc: sqlite3.Error) -> KjdError:
    """Translate an SQLite failure into a message that names the database file."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusy(
            f"数据库 {path} 正被其他程序占用，等待后仍未释放。"
            "请关闭正在使用它的程序（或等定时任务结束）后重试。",
            path=str(path),
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseError(
            f"数据库 {path} 或其所在文件夹不可写，无法保存修改。"
            "请换一个可写的位置（--db）或请管理员开放写权限。",
            path=str(path),
        )
    if "not a database" in text or "malformed" in text:
        return DatabaseError(
            f"{path} 不是有效的 kjd 数据库（文件已损坏或不是 SQLite 文件）。"
            "请用 --db 指定正确的文件，或从备份恢复。",
            path=str(path),
        )
    return DatabaseError(f"数据库 {path} 操作失败：{exc}", path=str(path))


# Click's common usage messages, as staff read them. Anything not listed keeps
# click's English wording after the Chinese prefix.
_CLICK_PHRASES = (
    (re.compile(r"^Missing option '(.+?)'.*$"), r"缺少必需的选项 \1。"),
    (re.compile(r"^Missing argument '(.+?)'.*$"), r"缺少必需的参数 \1。"),
    (re.compile(r"^No such option: (\S+).*$"), r"没有选项 \1。"),
    (re.compile(r"^No such command '(.+?)'.*$"), r"没有命令 \1。"),
    (
        re.compile(
            r"^Invalid value for '(.+?)': (?:File|Directory|Path|dir|file|path) "
            r"'(.+?)' does not exist\.$"
        ),
        r"\1 指定的 \2 不存在。",
    ),
    (
        re.compile(r"^Invalid value for '(.+?)': .*greater than or equal to (\S+)$"),
        r"\1 应不小于 \2。",
    ),
    (re.compile(r"^Invalid value for '(.+?)': (.+)$"), r"\1 的值无效：\2"),
    (re.compile(r"^Option '(.+?)' requires an argument\.$"), r"选项 \1 需要一个值。"),
)


def translate_usage_message(message: str) -> str:
    """Return click's usage message in Chinese where the wording is known."""
    for pattern, replacement in _CLICK_PHRASES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def report_usage_error(exc, json_output: bool) -> None:
    """Print a click usage error in Chinese on stderr, and as JSON with --json."""
    message = translate_usage_message(exc.format_message())
    console = stderr_console()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(escape(ctx.get_usage()), soft_wrap=True)
    console.print(f"[bold red]用法错误：[/]{escape(message)}", soft_wrap=True)
    if ctx is not None:
        console.print(f"运行 {escape(ctx.command_path)} --help 查看用法。")
    if json_output:
        emit_json({"status": "error", "error": {"code": "usage", "message": message}})


def report_error(
    current: Settings, message: str, payload: dict, exit_code: int = EXIT_FAILED
) -> None:
    # soft_wrap: the message stays one line in logs and for grep, however long
    # the path in it is; a terminal still wraps it on screen.
    line = f"[bold red]错误：[/]{escape(message)}"
    stderr_console().print(line, soft_wrap=True)
    if current.json:
        emit_json({"status": "error", "exit_code": exit_code, "error": payload})


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout.

    Chinese stays readable (ensure_ascii=False) on a UTF-8 stdout; on any other
    encoding the text is escaped so that no character is lost.
    """
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    readable = encoding.startswith("utf")
    text = json.dumps(document, ensure_ascii=not readable, indent=2, default=str)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def say(current: Settings, message: str, style: str | None = None) -> None:
    """Print a message for staff on stderr unless --quiet or --json."""
    if current.quiet or current.json:
        return
    console = stderr_console()
    console.print(message if style is None else f"[{style}]{message}[/]")


def warn(current: Settings, message: str) -> None:
    """Print a warning on stderr unless --json or --quiet."""
    if current.json or current.quiet:
        return
    line = f"[yellow]警告：[/]{escape(message)}"
    stderr_console().print(line, soft_wrap=True)
