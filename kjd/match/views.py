"""Read stored matches back: ranked targets, flat records, score statistics."""

import json
import logging
from dataclasses import asdict, dataclass, field

import sqlite_utils

from kjd.match.orgkinds import ENTERPRISE_LAB
from kjd.match.runs import DEFAULT_THRESHOLD, find_demand
from kjd.match.score import PART_LABELS

logger = logging.getLogger(__name__)

TARGET_LABELS = {"project": "成果", "expert": "专家", "institute": "院所"}
# An institute record of kind 企业研发机构 is a company named as an
# achievement's 完成单位; staff see it as 企业, not as 院所.
ENTERPRISE_LABEL = "企业"
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
    "institute": "SELECT id, ref, name, city AS unit, kind FROM institutes",
}
# Target types in the order staff read them: achievements, experts, institutes.
TYPE_ORDER_SQL = (
    "CASE m.target_type WHEN 'project' THEN 0 WHEN 'expert' THEN 1 ELSE 2 END"
)


@dataclass
class MatchView:
    """One stored match as staff read it."""

    target_type: str
    target_id: int
    target_ref: str | None
    target_name: str
    target_unit: str | None
    target_kind: str | None
    target_label: str
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


def target_label(target_type: str, institute_kind: str | None = None) -> str:
    """Return the 对象类别 staff read: 成果, 专家, 院所, or 企业 for a company."""
    if target_type == "institute" and institute_kind == ENTERPRISE_LAB:
        return ENTERPRISE_LABEL
    return TARGET_LABELS[target_type]


def label_types() -> dict[str, str]:
    """Return 对象类别 label → target type, the inverse of `target_label`."""
    types = {label: kind for kind, label in TARGET_LABELS.items()}
    types[ENTERPRISE_LABEL] = "institute"
    return types


def explain(parts: dict[str, float]) -> str:
    """Return the score parts as one line: '正文相关 31.2；标题相近 12'."""
    return "；".join(
        f"{PART_LABELS.get(name, name)} {value:g}"
        for name, value in parts.items()
        if value
    )


def target_names(db: sqlite_utils.Database, target_type: str, ids) -> dict[int, dict]:
    """Return id → {ref, name, unit, kind} for the given targets of one type.

    `kind` is the institute kind (kjd.match.orgkinds), absent for other types.
    """
    ids = list(ids)
    if not ids:
        return {}
    sql = _TARGET_SQL[target_type] + " WHERE id IN (SELECT value FROM json_each(?))"
    return {row["id"]: row for row in db.query(sql, [json.dumps(ids)])}


def names_by_type(db: sqlite_utils.Database, rows) -> dict[str, dict[int, dict]]:
    """Return target type → id → {ref, name, unit, kind} for the targets of rows."""
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
    sql += f" ORDER BY {TYPE_ORDER_SQL}, m.score DESC, m.target_id"
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
                target_kind=target.get("kind"),
                target_label=target_label(kind, target.get("kind")),
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


def match_records(
    db: sqlite_utils.Database, *, statuses: tuple[str, ...] | None = None
) -> list[dict]:
    """Return stored matches with the references and names of both sides.

    One dict per match, by demand, then achievements, experts, institutes, best
    score first. `statuses` keeps only matches in those states; None keeps all.
    `decision` is the person's verdict ('accepted', 'rejected', 'pending') or
    None, and `target_label` the 对象类别 staff read (see `target_label`).
    """
    sql = (
        "SELECT m.*, d.ref AS demand_ref, d.title AS demand_title, "
        "d.enterprise_name, dc.decision, dc.note FROM matches m "
        "JOIN demands d ON d.id = m.demand_id "
        "LEFT JOIN decisions dc ON dc.demand_id = m.demand_id AND "
        "dc.target_type = m.target_type AND dc.target_id = m.target_id"
    )
    params = []
    if statuses is not None:
        sql += " WHERE m.status IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(statuses)))
    sql += f" ORDER BY m.demand_id, {TYPE_ORDER_SQL}, m.score DESC, m.target_id"
    rows = list(db.query(sql, params))
    names = names_by_type(db, rows)
    return [_record(row, names) for row in rows]


def _record(row: dict, names: dict[str, dict[int, dict]]) -> dict:
    kind = row["target_type"]
    target = names[kind].get(row["target_id"], {})
    parts = json.loads(row["parts"] or "{}")
    return {
        "demand_id": row["demand_id"],
        "demand_ref": row["demand_ref"],
        "demand_title": row["demand_title"],
        "enterprise": row["enterprise_name"],
        "target_type": kind,
        "target_id": row["target_id"],
        "target_ref": target.get("ref"),
        "target_name": target.get("name"),
        "target_unit": target.get("unit"),
        "target_kind": target.get("kind"),
        "target_label": target_label(kind, target.get("kind")),
        "rank": row["rank"],
        "score": round(row["score"], 1),
        "parts": parts,
        "explanation": explain(parts),
        "shared_terms": json.loads(row["shared_terms"] or "[]"),
        "status": row["status"],
        "decision": row["decision"],
        "note": row["note"],
        "run_id": row["run_id"],
        "match_rule": row["match_rule"],
    }


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
