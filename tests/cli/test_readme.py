"""The README's two set-up commands work as written on a fresh virtual environment."""

import os
import re
import shutil
import sqlite3
import subprocess

import pytest

from ..conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_command(marker: str) -> str:
    found = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", README, re.S)
    assert found, f"README has no command after <!-- {marker} -->"
    return found.group(1).strip()


def test_readme_has_exactly_two_setup_commands():
    assert README.count("<!-- setup-and-run -->") == 1
    assert README.count("<!-- test -->") == 1
    assert readme_command("setup-and-run").startswith("python3 -m venv .venv")
    assert readme_command("test").startswith("python3 -m venv .venv")


def test_ci_runs_the_readme_test_command():
    """CI runs the same pytest invocation as the README (after its own install)."""
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    pytest_part = readme_command("test").split("&&")[-1].strip()
    assert pytest_part.startswith(".venv/bin/python -m pytest")
    assert pytest_part.replace(".venv/bin/python", "python") in ci_script


@pytest.mark.skipif(
    os.environ.get("KJD_SKIP_INSTALL_TEST") == "1",
    reason="KJD_SKIP_INSTALL_TEST=1: the fresh-install run is left to CI",
)
def test_readme_setup_and_run_command_works(tmp_path):
    checkout = tmp_path / "kjd"
    shutil.copytree(
        REPO,
        checkout,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".ci-venv",
            "*.db",
            "*.db-*",
            "输出",
            "__pycache__",
            ".pytest_cache",
            "*.egg-info",
            "build",
        ),
    )
    completed = subprocess.run(
        readme_command("setup-and-run"),
        shell=True,
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=900,
        env={k: v for k, v in os.environ.items() if k not in ("KJD_DB", "PYTHONPATH")},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    outputs = sorted(p.name.split("-")[0] for p in (checkout / "输出").glob("*.xlsx"))
    assert outputs == ["对接清单", "工作汇总", "待审匹配"]
    db = sqlite3.connect(checkout / "kjd.db")
    demands = db.execute("SELECT count(*) FROM demands").fetchone()[0]
    matches = db.execute("SELECT count(*) FROM matches").fetchone()[0]
    assert demands == 25
    assert matches > 0
