"""Matching quality on the shared real rosters, next to a TF-IDF baseline.

Imports ../shared/realdata with kjd's importer into a fresh database, runs kjd
match (achievements and experts), and scores each demand's ranked list against
gold_links.csv: recall@10, nDCG@10 (gain 2^grade − 1) and MRR. The baseline is
a character 2–3-gram TF-IDF cosine over the same texts, computed in the same
run. A demand's list is its achievements and experts together, best score first.

    python benchmarks/quality.py [--semantic] [--verbose]
"""

import argparse
import csv
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kjd.db import open_db  # noqa: E402
from kjd.importers import import_paths  # noqa: E402
from kjd.match.runs import run_matching  # noqa: E402

REALDATA = REPO.parent / "shared" / "realdata"
TARGETS = ("project", "expert")
CUTOFF = 10


def read_gold(path: Path) -> dict[str, dict[str, int]]:
    gold: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            gold.setdefault(row["demand_ref"], {})[row["target_ref"]] = int(
                row["grade"]
            )
    return gold


def metrics(ranked: dict[str, list[str]], gold: dict[str, dict[str, int]]) -> dict:
    """Mean recall@10, nDCG@10 and MRR over the demands that have gold links."""
    recall, ndcg, reciprocal = [], [], []
    for demand, grades in gold.items():
        top = ranked.get(demand, [])[:CUTOFF]
        gains = [
            (2 ** grades.get(t, 0) - 1) / math.log2(i + 2) for i, t in enumerate(top)
        ]
        ideal = sorted(grades.values(), reverse=True)[:CUTOFF]
        best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg.append(sum(gains) / best)
        recall.append(sum(1 for t in top if t in grades) / len(grades))
        first = next((i + 1 for i, t in enumerate(top) if t in grades), None)
        reciprocal.append(1 / first if first else 0.0)
    return {
        "recall@10": float(np.mean(recall)),
        "nDCG@10": float(np.mean(ndcg)),
        "MRR": float(np.mean(reciprocal)),
        "per_demand_ndcg": dict(zip(gold, ndcg, strict=True)),
    }


def kjd_ranking(db) -> dict[str, list[str]]:
    rows = db.execute(
        "SELECT d.ref, COALESCE(p.ref, x.ref), m.score FROM matches m "
        "JOIN demands d ON d.id = m.demand_id "
        "LEFT JOIN projects p ON m.target_type = 'project' AND p.id = m.target_id "
        "LEFT JOIN experts x ON m.target_type = 'expert' AND x.id = m.target_id "
        "WHERE m.target_type IN ('project', 'expert') "
        "ORDER BY d.ref, m.score DESC, m.target_type, m.target_id"
    ).fetchall()
    ranked: dict[str, list[str]] = {}
    for demand, target, _ in rows:
        ranked.setdefault(demand, []).append(target)
    return ranked


def baseline_ranking(db) -> dict[str, list[str]]:
    """Rank targets by character 2–3-gram TF-IDF cosine of the raw texts."""
    demands = db.execute(
        "SELECT ref, COALESCE(title, '') || ' ' || COALESCE(description, '') "
        "FROM demands"
    ).fetchall()
    targets = db.execute(
        "SELECT ref, COALESCE(title, '') || ' ' || COALESCE(field, '') || ' ' || "
        "COALESCE(summary, '') FROM projects UNION ALL "
        "SELECT ref, COALESCE(research_fields, '') FROM experts"
    ).fetchall()
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3))
    vectorizer.fit([t for _, t in demands] + [t for _, t in targets])
    scores = (
        vectorizer.transform([t for _, t in demands])
        @ vectorizer.transform([t for _, t in targets]).T
    ).toarray()
    refs = [r for r, _ in targets]
    ranked = {}
    for row, (demand, _) in enumerate(demands):
        order = np.argsort(-scores[row], kind="stable")
        ranked[demand] = [refs[i] for i in order if scores[row, i] > 0]
    return ranked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semantic", action="store_true", help="add 语义相近")
    parser.add_argument("--verbose", action="store_true", help="nDCG per demand")
    parser.add_argument("--db", type=Path, help="keep the database at this path")
    args = parser.parse_args()
    if not (REALDATA / "gold_links.csv").is_file():
        print(f"skipped: {REALDATA} is not beside this checkout")
        return 0

    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "quality.db"
    db = open_db(path)
    report = import_paths(
        db, [REALDATA], rejects_path=Path(folder.name) / "rejects.xlsx"
    )
    imported = {
        r.kind: r.inserted + r.updated + r.unchanged for r in report.sheets if r.kind
    }
    started = time.perf_counter()
    result = run_matching(db, targets=TARGETS, threshold=0, semantic=args.semantic)
    seconds = time.perf_counter() - started

    gold = read_gold(REALDATA / "gold_links.csv")
    ours = metrics(kjd_ranking(db), gold)
    base = metrics(baseline_ranking(db), gold)
    print(f"imported: {imported}")
    print(f"demands with gold links: {len(gold)}; kjd match took {seconds:.1f} s")
    print(f"{'method':34s} {'recall@10':>9s} {'nDCG@10':>8s} {'MRR':>6s}")
    for name, figures in (
        ("baseline: char 2-3-gram TF-IDF", base),
        ("kjd match" + (" --semantic" if args.semantic else ""), ours),
    ):
        print(
            f"{name:34s} {figures['recall@10']:9.3f} {figures['nDCG@10']:8.3f} "
            f"{figures['MRR']:6.3f}"
        )
    print(
        f"ratio kjd/baseline: nDCG@10 {ours['nDCG@10'] / base['nDCG@10']:.2f}, "
        f"recall@10 {ours['recall@10'] / base['recall@10']:.2f}"
    )
    print(f"candidate pairs: {result.candidate_pairs}")
    if args.verbose:
        for demand, value in ours["per_demand_ndcg"].items():
            baseline = base["per_demand_ndcg"][demand]
            print(f"  {demand} nDCG@10 {value:.2f} (baseline {baseline:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
