"""What is in the database and what needs attention, for `kjd status`."""

from datetime import date, timedelta

import sqlite_utils

from kjd.db import table_counts

FOLLOW_UP_DAYS = 30


def collect_status(
    db: sqlite_utils.Database, today: date | None = None, limit: int = 20
) -> dict:
    """Return counts, the last imports, unmatched demands, events and follow-ups.

    A follow-up is due for an accepted pair decided more than FOLLOW_UP_DAYS days
    ago that has no outcome (意向, 签约 or 落地) recorded yet.
    """
    today = today or date.today()
    return {
        "counts": table_counts(db),
        "last_imports": _last_imports(db, limit=5),
        "unmatched_demands": _unmatched_demands(db, limit),
        "unmatched_demand_count": _count_unmatched(db),
        "upcoming_events": _upcoming_events(db, today, limit),
        "follow_ups_due": _follow_ups_due(db, today, limit),
    }


def _last_imports(db, limit: int) -> list[dict]:
    return list(
        db.query(
            "SELECT file_name, sheet, kind, read, inserted, updated, unchanged, "
            "rejected, status, finished_at FROM imports ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )


_UNMATCHED = """
FROM demands d
WHERE NOT EXISTS (
    SELECT 1 FROM matches m
    WHERE m.demand_id = d.id AND m.status IN ('proposed', 'accepted')
)
"""


def _count_unmatched(db) -> int:
    return db.execute("SELECT count(*) " + _UNMATCHED).fetchone()[0]


def _unmatched_demands(db, limit: int) -> list[dict]:
    return list(
        db.query(
            "SELECT d.ref, d.title, d.enterprise_name, d.kind "
            + _UNMATCHED
            + " ORDER BY d.id LIMIT ?",
            [limit],
        )
    )


def _upcoming_events(db, today: date, limit: int) -> list[dict]:
    return list(
        db.query(
            "SELECT id, name, kind, date, venue FROM events "
            "WHERE date >= ? ORDER BY date LIMIT ?",
            [today.isoformat(), limit],
        )
    )


def _follow_ups_due(db, today: date, limit: int) -> list[dict]:
    cutoff = (today - timedelta(days=FOLLOW_UP_DAYS)).isoformat()
    return list(
        db.query(
            """
            SELECT d.ref AS demand_ref, d.title AS demand_title,
                   k.target_type, k.target_id, k.decided_at
            FROM decisions k JOIN demands d ON d.id = k.demand_id
            WHERE k.decision = 'accepted' AND k.decided_at < ?
              AND NOT EXISTS (
                SELECT 1 FROM outcomes o
                WHERE o.demand_id = k.demand_id
                  AND (o.target_id IS NULL OR
                       (o.target_type = k.target_type AND o.target_id = k.target_id))
              )
            ORDER BY k.decided_at LIMIT ?
            """,
            [cutoff, limit],
        )
    )
