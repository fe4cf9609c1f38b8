"""Speed, memory and planted-pair recall of kjd match at province scale.

Generates 10,000 demands, 100,000 achievements and 20,000 experts (see
bench_data.py: hard distractors, paraphrases), then measures in one run:

- kjd match (a subprocess: `kjd match --targets projects,experts`): wall time,
  peak memory, recall@10 of the planted achievement and expert;
- the floor any keyword method pays: rjieba segmentation, a bare scikit-learn
  TF-IDF and the same sparse top-10 product kjd uses, on the same texts (also a
  subprocess), with its wall time, peak memory and recall@10;
- a per-demand rapidfuzz `process.extract` loop on a sample of demands,
  extrapolated to all of them, with its recall on the sample.

    python benchmarks/match_bench.py [--scale 0.1] [--rapidfuzz-sample 10]
"""

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_data import BenchData, generate  # noqa: E402

TOP = 10


def run_measured(command: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run a command; return (wall seconds, peak RSS bytes of it and its children)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    watched = psutil.Process(process.pid)

    def sample():
        nonlocal peak
        while process.poll() is None:
            try:
                rss = watched.memory_info().rss
                rss += sum(
                    c.memory_info().rss for c in watched.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    seconds = time.perf_counter() - started
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return seconds, peak, completed


def write_database(path: Path, data: BenchData) -> None:
    from kjd.db import open_db, transaction

    db = open_db(path)
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO demands (id, natural_key, ref, title, description) "
            "VALUES (?, ?, ?, ?, ?)",
            [(i + 1, f"D{i}", f"D{i}", t, b) for i, (t, b) in enumerate(data.demands)],
        )
        db.conn.executemany(
            "INSERT INTO projects (id, natural_key, ref, title, field, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (i + 1, f"P{i}", f"P{i}", t, f, b)
                for i, (t, f, b) in enumerate(data.projects)
            ],
        )
        db.conn.executemany(
            "INSERT INTO experts (id, natural_key, ref, name, research_fields) "
            "VALUES (?, ?, ?, ?, ?)",
            [(i + 1, f"E{i}", f"E{i}", n, r) for i, (n, r) in enumerate(data.experts)],
        )
    db.conn.close()


def kjd_recall(path: Path, planted: int) -> dict[str, float]:
    from kjd.db import open_db

    db = open_db(path)
    recall = {}
    for target_type in ("project", "expert"):
        hits = db.execute(
            "SELECT count(*) FROM matches WHERE target_type = ? "
            "AND demand_id = target_id "
            "AND demand_id <= ? AND rank <= ?",
            [target_type, planted, TOP],
        ).fetchone()[0]
        recall[target_type] = hits / planted
    return recall


def floor_phase(data_path: Path, result_path: Path) -> None:
    """Run the floor: rjieba, bare TF-IDF, blockwise sparse top-10 (a subprocess)."""
    import rjieba
    from sklearn.feature_extraction.text import TfidfVectorizer

    with data_path.open("rb") as handle:
        data: BenchData = pickle.load(handle)
    started = time.perf_counter()
    demands = [f"{t} {b}" for t, b in data.demands]
    projects = [f"{t} {f} {b}" for t, f, b in data.projects]
    experts = [r for _, r in data.experts]
    segmented = [rjieba.cut(text) for text in [*demands, *projects, *experts]]
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(segmented).astype(np.float32).tocsr()
    d = matrix[: len(demands)]
    p = matrix[len(demands) : len(demands) + len(projects)]
    e = matrix[len(demands) + len(projects) :]
    top_projects = _top(d, p)
    top_experts = _top(d, e)
    seconds = time.perf_counter() - started
    planted = data.planted
    rows = np.arange(planted)
    result = {
        "seconds_inside": seconds,
        "project": float(
            np.mean((top_projects[:planted] == rows[:, None]).any(axis=1))
        ),
        "expert": float(np.mean((top_experts[:planted] == rows[:, None]).any(axis=1))),
    }
    result_path.write_text(json.dumps(result))


