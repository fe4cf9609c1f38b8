"""`kjd run` end to end: real rosters, re-runs, concurrent runs, the cron path."""

import json
import shutil
import sqlite3
import subprocess

import pytest

from ..conftest import REALDATA, REPO, needs_realdata

SAMPLES = REPO / "data" / "samples"


def run_kjd(kjd_command, env, *args, timeout=300):
    return subprocess.run(
        [*kjd_command, *map(str, args)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def database_state(path) -> dict:
    db = sqlite3.connect(path)
    tables = [
        "institutes",
        "experts",
        "projects",
        "enterprises",
        "demands",
        "imports",
        "match_runs",
        "matches",
        "rejects",
    ]
    state = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    state["changes"] = db.execute("SELECT max(updated_at) FROM matches").fetchone()[0]
    db.close()
    return state


@needs_realdata
def test_run_on_real_rosters_then_again(tmp_path, kjd_command, subprocess_env):
    db_path = tmp_path / "kjd.db"
    out = tmp_path / "out"
    first = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        REALDATA,
        "-o",
        out,
        "--db",
        db_path,
        "--json",
    )
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["status"] == "ok"
    assert summary["rows"]["rejected"] == 0
    assert sorted(p.split("/")[-1] for p in summary["files"]["imported"]) == [
        "专家信息表.xlsx",
        "企业技术需求汇总表.xlsx",
        "科技成果汇总表.xlsx",
        "高校院所名录.xlsx",
    ]
    skipped = sorted(e["path"].split("/")[-1] for e in summary["files"]["skipped"])
    assert skipped == ["README.md", "gold_links.csv"]
    assert summary["matches_proposed"] > 0
    assert sorted(summary["outputs"]) == ["docket", "review", "summary"]
    for path in summary["outputs"].values():
        assert (out / path.split("/")[-1]).exists()

    db = sqlite3.connect(db_path)
    counts = {
        kind: db.execute(
            f"SELECT count(*) FROM [{kind}] WHERE source_file IS NOT NULL"
        ).fetchone()[0]
        for kind in ("demands", "projects", "experts")
    }
    assert counts == {"demands": 52, "projects": 89, "experts": 41}
    roster_rows = db.execute(
        "SELECT sum(read - skipped) FROM imports WHERE kind = 'institutes'"
    ).fetchone()[0]
    assert roster_rows == 56
    db.close()

    before = database_state(db_path)
    second = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        REALDATA,
        "-o",
        out,
        "--db",
        db_path,
        "--json",
    )
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert len(again["files"]["unchanged"]) == 4
    assert again["files"]["imported"] == []
    assert again["demands_matched"] == 0
    assert database_state(db_path) == before
    assert again["outputs_unchanged"] is True
    assert again["outputs"] == summary["outputs"]
    assert len(list(out.glob("*.xlsx"))) == 3


