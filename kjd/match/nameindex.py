"""An in-memory index of institute or enterprise names for resolution.

Built once per database object and kept up to date by reading only the rows
added since (id above the largest id seen), so that an import of 3,000 rows
against 50,000 enterprises stays fast. Every hit is checked against the
database before use: a row merged away or renamed since is dropped or
re-indexed then.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from kjd.match.orgnames import (
    NameParts,
    enterprise_parts,
    institute_parts,
    lookup_forms,
)

logger = logging.getLogger(__name__)

TABLES = {"institute": "institutes", "enterprise": "enterprises"}
_ATTRIBUTE = "_kjd_name_indexes"
# Candidates sharing no core bigram with the query are not scored.
_GRAM = 2


@dataclass
class IndexedName:
    """One record as the index holds it."""

    entity_id: int
    name: str
    parts: NameParts


class NameIndex:
    """Folded-name and core-bigram lookups over one table."""

    def __init__(self, kind: str):
        self.kind = kind
        self.table = TABLES[kind]
        self.entries: dict[int, IndexedName] = {}
        self.by_form: dict[str, set[int]] = defaultdict(set)
        self.by_gram: dict[str, set[int]] = defaultdict(set)
        self.max_id = 0

    def refresh(self, db: sqlite_utils.Database) -> None:
        """Index the rows added since the last refresh."""
        rows = db.execute(
            f"SELECT id, name FROM [{self.table}] WHERE id > ? ORDER BY id",
            [self.max_id],
        ).fetchall()
        for entity_id, name in rows:
            self.add(entity_id, name)

    def add(self, entity_id: int, name: str) -> None:
        """Index one record (again, when its name changed)."""
        self.remove(entity_id)
        parts = self.parts(name)
        entry = IndexedName(entity_id, name, parts)
        self.entries[entity_id] = entry
        for form in lookup_forms(name):
            self.by_form[form].add(entity_id)
        for gram in _grams(parts):
            self.by_gram[gram].add(entity_id)
        self.max_id = max(self.max_id, entity_id)

    def remove(self, entity_id: int) -> None:
        entry = self.entries.pop(entity_id, None)
        if entry is None:
            return
        for form in lookup_forms(entry.name):
            self.by_form[form].discard(entity_id)
        for gram in _grams(entry.parts):
            self.by_gram[gram].discard(entity_id)

    def parts(self, name: str) -> NameParts:
        if self.kind == "enterprise":
            return enterprise_parts(name)
        return institute_parts(name)

    def by_forms(
        self, db: sqlite_utils.Database, forms: list[str]
    ) -> list[IndexedName]:
        """Return the records whose folded name equals one of `forms`."""
        ids: set[int] = set()
        for form in forms:
            ids |= self.by_form.get(form, set())
        return self.verified(db, ids)

    def similar(self, db: sqlite_utils.Database, parts: NameParts) -> list[IndexedName]:
        """Return the records sharing a bigram of the brand core with `parts`."""
        ids: set[int] = set()
        for gram in _grams(parts):
            ids |= self.by_gram.get(gram, set())
        return self.verified(db, ids)

    def verified(self, db: sqlite_utils.Database, ids: set[int]) -> list[IndexedName]:
        """Drop ids whose row is gone and re-index rows whose name changed."""
        if not ids:
            return []
        ordered = sorted(ids)
        current: dict[int, str] = {}
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            current.update(
                db.execute(
                    f"SELECT id, name FROM [{self.table}] WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        found = []
        for entity_id in ordered:
            name = current.get(entity_id)
            if name is None:
                self.remove(entity_id)
                continue
            if self.entries[entity_id].name != name:
                self.add(entity_id, name)
            found.append(self.entries[entity_id])
        return found


def name_index(db: sqlite_utils.Database, kind: str) -> NameIndex:
    """Return the up-to-date index of `kind` kept on this database object."""
    indexes = getattr(db, _ATTRIBUTE, None)
    if indexes is None:
        indexes = {}
        setattr(db, _ATTRIBUTE, indexes)
    index = indexes.get(kind)
    if index is None:
        index = indexes[kind] = NameIndex(kind)
    index.refresh(db)
    return index


def forget_indexes(db: sqlite_utils.Database) -> None:
    """Drop the indexes of this database object (after merges or undo)."""
    if hasattr(db, _ATTRIBUTE):
        delattr(db, _ATTRIBUTE)


def _grams(parts: NameParts) -> set[str]:
    text = parts.core or parts.bare
    if len(text) <= _GRAM:
        return {text} if text else set()
    return {text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)}
