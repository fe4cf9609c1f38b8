"""The `kjd` command: registers the verb groups and the global options."""

import signal
import sys
from typing import Annotated

import typer

from kjd import __version__
from kjd.commands import (
    alias_cmd,
    db_cmd,
    dedupe_cmd,
    export_cmd,
    import_cmd,
    match_cmd,
    report_cmd,
    run_cmd,
)
from kjd.commands.common import (
    CLICK_EXCEPTION,
    DebugOption,
    JsonOption,
    QuietOption,
    RootDbOption,
    VerboseOption,
    apply_options,
    discard_stdout,
    report_usage_error,
)
from kjd.errors import EXIT_INTERRUPTED

EPILOG = (
    "退出码：0 成功；1 失败（失败的步骤或文件未写入任何内容）；2 用法错误；"
    "3 已完成但有行未导入（见拒收清单）；130 被中断。"
)

app = typer.Typer(
    name="kjd",
    help="科技对接：导入高校院所、专家、科技成果和企业需求名单，匹配并生成对接清单。",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_cmd.app, name="db")
for module in (
    import_cmd,
    match_cmd,
    export_cmd,
    report_cmd,
    dedupe_cmd,
    alias_cmd,
    run_cmd,
):
    module.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"kjd {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: RootDbOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
    debug: DebugOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="显示版本号并退出。",
        ),
    ] = False,
) -> None:
    apply_options(
        ctx, db=db, json_output=json_output, quiet=quiet, verbose=verbose, debug=debug
    )


def main() -> None:
    """Run the app and turn click's usage errors into exit code 2 (with --json)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = app(prog_name="kjd", standalone_mode=False)
    except CLICK_EXCEPTION as exc:
        code = exc.exit_code
        try:
            report_usage_error(exc, json_output="--json" in sys.argv[1:])
        except BrokenPipeError:
            discard_stdout()
    except typer.Abort:
        code = EXIT_INTERRUPTED
    except SystemExit as exc:
        # typer exits with 1 when the reader of stdout stopped early (kjd
        # --help | head). End quietly instead, with 0 or the code of the error
        # that was being reported when the pipe closed.
        broken = exc.__context__
        if not isinstance(broken, BrokenPipeError):
            raise
        discard_stdout()
        code = getattr(broken.__context__, "exit_code", 0)
    sys.exit(code or 0)