def test_two_runs_at_once_one_waits_out(tmp_path, kjd_command, subprocess_env):
    db_path = tmp_path / "kjd.db"
    roster_dir = tmp_path / "rosters"
    shutil.copytree(SAMPLES, roster_dir)
    args = ["run", roster_dir, "--db", db_path, "--json"]
    procs = [
        subprocess.Popen(
            [*kjd_command, *map(str, args), "-o", str(tmp_path / f"out{i}")],
            env=subprocess_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    busy = [r for r in results if r[0] == 1]
    if codes == [0, 1]:
        assert "另一个 kjd run" in busy[0][2]
        assert json.loads(busy[0][1])["error"]["code"] == "database-busy"
    else:
        assert codes == [0, 0]
    check = run_kjd(kjd_command, subprocess_env, "db", "check", "--db", db_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok"


def test_second_run_waits_for_the_first(tmp_path, kjd_command, subprocess_env):
    db_path = tmp_path / "kjd.db"
    roster_dir = tmp_path / "rosters"
    shutil.copytree(SAMPLES, roster_dir)
    procs = [
        subprocess.Popen(
            [
                *kjd_command,
                "run",
                str(roster_dir),
                "--db",
                str(db_path),
                "-o",
                str(tmp_path / f"out{i}"),
                "--json",
                "--wait",
                "120",
            ],
            env=subprocess_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    summaries = []
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
        summaries.append(json.loads(proc.stdout.read()))
    imported = sorted(len(s["files"]["imported"]) for s in summaries)
    unchanged = sorted(len(s["files"]["unchanged"]) for s in summaries)
    assert imported == [0, 5]
    assert unchanged == [0, 5]


@pytest.fixture
def cron_rosters(tmp_path):
    folder = tmp_path / "rosters"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_cron_clean_run_exit_0(cron_rosters, tmp_path, kjd_command, subprocess_env):
    log = tmp_path / "run.log"
    completed = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        cron_rosters,
        "--db",
        tmp_path / "k.db",
        "-o",
        tmp_path / "out",
        "--json",
        "--log",
        log,
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["exit_code"] == 0
    assert summary["rows"]["rejected"] == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("run started")
    assert lines[-1].endswith("run finished status=ok exit=0")
    assert sum(" wrote " in line for line in lines) == 3

    again = run_kjd(
        kjd_command, subprocess_env, "run", cron_rosters, "--db", tmp_path / "k.db",
        "-o", tmp_path / "out", "--log", log,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = log.read_text(encoding="utf-8").splitlines()[len(lines) :]
    assert sum(" kept " in line for line in second) == 3
    assert not any(" wrote " in line for line in second)


def test_cron_rejected_row_exit_3(cron_rosters, tmp_path, kjd_command, subprocess_env):
    (cron_rosters / "补报需求.csv").write_text(
        "需求编号,企业名称,需求名称,需求描述\n"
        "X001,长春示例机械有限公司,数控机床主轴热变形补偿,主轴温升导致加工精度下降\n"
        "X002,长春示例机械有限公司,,\n",
        encoding="utf-8",
    )
    completed = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        cron_rosters,
        "--db",
        tmp_path / "k.db",
        "-o",
        tmp_path / "out",
        "--json",
    )
    assert completed.returncode == 3, completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["status"] == "rejected"
    assert summary["rows"]["rejected"] == 1
    assert len(summary["rejects_files"]) == 1
    assert sorted(summary["outputs"]) == ["docket", "review", "summary"]


def test_cron_corrupt_workbook_exit_1_keeps_good_files(
    cron_rosters, tmp_path, kjd_command, subprocess_env
):
    good = (cron_rosters / "专家名单.xlsx").read_bytes()
    (cron_rosters / "损坏的名单.xlsx").write_bytes(good[: len(good) // 2])
    db_path = tmp_path / "k.db"
    completed = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        cron_rosters,
        "--db",
        db_path,
        "-o",
        tmp_path / "out",
        "--json",
    )
    assert completed.returncode == 1, completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["status"] == "error"
    failed = [e["path"].split("/")[-1] for e in summary["files"]["failed"]]
    assert failed == ["损坏的名单.xlsx"]
    assert summary["error"] == "1 个文件导入失败：损坏的名单.xlsx"
    assert summary["exit_code"] == 1
    assert len(summary["files"]["imported"]) == 5
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM demands").fetchone()[0] == 25
    assert db.execute("SELECT count(*) FROM experts").fetchone()[0] == 20


def test_run_missing_folder_is_usage_error(tmp_path, kjd_command, subprocess_env):
    completed = run_kjd(
        kjd_command, subprocess_env, "run", tmp_path / "nope", "--db", tmp_path / "k.db"
    )
    assert completed.returncode == 2
    assert completed.stdout == ""


def test_run_writes_again_after_a_decision(
    cron_rosters, tmp_path, kjd_command, subprocess_env
):
    db_path = tmp_path / "k.db"
    out = tmp_path / "out"
    args = ["run", cron_rosters, "--db", db_path, "-o", out, "--json"]
    first = json.loads(run_kjd(kjd_command, subprocess_env, *args).stdout)
    db = sqlite3.connect(db_path)
    db.execute(
        "UPDATE matches SET status = 'accepted', updated_at = '2099-01-01T00:00:00' "
        "WHERE id = (SELECT min(id) FROM matches)"
    )
    db.commit()
    db.close()
    second = json.loads(run_kjd(kjd_command, subprocess_env, *args).stdout)
    assert first["outputs_unchanged"] is False
    assert second["outputs_unchanged"] is False
    assert second["outputs"]["docket"] != first["outputs"]["docket"]
    assert len(list(out.glob("*.xlsx"))) == 6


def test_run_quiet_prints_nothing_on_success(
    cron_rosters, tmp_path, kjd_command, subprocess_env
):
    completed = run_kjd(
        kjd_command,
        subprocess_env,
        "run",
        cron_rosters,
        "-q",
        "--db",
        tmp_path / "k.db",
        "-o",
        tmp_path / "out",
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    assert completed.stderr == ""
