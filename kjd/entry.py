"""Console entry point: quiet Ctrl-C while the command's modules are loading."""

import signal


def _exit_quietly(signum, frame):
    raise SystemExit(130)


def main() -> None:
    # pandas, jieba and the rest take a moment to import; a Ctrl-C in that time
    # ends with exit code 130 instead of a traceback. kjd.cli.main puts back
    # Python's own handler before any command runs.
    signal.signal(signal.SIGINT, _exit_quietly)
    from kjd.cli import main as cli_main

    cli_main()
