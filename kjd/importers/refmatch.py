"""Find the record a corrected roster row updates by its reference (编号).

A row whose natural key is unknown may still be a later version of a record:
the office corrected the title, or the owner's name, or filled in a blank
owner. Such a row keeps its reference, so a record of the same kind with the
same reference and the same title or the same owner is the same record. When
both the title and the owner differ, the reference is another office's
numbering that happens to collide, and the row is a new record. Rows that name
no owner also need a sheet of the same name.
"""

from dataclasses import dataclass

from kjd.importers.values import RowWarning


@dataclass(frozen=True)
class KeyParts:
    """The reference, owner and title keys inside a natural key, and its sheet."""

    ref: str
    owner: str
    title: str
    sheet: str | None = None


def key_parts(natural_key: str, sheet: str | None = None) -> KeyParts | None:
    """Split 'kind:ref|owner|title[#n]' into its parts; None without a ref."""
    body = natural_key.split(":", 1)[-1]
    parts = body.split("|")
    if len(parts) < 3 or not parts[0]:
        return None
    title = "|".join(parts[2:])
    stem, mark, repeat = title.rpartition("#")
    if mark and repeat.isdigit():
        title = stem
    return KeyParts(parts[0], parts[1], title, sheet)


class RefMatcher:
    """The records of one table that have a reference, grouped by reference."""

    def __init__(self, db, table: str, claimed: set[int], sheet: str):
        self.db = db
        self.table = table
        self.claimed = claimed
        self.sheet = sheet
        self.by_ref: dict[str, list[tuple[int, KeyParts]]] | None = None

    def _load(self) -> dict[str, list[tuple[int, KeyParts]]]:
        # Read once, and only when a row's key is unknown.
        by_ref: dict[str, list[tuple[int, KeyParts]]] = {}
        rows = self.db.execute(
            f"SELECT id, natural_key, source_sheet FROM [{self.table}] "
            "WHERE ref IS NOT NULL AND ref != '' ORDER BY id"
        )
        for row_id, natural_key, sheet in rows:
            parts = key_parts(natural_key, sheet)
            if parts is not None:
                by_ref.setdefault(parts.ref, []).append((row_id, parts))
        return by_ref

    def find(self, record) -> int | None:
        """Return the id of the record this row corrects, warning on a collision."""
        if self.by_ref is None:
            self.by_ref = self._load()
        if not self.by_ref:
            return None
        parts = key_parts(record.natural_key, self.sheet)
        if parts is None:
            return None
        candidates = [
            (row_id, known)
            for row_id, known in self.by_ref.get(parts.ref, [])
            if row_id not in self.claimed
        ]
        if not candidates:
            return None
        for same in (_same_title, _same_owner):
            for row_id, known in candidates:
                if same(parts, known):
                    self.claimed.add(row_id)
                    return row_id
        ref = record.values.get("ref")
        record.warnings.append(
            RowWarning(
                record.row_number,
                None,
                ref,
                "ref-collision",
                f"编号“{ref}”已属于另一条名称和单位都不同的记录，"
                "已按新记录导入，请核对",
            )
        )
        return None


def _same_title(row: KeyParts, known: KeyParts) -> bool:
    return row.title == known.title


def _same_owner(row: KeyParts, known: KeyParts) -> bool:
    if row.owner:
        return row.owner == known.owner
    # Rows that name no owner are the same only on a sheet of the same name,
    # because each office's roster and each sheet of a workbook may number its
    # rows from 1. NOTE: a corrected roster whose sheet was renamed therefore
    # adds a record (with the collision warning) when no owner is named.
    return not known.owner and row.sheet == known.sheet