def _top(queries, targets, block: int = 256) -> np.ndarray:
    # The same top-k product kjd uses (sparse_dot_topn on two threads), else scipy.
    from kjd.match.index import top_k_pairs

    pairs = top_k_pairs(queries, targets, TOP)
    found = np.full((queries.shape[0], TOP), -1, dtype=np.int64)
    position = np.arange(len(pairs)) - np.searchsorted(
        pairs.demand_rows, pairs.demand_rows
    )
    found[pairs.demand_rows, position] = pairs.target_rows
    return found


def rapidfuzz_sample(data: BenchData, sample: int) -> tuple[float, float]:
    """Return (seconds per demand, recall@10 on the sample) of process.extract."""
    from rapidfuzz import fuzz, process

    from kjd.match.text import fold

    choices = [fold(f"{t} {b}") for t, _, b in data.projects]
    hits = 0
    started = time.perf_counter()
    for number in range(sample):
        title, body = data.demands[number]
        found = process.extract(
            fold(f"{title} {body}"), choices, scorer=fuzz.WRatio, limit=TOP
        )
        hits += any(index == number for _, _, index in found)
    return (time.perf_counter() - started) / sample, hits / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of full size"
    )
    parser.add_argument("--rapidfuzz-sample", type=int, default=10)
    parser.add_argument("--phase", choices=["floor"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "floor":
        floor_phase(args.data, args.result)
        return 0

    with tempfile.TemporaryDirectory(prefix="kjd-bench-") as name:
        return measure(args, Path(name))


def measure(args, folder: Path) -> int:
    """Generate the rosters in `folder`, run the three methods, print the table."""
    sizes = [int(n * args.scale) for n in (10_000, 100_000, 20_000)]
    started = time.perf_counter()
    data = generate(*sizes)
    print(
        f"generated {sizes[0]:,} demands, {sizes[1]:,} achievements, "
        f"{sizes[2]:,} experts in {time.perf_counter() - started:.1f} s"
    )
    data_path = folder / "data.pickle"
    with data_path.open("wb") as handle:
        pickle.dump(data, handle)
    db_path = folder / "bench.db"
    write_database(db_path, data)

    floor_result = folder / "floor.json"
    floor_seconds, floor_peak, floor_run = run_measured(
        [
            sys.executable,
            __file__,
            "--phase",
            "floor",
            "--data",
            str(data_path),
            "--result",
            str(floor_result),
        ]
    )
    if floor_run.returncode != 0:
        print(floor_run.stderr.decode(errors="replace"))
        return 1
    floor = json.loads(floor_result.read_text())

    kjd_seconds, kjd_peak, kjd_run = run_measured(
        [
            sys.executable,
            "-m",
            "kjd",
            "--db",
            str(db_path),
            "match",
            "--json",
            "--targets",
            "projects,experts",
            "--threshold",
            "0",
            "--limit",
            str(TOP),
        ]
    )
    if kjd_run.returncode != 0:
        print(kjd_run.stderr.decode(errors="replace"))
        return 1
    kjd_result = json.loads(kjd_run.stdout)
    recall = kjd_recall(db_path, data.planted)

    per_demand, fuzzy_recall = rapidfuzz_sample(data, args.rapidfuzz_sample)
    print(
        f"{'method':40s} {'wall s':>8s} {'peak MB':>8s} "
        f"{'R@10 proj':>9s} {'R@10 exp':>9s}"
    )
    print(
        f"{'kjd match (subprocess)':40s} {kjd_seconds:8.1f} {kjd_peak / 2**20:8.0f} "
        f"{recall['project']:9.3f} {recall['expert']:9.3f}"
    )
    print(
        f"{'floor: rjieba + TF-IDF + sparse top-k':40s} {floor_seconds:8.1f} "
        f"{floor_peak / 2**20:8.0f} {floor['project']:9.3f} {floor['expert']:9.3f}"
    )
    print(
        f"{'rapidfuzz extract per demand (extrap.)':40s} "
        f"{per_demand * len(data.demands):8.0f} {'':>8s} {fuzzy_recall:9.3f} {'':>9s}"
        f"  ({per_demand:.2f} s/demand on {args.rapidfuzz_sample} demands)"
    )
    print(f"kjd / floor wall time: {kjd_seconds / floor_seconds:.2f}")
    print(f"kjd candidate pairs: {kjd_result['candidate_pairs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
