"""Resolve institute and enterprise names to one record each.

This is the interface the importer calls while it loads a row. The first version
links on the exact comparison key only; fuzzy resolution, aliases and review
queues build on the same two functions.
"""

import logging
from dataclasses import dataclass

import sqlite_utils

from kjd.normalize import match_key

logger = logging.getLogger(__name__)


@dataclass
class Link:
    """The record a name resolved to, and how."""

    entity_id: int
    name: str
    match_rule: str
    score: float
    created: bool


def resolve_institutes(
    db: sqlite_utils.Database, cell: str, *, create: bool = True
) -> list[Link]:
    """Return one Link per institute named in `cell` (several for co-completers).

    Creates an institute record for a name that resolves to nothing when `create`
    is true; otherwise that name is left out of the result.
    """
    name = (cell or "").strip()
    if not name:
        return []
    link = _resolve_exact(db, "institutes", name, create)
    return [link] if link else []


def resolve_enterprise(
    db: sqlite_utils.Database,
    name: str,
    credit_code: str | None = None,
    *,
    create: bool = True,
) -> Link | None:
    """Return the Link of the enterprise called `name` (or with `credit_code`)."""
    if credit_code:
        row = db.execute(
            "SELECT id, name FROM enterprises WHERE credit_code = ?", [credit_code]
        ).fetchone()
        if row:
            return Link(row[0], row[1], "credit_code", 100.0, False)
    name = (name or "").strip()
    if not name:
        return None
    return _resolve_exact(db, "enterprises", name, create)


def _resolve_exact(db, table: str, name: str, create: bool) -> Link | None:
    key = match_key(name)
    row = db.execute(
        f"SELECT id, name FROM [{table}] WHERE natural_key = ?", [key]
    ).fetchone()
    if row:
        return Link(row[0], row[1], "exact", 100.0, False)
    if not create:
        return None
    entity_id = db[table].insert({"name": name, "natural_key": key}).last_pk
    return Link(entity_id, name, "new", 0.0, True)
