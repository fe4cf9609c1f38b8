"""Find records that may be the same body: candidate pairs and clusters.

Blocking first, comparison second, so 50,000 enterprises never form all
pairs. Institutes and enterprises are blocked on their folded name, their
brand core (or bare name when the core is empty) and each bigram of the
core; enterprises also on their credit code. Experts are blocked on the
name. Every pair scoring at least the threshold is proposed with the rule
that scored it; pairs a person decided 不合并 never come back, and open
pairs from the import review queue are added whatever their score.
"""

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass

import sqlite_utils

from kjd.defaults import DEDUPE_THRESHOLD
from kjd.match.entities import normalize_credit_code
from kjd.match.merge import TABLES, reference_count
from kjd.match.orgcompare import (
    Comparison,
    compare_enterprise_parts,
    compare_institute_parts,
    ratio,
)
from kjd.match.orgnames import enterprise_parts, institute_parts, name_key
from kjd.match.rulelabels import rule_label

logger = logging.getLogger(__name__)

"""Default: pairs scoring at least this are proposed as duplicates."""

KINDS = ("institute", "enterprise", "expert")
# A bigram shared by more records than this says nothing about identity
# (科技, 长春…), so its block is skipped; exact-core blocks are never skipped.
MAX_BLOCK_SIZE = 200
_EXPERT_BASE = 60.0


@dataclass
class CandidatePair:
    """Two records that may be the same body, the score and the rule."""

    kind: str
    id_a: int
    id_b: int
    name_a: str
    name_b: str
    score: float
    rule: str
    cluster: int = 0
    source: str = "dedupe"
    keep: str = "A"

    def to_dict(self) -> dict:
        """Return the pair as a dict, with the rule slug and its Chinese label."""
        return {**asdict(self), "rule_label": rule_label(self.rule)}


@dataclass
class _Record:
    entity_id: int
    name: str
    credit_code: str = ""
    institute_id: int | None = None
    institute_name: str = ""
    research_fields: str = ""


def find_duplicates(
    db: sqlite_utils.Database,
    kind: str,
    *,
    threshold: float = DEDUPE_THRESHOLD,
    include_queue: bool = True,
) -> list[CandidatePair]:
    """Return the candidate duplicate pairs of `kind`, grouped in clusters.

    Args:
        kind: 'institute', 'enterprise' or 'expert'.
        threshold: pairs scoring at least this (0–100) are returned.
        include_queue: also return the open pairs queued during import.

    Returns:
        Pairs sorted by cluster, then score (highest first). A cluster is a
        connected group of pairs, numbered from 1. Within a pair, A is the
        record suggested to keep: the one more rows point at, else the older.
        An empty list when nothing reaches the threshold.
    """
    records = _load(db, kind)
    distinct = _decided_pairs(db, kind)
    pairs: dict[tuple[int, int], CandidatePair] = {}
    for id_a, id_b in _candidate_pairs(kind, records):
        if (id_a, id_b) in distinct:
            continue
        comparison = _compare(kind, records[id_a], records[id_b])
        if comparison.score >= threshold:
            pairs[(id_a, id_b)] = _pair(kind, records, id_a, id_b, comparison)
    if include_queue:
        for pair in _queued_pairs(db, kind, records, distinct):
            pairs.setdefault((pair.id_a, pair.id_b), pair)
    ordered = _cluster(list(pairs.values()))
    for pair in ordered:
        _suggest_kept(db, pair)
    logger.info("%s: %s records, %s candidate pairs", kind, len(records), len(ordered))
    return ordered


def record_distinct(db: sqlite_utils.Database, kind: str, id_a: int, id_b: int) -> None:
    """Record that two records are different bodies, so they are not proposed again."""
    low, high = sorted((id_a, id_b))
    db.execute(
        "INSERT INTO entity_decisions (kind, id_a, id_b, decision) "
        "VALUES (?, ?, ?, 'distinct') ON CONFLICT (kind, id_a, id_b) "
        "DO UPDATE SET decision = 'distinct'",
        [kind, low, high],
    )
    db.execute(
        "UPDATE resolution_queue SET status = 'distinct' WHERE kind = ? AND "
        "((record_id = ? AND candidate_id = ?) "
        "OR (record_id = ? AND candidate_id = ?))",
        [kind, low, high, high, low],
    )


def _load(db: sqlite_utils.Database, kind: str) -> dict[int, _Record]:
    if kind == "enterprise":
        rows = db.execute("SELECT id, name, credit_code FROM enterprises").fetchall()
        return {
            row[0]: _Record(row[0], row[1], normalize_credit_code(row[2]))
            for row in rows
        }
    if kind == "institute":
        rows = db.execute("SELECT id, name FROM institutes").fetchall()
        return {row[0]: _Record(row[0], row[1]) for row in rows}
    rows = db.execute(
        "SELECT e.id, e.name, e.institute_id, "
        "coalesce(i.name, e.institute_name, ''), coalesce(e.research_fields, '') "
        "FROM experts e LEFT JOIN institutes i ON i.id = e.institute_id"
    ).fetchall()
    return {row[0]: _Record(row[0], row[1], "", row[2], row[3], row[4]) for row in rows}


