"""Time `kjd import` on a large generated demand workbook against two baselines.

Generates an N-row demand roster (default 100,000 rows; descriptions of 200–400
characters of technical Chinese) and measures, in the same run and each in its
own process so that peak memory is per stage:

- floor:  python-calamine reading every cell (`to_python`), nothing else;
- store:  the floor plus the raw cells inserted into one SQLite table (WAL,
  a UNIQUE key, one transaction): what storing the rows costs at least;
- pandas: `pandas.read_excel(engine="openpyxl")` + `DataFrame.to_sql`, what a
  script written today does;
- kjd:    `kjd import FILE` end to end (process start, read, clean, link, load).

Prints seconds, peak RSS and the ratios kjd/floor and pandas/kjd. Targets:
kjd ≤ 2× floor, ≥ 4× faster than pandas, peak RSS ≤ 1 GB.

Usage: python benchmarks/import_bench.py [--rows N] [--repeat R] [--keep DIR]
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PHRASES = [
    "铝合金压铸件气孔缺陷控制",
    "真空压铸工艺优化",
    "模具排气结构设计",
    "高强钢激光拼焊",
    "新能源汽车电驱动系统",
    "电池热管理",
    "玉米秸秆纤维素酶高效制备",
    "发酵工艺放大",
    "聚乳酸产业化关键技术",
    "生物降解塑料改性",
    "碳纤维原丝湿法纺丝",
    "硅藻土提纯与高值化利用",
    "人参深加工与有效成分提取",
    "黑木耳菌种选育",
    "智能灌溉物联网测控系统",
    "机器视觉缺陷检测",
    "工业机器人离线编程",
    "数控机床精度补偿",
    "光学镜头无热化设计",
    "红外成像探测器",
    "中药制剂质量标准提升",
    "疫苗细胞培养工艺",
    "污水深度处理与回用",
    "固废资源化利用",
    "氢燃料电池双极板",
    "储能系统安全预警",
    "农产品冷链保鲜",
    "轨道客车轻量化车体",
]
CONNECTORS = [
    "，需要解决",
    "；目前存在",
    "，希望合作开发",
    "，重点突破",
    "，提高",
    "。企业现有",
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
    "延边州",
]
FIELDS = [
    "先进制造",
    "新材料",
    "生物医药",
    "现代农业",
    "电子信息",
    "新能源",
    "资源环境",
]
HEADER = [
    "序号", "需求编号", "企业名称", "需求名称",
    "需求描述（主要问题、技术关键、预期目标）",
    "技术领域", "所在地区", "拟投入资金（万元）", "联系人", "联系电话",
]  # fmt: skip


def description(rng: random.Random) -> str:
    target = rng.randint(200, 400)
    parts = []
    length = 0
    while length < target:
        part = rng.choice(PHRASES) + rng.choice(CONNECTORS)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:target] + "。"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    import xlsxwriter

    rng = random.Random(seed)
    enterprises = [
        f"{rng.choice(CITIES)[:2]}{rng.choice('德茂恒昌瑞丰宏达华信金鼎')}"
        f"{rng.choice('汽车光电生物化工机械农业医药')}科技有限公司{number}"
        for number in range(rows // 20 + 1)
    ]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("技术需求")
    sheet.write_row(0, 0, ["2024年企业技术需求汇总表"])
    sheet.write_row(1, 0, HEADER)
    for index in range(rows):
        sheet.write_row(
            index + 2,
            0,
            [
                index + 1,
                f"D{index + 1:06d}",
                rng.choice(enterprises),
                rng.choice(PHRASES) + rng.choice(["研究", "开发", "应用", "产业化"]),
                description(rng),
                rng.choice(FIELDS),
                rng.choice(CITIES),
                rng.choice([50, 100, 200, "面议", "0.5亿", 30.5]),
                f"联系人{index % 997}",
                13800000000 + index,
            ],
        )
    workbook.close()


def stage_floor(path: str) -> dict:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    rows = book.get_sheet_by_index(0).to_python()
    return {"rows": len(rows)}


def stage_store(path: str, database: str) -> dict:
    # The floor plus storing the raw cells: one SQLite table of TEXT columns in
    # WAL mode with a UNIQUE key, one transaction, as any tool that keeps the
    # rows in SQLite must at least do.
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = rows.to_python()[2:]
    width = len(HEADER)
    columns = ", ".join(f"c{index} TEXT" for index in range(width))
    with sqlite3.connect(database, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"CREATE TABLE rows (id INTEGER PRIMARY KEY, {columns})")
        conn.execute("CREATE UNIQUE INDEX rows_ref ON rows (c1)")
        marks = ", ".join("?" * width)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO rows VALUES (NULL, {marks})", rows)
        conn.execute("COMMIT")
    return {"rows": len(rows)}


def stage_pandas(path: str, database: str) -> dict:
    import pandas

    frame = pandas.read_excel(path, engine="openpyxl", header=1)
    with sqlite3.connect(database) as conn:
        frame.to_sql("demands", conn, index=False)
    return {"rows": len(frame)}


def run_stage(args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    completed = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"stage failed: {args}\n{completed.stderr[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    last_line = completed.stdout.strip().splitlines()[-1]
    result = json.loads(last_line) if last_line.startswith("{") else {}
    result["seconds"] = elapsed
    result["max_rss_children_mb"] = usage.ru_maxrss / 1024
    return result


def measure(name: str, args: list[str], repeat: int, fresh=None) -> dict:
    times, peaks = [], []
    for _ in range(repeat):
        if fresh is not None:
            fresh()
        wrapped = [sys.executable, __file__, "--measure", json.dumps(args)]
        result = run_stage(wrapped)
        times.append(result["wall"])
        peaks.append(result["peak_mb"])
    return {"stage": name, "seconds": statistics.median(times), "peak_mb": max(peaks)}


def measured_child(args: list[str]) -> None:
    # Run one stage as a grandchild and report its wall time and peak RSS.
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--stage", choices=["floor", "store", "pandas"], default=None)
    parser.add_argument("--measure", default=None)
    parser.add_argument("paths", nargs="*")
    options = parser.parse_args()
    if options.measure:
        measured_child(json.loads(options.measure))
        return
    if options.stage == "floor":
        print(json.dumps(stage_floor(options.paths[0])))
        return
    if options.stage == "store":
        print(json.dumps(stage_store(*options.paths)))
        return
    if options.stage == "pandas":
        print(json.dumps(stage_pandas(*options.paths)))
        return

    folder = options.keep or Path(tempfile.mkdtemp(prefix="kjd-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    workbook = folder / f"demands_{options.rows}.xlsx"
    if not workbook.exists():
        started = time.perf_counter()
        generate(workbook, options.rows)
        print(
            f"generated {workbook} ({workbook.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
    store_db = folder / "store.db"
    pandas_db = folder / "pandas.db"
    kjd_db = folder / "kjd.db"

    def fresh(path):
        def remove():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return remove

    python = sys.executable
    results = [
        measure("floor (calamine to_python)",
                [python, __file__, "--stage", "floor", str(workbook)], options.repeat),
        measure("floor + raw cells into SQLite",
                [python, __file__, "--stage", "store", str(workbook), str(store_db)],
                options.repeat, fresh(store_db)),
        measure("pandas read_excel(openpyxl) + to_sql",
                [python, __file__, "--stage", "pandas", str(workbook), str(pandas_db)],
                options.repeat, fresh(pandas_db)),
        measure("kjd import (end to end)",
                [python, "-m", "kjd", "--db", str(kjd_db), "-q", "import",
                 str(workbook)],
                options.repeat, fresh(kjd_db)),
    ]  # fmt: skip
    print(f"\n{options.rows:,} rows, median of {options.repeat} runs, 2-core machine")
    for result in results:
        print(f"{result['stage']:<40} {result['seconds']:7.2f} s  "
              f"peak RSS {result['peak_mb']:7.0f} MB")  # fmt: skip
    floor, store, pandas_path, kjd = (result["seconds"] for result in results)
    print(f"\nkjd / floor           {kjd / floor:5.2f}×  (target ≤ 2)")
    print(f"pandas path / kjd     {pandas_path / kjd:5.2f}×  (target ≥ 4)")
    print(f"kjd peak RSS          {results[3]['peak_mb']:5.0f} MB (target ≤ 1024)")
    print(f"store / floor         {store / floor:5.2f}×  (reading and storing only)")
    with sqlite3.connect(kjd_db) as conn:
        count = conn.execute("SELECT count(*) FROM demands").fetchone()[0]
    print(f"kjd rows in database  {count:,}")


if __name__ == "__main__":
    main()
