"""Other names of institutes and enterprises: the alias table and its seed list.

data/aliases.csv lists real universities and institutes with their short,
English and old names (吉大 → 吉林大学, CIAC → 中国科学院长春应用化学研究所), one
row per body, and groups such as 一院三所 that stand for several bodies.
Seeding creates the missing canonical institute records and adds the aliases.
It runs the first time names are resolved through a database object, and it
never brings back a seeded alias that staff removed.
"""

import csv
import functools
import logging
from dataclasses import dataclass

import sqlite_utils

from kjd.errors import NotFound, UsageError
from kjd.match.orgkinds import fill_missing_kinds, institute_kind
from kjd.match.orgnames import folded_key, lookup_forms
from kjd.paths import data_file

logger = logging.getLogger(__name__)

ALIAS_KINDS = ("institute", "enterprise")
SEED_SOURCE = "seed"
# A seeded alias that staff removed keeps its row under this source, so that
# the next seeding does not add it again; lookups skip it.
REMOVED_SEED_SOURCE = "seed-removed"
_SEEDED_ATTRIBUTE = "_kjd_aliases_seeded"


@dataclass(frozen=True)
class SeedEntry:
    """One row of data/aliases.csv."""

    kind: str
    name: str
    aliases: tuple[str, ...]
    institute_kind: str
    city: str
    members: tuple[str, ...]


@functools.cache
def seed_entries() -> tuple[SeedEntry, ...]:
    """Return the rows of data/aliases.csv."""
    with open(data_file("aliases.csv"), encoding="utf-8-sig", newline="") as f:
        return tuple(
            SeedEntry(
                kind=row["kind"].strip(),
                name=row["name"].strip(),
                aliases=_split_list(row.get("aliases")),
                institute_kind=(row.get("institute_kind") or "").strip(),
                city=(row.get("city") or "").strip(),
                members=_split_list(row.get("members")),
            )
            for row in csv.DictReader(f)
            if (row.get("name") or "").strip()
        )


@functools.cache
def groups() -> dict[str, tuple[str, ...]]:
    """Return the group names (一院三所 and its spellings) mapped to member names."""
    found: dict[str, tuple[str, ...]] = {}
    for entry in seed_entries():
        if entry.kind == "group":
            for name in (entry.name, *entry.aliases):
                found[folded_key(name)] = entry.members
    return found


def alias_lookup(db: sqlite_utils.Database, kind: str, name: str) -> int | None:
    """Return the id of the record that `name` is an alias of, or None."""
    forms = lookup_forms(name)
    if not forms:
        return None
    marks = ",".join("?" * len(forms))
    row = db.execute(
        f"SELECT entity_id FROM aliases WHERE kind = ? AND alias_key IN ({marks}) "
        "AND source != ? ORDER BY length(alias_key) DESC LIMIT 1",
        [kind, *forms, REMOVED_SEED_SOURCE],
    ).fetchone()
    return row[0] if row else None


def is_merged_name(
    db: sqlite_utils.Database, kind: str, name: str, entity_id: int
) -> bool:
    """Return True when `name` was kept as an alias by merging into `entity_id`."""
    return _alias_source(db, kind, name, entity_id) == "merge"


def is_alias_of(
    db: sqlite_utils.Database, kind: str, name: str, entity_id: int
) -> bool:
    """Return True when `name` is an alias of record `entity_id` (any source)."""
    return _alias_source(db, kind, name, entity_id) is not None


def _alias_source(db, kind: str, name: str, entity_id: int) -> str | None:
    forms = lookup_forms(name)
    if not forms:
        return None
    marks = ",".join("?" * len(forms))
    row = db.execute(
        f"SELECT source FROM aliases WHERE kind = ? AND entity_id = ? "
        f"AND source != ? AND alias_key IN ({marks}) "
        "ORDER BY source = 'merge' DESC LIMIT 1",
        [kind, entity_id, REMOVED_SEED_SOURCE, *forms],
    ).fetchone()
    return row[0] if row else None


def add_alias(
    db: sqlite_utils.Database,
    kind: str,
    alias: str,
    entity_id: int,
    source: str = "user",
    *,
    replace: bool = False,
) -> bool:
    """Record `alias` as another name of record `entity_id`.

    Returns False, and leaves the existing alias as it is, when the alias
    already names a record, unless `replace` moves it to `entity_id`.
    """
    key = folded_key(alias)
    if not key:
        return False
    existing = db.execute(
        "SELECT entity_id, source FROM aliases WHERE kind = ? AND alias_key = ?",
        [kind, key],
    ).fetchone()
    if existing and existing[1] != REMOVED_SEED_SOURCE and not replace:
        return False
    if existing:
        db.execute(
            "UPDATE aliases SET alias = ?, entity_id = ?, source = ? "
            "WHERE kind = ? AND alias_key = ?",
            [alias, entity_id, source, kind, key],
        )
        return True
    db.execute(
        "INSERT INTO aliases (kind, alias, alias_key, entity_id, source) "
        "VALUES (?, ?, ?, ?, ?)",
        [kind, alias, key, entity_id, source],
    )
    return True


