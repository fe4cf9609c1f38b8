"""Fixtures shared by the test suite."""

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kjd.cli import app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
CASES = SHARED / "cases" / "inputs"

needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="the shared real rosters are not beside this checkout"
)
needs_cases = pytest.mark.skipif(
    not CASES.is_dir(), reason="the shared hard cases are not beside this checkout"
)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kjd.db"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner, db_path):
    """Run `kjd` in-process with --db pointing at this test's database."""

    def run(*args, db: Path | None = None):
        return runner.invoke(app, ["--db", str(db or db_path), *map(str, args)])

    return run


@pytest.fixture
def kjd_command() -> list[str]:
    """The command line that runs this checkout's kjd in a subprocess."""
    return [sys.executable, "-m", "kjd"]


@pytest.fixture
def subprocess_env() -> dict:
    """Environment for subprocess runs of kjd: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO), env.get("PYTHONPATH", "")) if part
    )
    env.pop("KJD_DB", None)
    return env
