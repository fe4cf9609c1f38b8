"""Find the record that a roster row was merged into by `kjd dedupe`.

A merge deletes one record and keeps the other. A later import of a roster
that still lists the deleted record's row must not bring it back: the row is
the kept record's duplicate. The merges table keeps a snapshot of the deleted
record, with its natural key and row hash.
"""

import json

from kjd.importers.refmatch import key_parts
from kjd.match.merge import OWN_COLUMNS

# Record tables whose rows `kjd dedupe` merges, and the merge kind of each.
MERGED_KINDS = {"experts": "expert"}


class MergedRecords:
    """The natural keys of one table's merged-away records, read when first needed."""

    def __init__(self, db, table: str):
        self.db = db
        self.kind = MERGED_KINDS[table]
        self.by_key: dict[str, tuple[int, str | None]] | None = None
        self.by_ref: dict[str, list[tuple]] = {}
        self.merged_into: dict[int, int] = {}
        # The columns each kept record received from the records merged into it.
        self.filled: dict[int, set[str]] = {}

    def find(self, natural_key: str) -> tuple[int, str | None] | None:
        """Return (id of the record it now lives in, its row hash) or None.

        A row whose name or unit was corrected since the merge is found by its
        reference (编号) and the same name or the same unit, as refmatch does.
        """
        if self.by_key is None:
            self._load()
        found = self.by_key.get(natural_key) or self._by_reference(natural_key)
        if found is None:
            return None
        record_id, row_hash = found
        seen = set()
        # A kept record may itself have been merged into another one later.
        while record_id in self.merged_into and record_id not in seen:
            seen.add(record_id)
            record_id = self.merged_into[record_id]
        return record_id, row_hash

    def filled_columns(self, record_id: int) -> set[str]:
        """Return the columns that merges filled in record `record_id`."""
        if self.by_key is None:
            self._load()
        return self.filled.get(record_id, set())

    def _by_reference(self, natural_key: str) -> tuple[int, str | None] | None:
        parts = key_parts(natural_key)
        if parts is None:
            return None
        for known, merged_id, row_hash in self.by_ref.get(parts.ref, []):
            if parts.title == known.title or (
                parts.owner and parts.owner == known.owner
            ):
                return merged_id, row_hash
        return None

    def _load(self) -> None:
        self.by_key = {}
        rows = self.db.execute(
            "SELECT kept_id, merged_id, snapshot FROM merges "
            "WHERE kind = ? AND undone_at IS NULL ORDER BY id",
            [self.kind],
        )
        for kept_id, merged_id, snapshot in rows:
            snapshot = json.loads(snapshot)
            merged = snapshot.get("merged") or {}
            before = snapshot.get("kept_before") or {}
            self.merged_into[merged_id] = kept_id
            self.filled.setdefault(kept_id, set()).update(
                column
                for column, value in merged.items()
                if column not in OWN_COLUMNS
                and value not in (None, "")
                and before.get(column) in (None, "")
            )
            key = merged.get("natural_key")
            if not key:
                continue
            self.by_key[key] = (merged_id, merged.get("row_hash"))
            parts = key_parts(key)
            if parts is not None:
                entry = (parts, merged_id, merged.get("row_hash"))
                self.by_ref.setdefault(parts.ref, []).append(entry)