def _decided_pairs(db: sqlite_utils.Database, kind: str) -> set[tuple[int, int]]:
    rows = db.execute(
        "SELECT id_a, id_b FROM entity_decisions "
        "WHERE kind = ? AND decision = 'distinct'",
        [kind],
    ).fetchall()
    return {tuple(sorted(row)) for row in rows}


def _candidate_pairs(kind: str, records: dict[int, _Record]) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record in records.values():
        for block_key in _block_keys(kind, record):
            blocks[block_key].append(record.entity_id)
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for (rule, _), members in blocks.items():
        if len(members) < 2:
            continue
        if rule == "gram" and len(members) > MAX_BLOCK_SIZE:
            skipped += 1
            continue
        members.sort()
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                pairs.add((first, second))
    if skipped:
        logger.info("%s: %s common bigram blocks skipped", kind, skipped)
    return pairs


def _block_keys(kind: str, record: _Record) -> set[tuple[str, str]]:
    if kind == "expert":
        return {("name", name_key(record.name))}
    parts = _parts(kind, record.name)
    keys = {("folded", parts.folded)}
    stem = parts.core or parts.bare
    if stem:
        keys.add(("core", stem))
    for i in range(len(parts.core) - 1):
        keys.add(("gram", parts.core[i : i + 2]))
    if record.credit_code:
        keys.add(("credit_code", record.credit_code))
    return keys


_PARTS_CACHE: dict[tuple[str, str], object] = {}


def _parts(kind: str, name: str):
    key = (kind, name)
    parts = _PARTS_CACHE.get(key)
    if parts is None:
        if len(_PARTS_CACHE) > 200_000:
            _PARTS_CACHE.clear()
        parts = (
            enterprise_parts(name) if kind == "enterprise" else institute_parts(name)
        )
        _PARTS_CACHE[key] = parts
    return parts


def _compare(kind: str, first: _Record, second: _Record) -> Comparison:
    if kind == "expert":
        return _compare_experts(first, second)
    if kind == "enterprise" and first.credit_code and second.credit_code:
        if first.credit_code == second.credit_code:
            return Comparison(100.0, "credit_code")
        return Comparison(0.0, "other_credit_code")
    parts_a, parts_b = _parts(kind, first.name), _parts(kind, second.name)
    if kind == "enterprise":
        return compare_enterprise_parts(parts_a, parts_b)
    return compare_institute_parts(parts_a, parts_b)


def _compare_experts(first: _Record, second: _Record) -> Comparison:
    """Same name, then the institute and the research fields decide.

    60 for the same name, up to 25 for the institute (same record 25, one
    unknown 12.5, similar names by fuzzy ratio) and up to 15 for the fields.
    """
    if first.institute_id and first.institute_id == second.institute_id:
        institute = 1.0
    elif not first.institute_name or not second.institute_name:
        institute = 0.5
    else:
        similarity = ratio(first.institute_name, second.institute_name) / 100.0
        institute = similarity if similarity >= 0.8 else 0.0
    fields = _field_similarity(first.research_fields, second.research_fields)
    score = _EXPERT_BASE + 25.0 * institute + 15.0 * fields
    rule = "same_name_same_institute" if institute >= 0.8 else "same_expert_name"
    return Comparison(round(score, 1), rule)


def _field_similarity(first: str, second: str) -> float:
    grams_a = _bigrams(first)
    grams_b = _bigrams(second)
    if not grams_a or not grams_b:
        return 0.5
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _bigrams(text: str) -> set[str]:
    key = name_key(text)
    return {key[i : i + 2] for i in range(len(key) - 1)}


def _pair(kind, records, id_a, id_b, comparison, source="dedupe") -> CandidatePair:
    return CandidatePair(
        kind=kind,
        id_a=id_a,
        id_b=id_b,
        name_a=records[id_a].name,
        name_b=records[id_b].name,
        score=comparison.score,
        rule=comparison.rule,
        source=source,
    )


def _queued_pairs(db, kind, records, distinct) -> list[CandidatePair]:
    rows = db.execute(
        "SELECT record_id, candidate_id, score, match_rule FROM resolution_queue "
        "WHERE kind = ? AND status = 'open' AND candidate_id IS NOT NULL",
        [kind],
    ).fetchall()
    found = []
    for record_id, candidate_id, score, rule in rows:
        id_a, id_b = sorted((record_id, candidate_id))
        if id_a == id_b or id_a not in records or id_b not in records:
            continue
        if (id_a, id_b) in distinct:
            continue
        comparison = Comparison(score or 0.0, rule or "queued")
        found.append(_pair(kind, records, id_a, id_b, comparison, source="queue"))
    return found


def _cluster(pairs: list[CandidatePair]) -> list[CandidatePair]:
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        parent[root(pair.id_a)] = root(pair.id_b)
    numbers: dict[int, int] = {}
    for pair in sorted(pairs, key=lambda item: min(item.id_a, item.id_b)):
        group = root(pair.id_a)
        numbers.setdefault(group, len(numbers) + 1)
        pair.cluster = numbers[group]
    return sorted(pairs, key=lambda item: (item.cluster, -item.score, item.id_a))


def _suggest_kept(db: sqlite_utils.Database, pair: CandidatePair) -> None:
    if pair.kind not in TABLES:
        return
    count_a = reference_count(db, pair.kind, pair.id_a)
    count_b = reference_count(db, pair.kind, pair.id_b)
    pair.keep = "B" if count_b > count_a else "A"