def add_named_alias(
    db: sqlite_utils.Database,
    kind: str,
    alias: str,
    target: str,
    *,
    replace: bool = False,
) -> dict:
    """Add `alias` for the record named (or numbered) `target`.

    Raises:
        NotFound: no record has that id or resolves from that name.
        UsageError: the alias names another record and `replace` is false,
            or the alias is empty.
    """
    from kjd.match.entities import find_known

    ensure_seeded(db)
    table = "institutes" if kind == "institute" else "enterprises"
    if target.strip().isdigit():
        row = db.execute(
            f"SELECT id, name FROM [{table}] WHERE id = ?", [int(target)]
        ).fetchone()
    else:
        link = find_known(db, kind, target)
        row = (link.entity_id, link.name) if link else None
    if row is None:
        raise NotFound(
            f"没有找到单位“{target}”。请写全称或记录编号（kjd alias list 可查看）。",
            target=target,
        )
    if not folded_key(alias):
        raise UsageError("别名不能为空。")
    current = alias_lookup(db, kind, alias)
    if current is not None and current != row[0] and not replace:
        raise UsageError(
            f"别名“{alias}”已指向编号 {current} 的单位；"
            f"加 --replace 改为指向“{row[1]}”。",
            alias=alias,
            entity_id=current,
        )
    add_alias(db, kind, alias, row[0], replace=True)
    return {"kind": kind, "alias": alias, "entity_id": row[0], "entity_name": row[1]}


def remove_alias(db: sqlite_utils.Database, kind: str, alias: str) -> dict:
    """Remove an alias; a seeded one is kept as removed so it stays removed.

    Raises NotFound when no alias of that kind has this spelling.
    """
    ensure_seeded(db)
    key = folded_key(alias)
    row = db.execute(
        "SELECT id, alias, entity_id, source FROM aliases "
        "WHERE kind = ? AND alias_key = ? AND source != ?",
        [kind, key, REMOVED_SEED_SOURCE],
    ).fetchone()
    if row is None:
        raise NotFound(
            f"没有找到别名“{alias}”（类型：{_kind_label(kind)}）。", alias=alias
        )
    if row[3] == SEED_SOURCE:
        db.execute(
            "UPDATE aliases SET source = ? WHERE id = ?", [REMOVED_SEED_SOURCE, row[0]]
        )
    else:
        db.execute("DELETE FROM aliases WHERE id = ?", [row[0]])
    return {"alias": row[1], "entity_id": row[2], "source": row[3]}


def list_aliases(
    db: sqlite_utils.Database, kind: str | None = None, search: str | None = None
) -> list[dict]:
    """Return the aliases in use, with the name of the record each points to."""
    ensure_seeded(db)
    rows = []
    for alias_kind, table in (
        ("institute", "institutes"),
        ("enterprise", "enterprises"),
    ):
        if kind and kind != alias_kind:
            continue
        rows.extend(
            db.query(
                f"SELECT a.id, a.kind, a.alias, a.entity_id, e.name AS entity_name, "
                f"a.source, a.created_at FROM aliases a "
                f"LEFT JOIN [{table}] e ON e.id = a.entity_id "
                f"WHERE a.kind = ? AND a.source != ? ORDER BY e.name, a.alias",
                [alias_kind, REMOVED_SEED_SOURCE],
            )
        )
    if search:
        needle = folded_key(search)
        rows = [
            row
            for row in rows
            if needle in folded_key(row["alias"])
            or needle in folded_key(row["entity_name"] or "")
        ]
    return rows


def validate_kind(kind: str) -> str:
    """Return the alias kind for 'institute(s)' or 'enterprise(s)'."""
    value = (kind or "").strip().lower().rstrip("s")
    if value not in ALIAS_KINDS:
        raise UsageError(
            f"类型“{kind}”无效，应为 institute（高校院所）或 enterprise（企业）。",
            kind=kind,
        )
    return value


def ensure_seeded(db: sqlite_utils.Database) -> None:
    """Create the seed institutes and aliases once per database object.

    Institute records without a kind (made before kinds were inferred, or
    from a roster without a 类型 column) get one from their names.
    """
    if getattr(db, _SEEDED_ATTRIBUTE, False):
        return
    # Imported here because resolution imports this module.
    from kjd.match.entities import find_known

    for entry in seed_entries():
        if entry.kind != "institute":
            continue
        link = find_known(db, "institute", entry.name)
        if link is None:
            for alias in entry.aliases:
                link = find_known(db, "institute", alias)
                if link is not None:
                    break
        entity_id = link.entity_id if link else _create_seed_institute(db, entry)
        for alias in entry.aliases:
            if folded_key(alias) != folded_key(entry.name):
                _seed_alias(db, alias, entity_id)
    fill_missing_kinds(db)
    setattr(db, _SEEDED_ATTRIBUTE, True)


def forget_seeding(db: sqlite_utils.Database) -> None:
    """Seed again on next use, after a transaction that seeded was rolled back."""
    if hasattr(db, _SEEDED_ATTRIBUTE):
        delattr(db, _SEEDED_ATTRIBUTE)


def _create_seed_institute(db: sqlite_utils.Database, entry: SeedEntry) -> int:
    from kjd.match.entities import natural_key

    cursor = db.execute(
        "INSERT INTO institutes (name, natural_key, kind, city) VALUES (?, ?, ?, ?)",
        [
            entry.name,
            natural_key("institute", entry.name),
            entry.institute_kind or institute_kind(entry.name),
            entry.city or None,
        ],
    )
    logger.debug("seeded institute %s", entry.name)
    return cursor.lastrowid


def _seed_alias(db: sqlite_utils.Database, alias: str, entity_id: int) -> None:
    db.execute(
        "INSERT OR IGNORE INTO aliases (kind, alias, alias_key, entity_id, source) "
        "VALUES ('institute', ?, ?, ?, ?)",
        [alias, folded_key(alias), entity_id, SEED_SOURCE],
    )


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _kind_label(kind: str) -> str:
    return {"institute": "高校院所", "enterprise": "企业"}.get(kind, kind)
