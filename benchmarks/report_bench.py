"""Time a 5,000-pair docket against a bare XlsxWriter write of the same cells.

The script builds a database of generated demands, achievements and matches
with realistic Chinese text, then measures in one run:

- kjd: `write_docket` end to end (query, masking, widths, row heights, print
  setup, safe cells, the unmatched sheet);
- layer: the shared workbook layer alone writing the already built docket;
- bare: XlsxWriter writing the same docket cells with `write_row` and no
  formatting at all.

Each action is timed with the cyclic garbage collector on, then again with it
paused (see `interleaved_times`). Targets: kjd ≤ 1.5 × bare and ≤ 5 s. Run:
    PYTHONPATH=. python benchmarks/report_bench.py [--pairs 5000]
"""

import argparse
import gc
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from kjd.db import open_db, transaction
from kjd.reports.docket import build_docket, write_docket
from kjd.reports.workbook import write_workbook

FIELDS = [
    "先进制造",
    "新材料",
    "生物医药",
    "电子信息",
    "新能源",
    "现代农业",
    "节能环保",
]
CITIES = [
    "长春市",
    "吉林市",
    "四平市",
    "辽源市",
    "通化市",
    "白山市",
    "松原市",
    "白城市",
]
WORDS = (
    "铝合金 压铸件 气孔 缺陷 激光 熔覆 氢燃料 电池 双极板 玉米 深加工 人参 皂苷 "
    "提取 光电 镀膜 传感器 智能 控制 算法 低温 启动 轻量化 复合材料 检测 装备 "
    "发酵 工艺 节能 减排 储能 催化剂 精密 加工 数控 机床 医用 材料"
).split()
RUNS = 5


def sentence(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(words))


def build_database(path: Path, pairs: int, seed: int = 11):
    """Create a database with `pairs` proposed or accepted matches."""
    rng = random.Random(seed)
    demands = pairs // 2
    projects = pairs
    db = open_db(path)
    with transaction(db):
        db["institutes"].insert_all(
            {
                "id": i,
                "name": f"吉林省第{i}研究院",
                "natural_key": f"i{i}",
                "city": rng.choice(CITIES),
            }
            for i in range(1, 51)
        )
        db["enterprises"].insert_all(
            {
                "id": i,
                "name": f"吉林省{sentence(rng, 2)}科技有限公司{i}",
                "natural_key": f"e{i}",
                "city": rng.choice(CITIES),
                "contact": "联系人",
                "phone": f"138{i:08d}",
            }
            for i in range(1, demands + 1)
        )
        db["demands"].insert_all(
            {
                "id": i,
                "enterprise_id": i,
                "natural_key": f"d{i}",
                "title": sentence(rng, rng.randint(3, 8)),
                "description": sentence(rng, rng.randint(30, 120)),
                "field": rng.choice(FIELDS),
                "city": rng.choice(CITIES),
            }
            for i in range(1, demands + 1)
        )
        db["projects"].insert_all(
            {
                "id": i,
                "natural_key": f"p{i}",
                "title": sentence(rng, rng.randint(3, 9)),
                "field": rng.choice(FIELDS),
                "institute_id": rng.randint(1, 50),
            }
            for i in range(1, projects + 1)
        )
        db["matches"].insert_all(
            {
                "demand_id": number // 2 + 1,
                "target_type": "project",
                "target_id": number + 1,
                "score": round(rng.uniform(30, 95), 1),
                "rank": number % 2 + 1,
                "parts": json.dumps({"text": 30.0, "field": 10.0}),
                "shared_terms": json.dumps(rng.sample(WORDS, 3), ensure_ascii=False),
                "status": rng.choice(["proposed", "accepted"]),
            }
            for number in range(pairs)
        )
    return db


def bare_write(path: Path, sheets) -> None:
    """Write the same cells with XlsxWriter and nothing else."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    for spec in sheets:
        sheet = workbook.add_worksheet(spec.name)
        columns = spec.table_columns()
        sheet.write_row(0, 0, [column.header for column in columns])
        for row_index, record in enumerate(spec.row_dicts(), start=1):
            sheet.write_row(row_index, 0, [record.get(c.key) for c in columns])
    workbook.close()


def interleaved_times(
    actions: dict, runs: int, collector_paused: bool
) -> dict[str, dict[str, list]]:
    """Run each action `runs` times, alternating, so load from other work on the
    machine falls on all of them alike.

    Each run starts with a full garbage collection, so that no action pays for
    the garbage of the one before it. With `collector_paused` the cyclic
    garbage collector is off while an action runs, as `timeit` does by default.

    Returns {action: {"wall": seconds, "cpu": seconds}}: wall-clock time and the
    CPU time of this process, which other jobs on a shared machine disturb less.
    """
    times = {name: {"wall": [], "cpu": []} for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            gc.collect()
            if collector_paused:
                gc.disable()
            wall_started = time.perf_counter()
            cpu_started = time.process_time()
            try:
                action()
            finally:
                gc.enable()
            times[name]["cpu"].append(time.process_time() - cpu_started)
            times[name]["wall"].append(time.perf_counter() - wall_started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=RUNS)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db = build_database(folder / "bench.db", arguments.pairs)
        report = build_docket(db)
        pair_rows = len(report.sheets[0].rows)

        def kjd_write():
            write_docket(db, folder / "kjd.xlsx", force=True)

        def bare():
            bare_write(folder / "bare.xlsx", report.sheets)

        def layer_write():
            write_workbook(folder / "layer.xlsx", report.sheets, force=True)

        actions = {
            "kjd": kjd_write,
            "bare": bare,
            "build": lambda: build_docket(db),
            "layer": layer_write,
        }
        print(f"docket pairs: {pair_rows}; {arguments.runs} interleaved runs")
        for paused, heading in ((False, "collector on"), (True, "collector paused")):
            times = interleaved_times(actions, arguments.runs, collector_paused=paused)
            print(f"\n{heading}")
            print_times(times)
    print("\ntarget: kjd / bare <= 1.5x and kjd <= 5 s")


def print_times(times: dict) -> None:
    """Print min and median seconds of each action and the ratios to the bare write."""
    labels = {
        "kjd": "kjd write_docket (query + build + write)",
        "build": "  of which query + build rows",
        "layer": "  workbook layer alone (write_workbook)",
        "bare": "bare XlsxWriter write of the same cells",
    }
    print(f"{'':42} {'wall min':>9} {'median':>7} {'cpu min':>8} {'median':>7}")
    for name, label in labels.items():
        figures = [
            function(times[name][clock])
            for clock in ("wall", "cpu")
            for function in (min, statistics.median)
        ]
        print(f"{label:42} " + " ".join(f"{value:7.2f} s" for value in figures))
    for name in ("kjd", "layer"):
        ratios = [
            function(times[name][clock]) / function(times["bare"][clock])
            for clock in ("wall", "cpu")
            for function in (min, statistics.median)
        ]
        print(
            f"ratio {name} / bare{'':27} "
            + " ".join(f"{ratio:8.2f}x" for ratio in ratios)
        )


if __name__ == "__main__":
    main()
