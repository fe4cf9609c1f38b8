"""The run lock beside the database."""

import subprocess
import sys
import time

import pytest

from kjd.errors import DatabaseBusy
from kjd.lock import lock_path_for, run_lock

HOLD_LOCK = """
import sys, time
from pathlib import Path
from kjd.lock import run_lock
with run_lock(Path(sys.argv[1]), wait_seconds=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_second_holder_times_out(db_path, subprocess_env):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path), "5"],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with pytest.raises(DatabaseBusy) as raised:
        with run_lock(db_path, wait_seconds=0.5):
            pass
    waited = time.monotonic() - started
    holder.kill()
    holder.wait()
    assert 0.4 <= waited < 4
    assert "--wait" in raised.value.message


def test_lock_is_released_when_holder_is_killed(db_path, subprocess_env):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path), "60"],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    with run_lock(db_path, wait_seconds=2) as path:
        assert path == lock_path_for(db_path)


def test_waiting_holder_gets_lock_after_release(db_path, subprocess_env):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path), "0.5"],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with run_lock(db_path, wait_seconds=10):
        assert holder.poll() is not None or holder.wait(timeout=5) == 0
