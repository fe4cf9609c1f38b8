"""Read stored matches back: one demand's ranked targets, and score statistics."""

import json
import logging
from dataclasses import asdict, dataclass, field

import sqlite_utils

from kjd.match.runs import DEFAULT_THRESHOLD, find_demand

logger = logging.getLogger(__name__)

TARGET_LABELS = {"project": "成果", "expert": "专家", "institute": "院所"}
STATUS_LABELS = {
    "proposed": "待审",
    "accepted": "同意",
    "rejected": "不同意",
    "stale": "已过期",
}

# The target's display name and external reference, by target type.
_TARGET_SQL = {
    "project": "SELECT id, ref, title AS name, institute_names AS unit FROM projects",
    "expert": "SELECT id, ref, name, institute_name AS unit FROM experts",
    "institute": "SELECT id, ref, name, city AS unit FROM institutes",
}


@dataclass
class MatchView:
    """One stored match as staff read it."""

    target_type: str
    target_id: int
    target_ref: str | None
    target_name: str
    target_unit: str | None
    score: float
    rank: int | None
    status: str
    parts: dict[str, float]
    shared_terms: list[str]
    match_rule: str | None
    note: str | None = None


@dataclass
class DemandMatches:
    """A demand and its stored matches, best first within each target type."""

    demand_id: int
    demand_ref: str | None
    title: str | None
    enterprise: str | None
    matches: list[MatchView] = field(default_factory=list)

    def to_dict(self) -> dict:
        document = asdict(self)
        document["status"] = "ok"
        return document


def target_names(db: sqlite_utils.Database, target_type: str, ids) -> dict[int, dict]:
    """Return id → {ref, name, unit} for the given targets of one type."""
    ids = list(ids)
    if not ids:
        return {}
    sql = _TARGET_SQL[target_type] + " WHERE id IN (SELECT value FROM json_each(?))"
    return {row["id"]: row for row in db.query(sql, [json.dumps(ids)])}


def names_by_type(db: sqlite_utils.Database, rows) -> dict[str, dict[int, dict]]:
    """Return target type → id → {ref, name, unit} for the targets of match rows."""
    return {
        kind: target_names(
            db, kind, [r["target_id"] for r in rows if r["target_type"] == kind]
        )
        for kind in TARGET_LABELS
    }


def demand_matches(
    db: sqlite_utils.Database,
    demand_ref: str,
    *,
    limit: int | None = None,
    include_rejected: bool = False,
) -> DemandMatches:
    """Return the stored matches of one demand, by target type and rank.

    Raises:
        NotFound: no demand has that reference.
    """
    demand = find_demand(db, demand_ref)
    sql = (
        "SELECT m.*, dc.note FROM matches m LEFT JOIN decisions dc ON "
        "dc.demand_id = m.demand_id AND dc.target_type = m.target_type AND "
        "dc.target_id = m.target_id WHERE m.demand_id = ?"
    )
    if not include_rejected:
        sql += " AND m.status != 'rejected'"
    sql += (
        " ORDER BY CASE m.target_type WHEN 'project' THEN 0 WHEN 'expert' THEN 1 "
        "ELSE 2 END, m.score DESC, m.target_id"
    )
    rows = list(db.query(sql, [demand["id"]]))
    names = names_by_type(db, rows)
    result = DemandMatches(
        demand["id"], demand["ref"], demand["title"], demand["enterprise_name"]
    )
    shown: dict[str, int] = {}
    for row in rows:
        kind = row["target_type"]
        shown[kind] = shown.get(kind, 0) + 1
        if limit is not None and shown[kind] > limit:
            continue
        target = names[kind].get(row["target_id"], {})
        result.matches.append(
            MatchView(
                target_type=kind,
                target_id=row["target_id"],
                target_ref=target.get("ref"),
                target_name=target.get("name") or f"#{row['target_id']}",
                target_unit=target.get("unit"),
                score=row["score"],
                rank=row["rank"],
                status=row["status"],
                parts=json.loads(row["parts"] or "{}"),
                shared_terms=json.loads(row["shared_terms"] or "[]"),
                match_rule=row["match_rule"],
                note=row["note"],
            )
        )
    return result


@dataclass
class MatchStats:
    """Score histogram and coverage of the stored matches."""

    demands: int
    demands_with_match: int
    demands_without_match: int
    threshold: float
    matches: int
    by_status: dict[str, int]
    by_target: dict[str, int]
    histogram: list[dict]

    def to_dict(self) -> dict:
        document = asdict(self)
        document["status"] = "ok"
        return document


def match_stats(
    db: sqlite_utils.Database,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    bin_width: int = 10,
) -> MatchStats:
    """Count matches per 10-point score bin and demands with no match ≥ threshold.

    Use it to choose a threshold without labels: the bins show where scores
    crowd, and the count of demands left without a match shows what a higher
    threshold costs.
    """
    demands = db.execute("SELECT count(*) FROM demands").fetchone()[0]
    with_match = db.execute(
        "SELECT count(DISTINCT demand_id) FROM matches "
        "WHERE score >= ? AND status != 'rejected'",
        [threshold],
    ).fetchone()[0]
    by_status = dict(
        db.execute("SELECT status, count(*) FROM matches GROUP BY status").fetchall()
    )
    by_target = dict(
        db.execute(
            "SELECT target_type, count(*) FROM matches GROUP BY target_type"
        ).fetchall()
    )
    counts = dict(
        db.execute(
            "SELECT CAST(score / ? AS INTEGER), count(*) FROM matches "
            "WHERE status != 'rejected' GROUP BY 1",
            [bin_width],
        ).fetchall()
    )
    histogram = []
    for low in range(0, 100, bin_width):
        number = low // bin_width
        count = counts.get(number, 0)
        if low + bin_width >= 100:
            count += sum(v for k, v in counts.items() if k > number)
        histogram.append(
            {"from": low, "to": min(low + bin_width, 100), "matches": count}
        )
    return MatchStats(
        demands=demands,
        demands_with_match=with_match,
        demands_without_match=demands - with_match,
        threshold=threshold,
        matches=sum(by_status.values()),
        by_status=by_status,
        by_target=by_target,
        histogram=histogram,
    )
