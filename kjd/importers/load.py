"""Write parsed sheets into the database: upsert records, link entities, rejects.

Everything for one file runs inside the caller's transaction. Rows are matched
to the database by natural key (see kjd.importers.rosters), then by reference
(see kjd.importers.refmatch). An unknown row is inserted. A known row whose
`row_hash` differs is updated (`updated_at`), and a known row with the same
hash is left untouched and counted as unchanged, even where a merge has since
filled its blank columns. An institute or enterprise keeps the hashes of the
rows the last file gave it, in order, because one roster may list it twice.
"""

import hashlib
import json
import logging
from datetime import datetime

import sqlite_utils

from kjd.importers.merged import MERGED_KINDS, MergedRecords
from kjd.importers.records import KIND_FROM_NAME, ParsedSheet, Record
from kjd.importers.refmatch import RefMatcher
from kjd.importers.report import SheetResult
from kjd.importers.shortnames import register_short_names
from kjd.importers.values import RowWarning
from kjd.match import entities
from kjd.match.aliases import is_alias_of, is_merged_name
from kjd.match.entities import resolve_enterprise, resolve_institutes
from kjd.normalize import is_blank, match_key

logger = logging.getLogger(__name__)

_KEY_CHUNK = 500
# A record that no roster had described yet (seeded from data/aliases.csv, or
# created for a name another roster cited) is new to the roster: it counts as
# inserted when a roster first fills it.
_FIRST_FILLED = "inserted"
_PROGRESS_EVERY = 500
# Columns that a blanks-only update writes whatever the stored values are.
_ALWAYS_WRITTEN = {"row_hash", "extra", "updated_at"}
_EXTRA_NAMES = {"credit_code": "统一社会信用代码"}
# json.dumps(extra, ensure_ascii=False, sort_keys=True), without building an
# encoder for each of 100,000 rows.
_EXTRA_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)
# sha1 states that have read the column names of a row shape, for row_hash.
_HASH_PREFIXES: dict[tuple, object] = {}


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


class SheetLoader:
    """Load the records of one parsed sheet and count what happened to each."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        parsed: ParsedSheet,
        source: dict,
        written: set[int] | None = None,
        bodies: dict | None = None,
    ):
        self.db = db
        self.parsed = parsed
        self.source = source
        self.table = parsed.kind
        self.columns = set(db[self.table].columns_dict)
        self.enterprise_links: dict = {}
        # The same links by the name as typed, which saves computing its key.
        self.links_by_name: dict = {}
        self.claimed: dict[int, str] = {}
        self.stamp = now_text()
        self.insert_sql: dict[tuple, str] = {}
        self.pending: list[tuple[dict, Record]] = []
        self.next_id = 0
        # How many leading items of the row `_row` built last are hashed.
        self.hashed_names = 0
        # The rows this file gave each institute or enterprise, by record id.
        # The caller that shares them across sheets settles them at the end.
        self.bodies: dict[int, _BodyRows] = {} if bodies is None else bodies
        self.settle_here = bodies is None
        self.result: SheetResult | None = None
        # Ids of the records this file wrote so far, which no later row claims.
        self.written = set() if written is None else written

    def load(self, result: SheetResult, on_record=None) -> None:
        self.result = result
        existing = self._existing_keys()
        self.by_ref = None
        self.merged = None
        if self.table not in ("enterprises", "institutes"):
            self.written.update(row_id for row_id, _ in existing.values())
            self.by_ref = RefMatcher(
                self.db, self.table, self.written, self.source["source_sheet"]
            )
        if self.table in MERGED_KINDS:
            self.merged = MergedRecords(self.db, self.table)
        total = len(self.parsed.records)
        self.next_id = self._max_id() + 1
        for done, record in enumerate(self.parsed.records, start=1):
            outcome = self._load_record(record, existing)
            if outcome == "inserted":
                result.inserted += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
            if done % _PROGRESS_EVERY == 0 or done == total:
                self._flush()
                if on_record is not None:
                    on_record(done)
        self._flush()
        if self.settle_here:
            settle_bodies(self.bodies)

    def _max_id(self) -> int:
        row = self.db.execute(f"SELECT max(id) FROM [{self.table}]").fetchone()
        return row[0] or 0

    def _existing_keys(self) -> dict[str, tuple[int, str]]:
        if self.table in ("enterprises", "institutes"):
            return {}
        keys = [record.natural_key for record in self.parsed.records]
        found = {}
        for start in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[start : start + _KEY_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT natural_key, id, row_hash FROM [{self.table}] "
                f"WHERE natural_key IN ({marks})",
                chunk,
            )
            for key, row_id, stored_hash in rows:
                found[key] = (row_id, stored_hash)
        return found

    def _load_record(self, record: Record, existing: dict) -> str:
        if self.table == "enterprises":
            return self._load_enterprise(record)
        if self.table == "institutes":
            return self._load_institute(record)
        row = self._row(record)
        known = existing.get(record.natural_key)
        if known is not None and self._same_content(known[1], row):
            return "unchanged"
        if known is None and self.merged is not None:
            merged = self.merged.find(record.natural_key)
            outcome = self._load_merged(record, row, *merged) if merged else None
            if outcome is not None:
                return outcome
        if known is None:
            # A corrected title or owner keeps the reference, so update that record.
            corrected = self.by_ref.find(record)
            if corrected is not None:
                row["natural_key"] = record.natural_key
                known = (corrected, None)

        self._link(row, record)
        if known is None:
            # Ids are given here so that the rows can be inserted in batches:
            # the transaction holds the write lock, so nothing else inserts.
            row_id = self.next_id
            self.next_id += 1
            row["id"] = row_id
            row["natural_key"] = record.natural_key
            # Given here rather than by the column default, which SQLite
            # would compute for each of the rows.
            row["created_at"] = row["updated_at"] = self.stamp
            self.by_ref.claimed.add(row_id)
            self.pending.append((row, record))
            existing[record.natural_key] = (row_id, row["row_hash"])
            return "inserted"
        self._update(known[0], self._without_merge_blanks(known[0], row))
        existing[record.natural_key] = (known[0], row["row_hash"])
        self._after_write(known[0], record)
        return "updated"

    # rows and hashes

    def _row(self, record: Record) -> dict:
        values = record.values
        columns = self.columns
        row = {name: value for name, value in values.items() if name in columns}
        extra = record.extra
        if len(row) < len(values):
            extra = dict(extra)
            for name, value in values.items():
                if name in _EXTRA_NAMES and value is not None and name not in columns:
                    # A demand's credit code is stored on the enterprise it
                    # links. Only a row naming no enterprise keeps it in `extra`.
                    if not values.get("enterprise_name"):
                        extra[_EXTRA_NAMES[name]] = value
        row["extra"] = _EXTRA_JSON.encode(extra) if extra else "{}"
        self.hashed_names = len(row)
        row["row_hash"] = row_hash(row)
        row["ref"] = values.get("ref")
        row.update(self.source)
        row["source_row"] = record.row_number
        return row

    def _same_content(self, stored_hash: str | None, row: dict) -> bool:
        """Compare the stored hashes with the row that `_row` has just built."""
        if stored_hash is None:
            return False
        if row["row_hash"] in stored_hash.split(","):
            return True
        # A row stored by kjd 0.1.0 carries the hash of the repr() of its items.
        items = list(row.items())[: self.hashed_names]
        return stored_hash == _repr_hash(items)

    def _stored(self, record_id: int) -> dict | None:
        """Return the stored record `record_id` as {column: value}, or None."""
        cursor = self.db.execute(
            f"SELECT * FROM [{self.table}] WHERE id = ?", [record_id]
        )
        values = cursor.fetchone()
        if values is None:
            return None
        names = [column[0] for column in cursor.description]
        return dict(zip(names, values, strict=True))

    def _blanks_only(self, record_id: int, row: dict, stored=None) -> dict:
        """Keep the row's values for the stored record's blank columns only."""
        stored = stored or self._stored(record_id)
        return {
            name: value
            for name, value in row.items()
            if name in _ALWAYS_WRITTEN or is_blank(stored.get(name))
        }

    def _without_merge_blanks(self, record_id: int, row: dict) -> dict:
        """Drop the row's blank cells in columns that a merge filled."""
        if self.merged is None:
            return row
        filled = self.merged.filled_columns(record_id)
        if not filled:
            return row
        return {
            name: value
            for name, value in row.items()
            if name not in filled or not is_blank(value)
        }

    def _load_merged(
        self, record: Record, row: dict, kept_id: int, merged_hash: str | None
    ) -> str | None:
        """Load a row whose record `kjd dedupe` merged into record `kept_id`.

        Returns None when that record no longer exists.
        """
        stored = self._stored(kept_id)
        if stored is None:
            return None
        if self._same_content(merged_hash, row):
            return "unchanged"

        # The roster changed the duplicate: its values fill the kept record's
        # blank columns, as the merge did, and never replace filled ones.
        values = {
            name: value
            for name, value in list(row.items())[: self.hashed_names]
            if name != "extra" and not is_blank(value)
        }
        blanks = self._blanks_only(kept_id, values, stored)
        if not blanks:
            return "unchanged"
        self._update(kept_id, blanks)
        record.warnings.append(
            RowWarning(
                record.row_number,
                None,
                None,
                "merged-row",
                f"此行的记录已合并到记录 {kept_id}，只补充了该记录的空白项，未新建记录",
            )
        )
        return "updated"

    def _body_unchanged(self, body_id: int, stored_hash, row: dict, write) -> bool:
        """Decide whether a row leaves its institute or enterprise unchanged.

        A roster may list one body on several rows, which are written in turn.
        The record keeps the hashes of all of them (row_hash, comma-separated),
        so a re-import finds each row unchanged. A row is unchanged while its
        hash is among the stored ones and no earlier row of the file wrote
        the body. `write` writes the row. `settle_bodies` calls it at the end
        of the file if the rows differ from the stored ones after all, because
        there are fewer rows or they come in another order.
        """
        rows = self.bodies.get(body_id)
        if rows is None:
            rows = self.bodies[body_id] = _BodyRows(stored_hash)
        unchanged = not rows.written and self._same_content(rows.stored_text, row)
        rows.hashes.append(row["row_hash"])
        row["row_hash"] = ",".join(rows.hashes)
        if unchanged:
            rows.rewrite = write
            rows.result = self.result
            return True
        rows.written = True
        return False

    def _insert(self, row: dict) -> int:
        sql = self._insert_sql(tuple(row))
        return self.db.conn.execute(sql, list(row.values())).lastrowid

    def _insert_sql(self, names: tuple) -> str:
        sql = self.insert_sql.get(names)
        if sql is None:
            columns = ", ".join(f"[{name}]" for name in names)
            marks = ", ".join("?" * len(names))
            sql = f"INSERT INTO [{self.table}] ({columns}) VALUES ({marks})"
            self.insert_sql[names] = sql
        return sql

    def _flush(self) -> None:
        """Insert the pending new rows, grouped by the columns they fill."""
        if not self.pending:
            return
        groups: dict[tuple, list] = {}
        for row, _ in self.pending:
            groups.setdefault(tuple(row), []).append(tuple(row.values()))
        for names, rows in groups.items():
            self.db.conn.executemany(self._insert_sql(names), rows)
        if self.table == "projects":
            _link_project_institutes(
                self.db, [(row["id"], record) for row, record in self.pending]
            )
        self.pending = []

    def _update(self, row_id: int, row: dict) -> None:
        row = {**row, "updated_at": self.stamp}
        assignments = ", ".join(f"[{name}] = ?" for name in row)
        self.db.execute(
            f"UPDATE [{self.table}] SET {assignments} WHERE id = ?",
            [*row.values(), row_id],
        )

    # entity links

    def _link(self, row: dict, record: Record) -> None:
        values = record.values
        if self.table == "demands":
            link = self._enterprise_link(values)
            row["enterprise_id"] = link.entity_id if link else None
        elif self.table == "experts":
            links = _institute_links(self.db, values.get("institute_name"))
            row["institute_id"] = links[0].entity_id if links else None
        elif self.table == "projects":
            links = _institute_links(self.db, values.get("institute_names"))
            row["institute_id"] = links[0].entity_id if links else None
            record.links = links

    def _enterprise_link(self, values: dict):
        name = values.get("enterprise_name")
        code = values.get("credit_code")
        if not name and not code:
            return None
        link = self.links_by_name.get((name, code))
        if link is not None:
            return link
        cache_key = (match_key(name), code)
        if cache_key not in self.enterprise_links:
            link = resolve_enterprise(self.db, name or "", code)
            if link is not None and link.created:
                _fill_new_enterprise(self.db, link.entity_id, values)
            self.enterprise_links[cache_key] = link
        link = self.enterprise_links[cache_key]
        if link is not None:
            self.links_by_name[(name, code)] = link
        return link

    def _after_write(self, row_id: int, record: Record) -> None:
        if self.table == "projects":
            _link_project_institutes(self.db, [(row_id, record)])

    # institutes and enterprises: one record per body, found by name

    def _load_institute(self, record: Record) -> str:
        row = self._row(record)
        key = entities.natural_key("institute", record.values.get("name") or "")
        found = self.db.execute(
            "SELECT id, row_hash, source_file FROM institutes WHERE natural_key = ?",
            [key],
        ).fetchone()
        merged_name = False
        if found is None:
            found = self._institute_by_resolver(record)
            name = record.values.get("name") or ""
            if found is not None:
                merged_name = is_merged_name(self.db, "institute", name, found[0])
            if found is not None and self.claimed.get(found[0], key) != key:
                # Another row of this file named the record. Two rows are two
                # bodies, unless this row's name is a known alias of it (吉大,
                # or a name kjd dedupe merged into it).
                if not is_alias_of(self.db, "institute", name, found[0]):
                    found = None
        if found is None:
            row["natural_key"] = key
            row_id = self._insert(row)
            self._body_unchanged(row_id, None, row, None)
            self.claimed[row_id] = key
            self._register_short_names(row_id, record)
            return "inserted"
        institute_id = found[0]
        self.claimed.setdefault(institute_id, key)
        self._register_short_names(institute_id, record)

        guessed_kind = bool(record.values.get(KIND_FROM_NAME))

        def write(row=row):
            self._write_institute(institute_id, row, guessed_kind, merged_name)

        if self._body_unchanged(institute_id, found[1], row, write):
            return "unchanged"
        write()
        return "updated" if found[2] else _FIRST_FILLED

    def _write_institute(
        self, institute_id: int, row: dict, guessed_kind: bool, merged_name: bool
    ) -> None:
        # Institutes gather values from several rosters, so a blank cell keeps
        # the stored value, and a kind guessed from the name keeps a stored kind.
        stored_name, stored_kind, stored_extra = self.db.execute(
            "SELECT name, kind, extra FROM institutes WHERE id = ?", [institute_id]
        ).fetchone()
        filled = _filled_only(row, stored_extra)
        if merged_name:
            # The row of a record merged into this one fills blanks only.
            filled = self._blanks_only(institute_id, filled)
        if guessed_kind and stored_kind:
            filled.pop("kind", None)
        if merged_name or len(filled.get("name") or "") < len(stored_name or ""):
            # A short name or alias (吉大, CIAC) that found the record, or the
            # name of a record merged into it, does not replace its name.
            filled.pop("name", None)
        self._update(institute_id, filled)

    def _register_short_names(self, institute_id: int, record: Record) -> None:
        values = record.values
        record.warnings.extend(
            register_short_names(
                self.db,
                institute_id,
                values.get("name") or "",
                values.get("short_names"),
                record.row_number,
            )
        )

    def _institute_by_resolver(self, record: Record):
        links = resolve_institutes(
            self.db, record.values.get("name"), create=False, whole_name=True
        )
        if len(links) != 1 or links[0].score < 100:
            return None
        return self.db.execute(
            "SELECT id, row_hash, source_file FROM institutes WHERE id = ?",
            [links[0].entity_id],
        ).fetchone()

    def _load_enterprise(self, record: Record) -> str:
        row = self._row(record)
        values = record.values
        link = resolve_enterprise(
            self.db, values.get("name") or "", values.get("credit_code")
        )
        if link is None:
            return "unchanged"
        current = self.db.execute(
            "SELECT row_hash, extra, source_file FROM enterprises WHERE id = ?",
            [link.entity_id],
        ).fetchone()
        stored_hash = None if link.created or current is None else current[0]
        merged = not link.created and is_merged_name(
            self.db, "enterprise", values.get("name") or "", link.entity_id
        )

        def write(row=row):
            self._write_enterprise(link, values, dict(row), merged)

        if self._body_unchanged(link.entity_id, stored_hash, row, write):
            return "unchanged"
        write()
        if link.created:
            return "inserted"
        return "updated" if current[2] else _FIRST_FILLED

    def _write_enterprise(self, link, values: dict, row: dict, merged: bool):
        if not link.created:
            # Another spelling of a known enterprise adds to it, never blanks it.
            stored_extra = self.db.execute(
                "SELECT extra FROM enterprises WHERE id = ?", [link.entity_id]
            ).fetchone()[0]
            row.pop("name", None)
            row = _filled_only(row, stored_extra)
        row["credit_code"] = values.get("credit_code") or None
        row["credit_code_valid"] = values.get("credit_code_valid")
        if not link.created and row["credit_code"] is None:
            row.pop("credit_code")
            row.pop("credit_code_valid")
        if merged:
            # The row of an enterprise merged into this one fills blanks only.
            row = self._blanks_only(link.entity_id, row)
        self._update(link.entity_id, row)


def settle_bodies(bodies: dict) -> None:
    """Write the bodies whose rows were each unchanged but not all together.

    Call once all the sheets that share `bodies` are loaded: a body's rows
    may come from several sheets of one file.
    """
    for rows in bodies.values():
        if rows.written or rows.rewrite is None:
            continue
        hashes = rows.hashes
        if hashes == rows.stored or len(hashes) == len(rows.stored) == 1:
            continue  # one row, matched by its hash or by a kjd 0.1.0 hash
        rows.rewrite()
        rows.result.unchanged -= 1
        rows.result.updated += 1


class _BodyRows:
    """The rows one file gives an institute or enterprise, for `_body_unchanged`."""

    def __init__(self, stored_hash: str | None):
        self.stored_text = stored_hash
        self.stored = stored_hash.split(",") if stored_hash else []
        self.hashes: list[str] = []
        self.written = False
        # Writes the last unchanged row again, if the rows turn out changed,
        # and the counts of that row's sheet.
        self.rewrite = None
        self.result = None


def _filled_only(row: dict, stored_extra: str | None) -> dict:
    """Return the row without its blank values, its extra merged into the stored one."""
    filled = {name: value for name, value in row.items() if value is not None}
    extra = _merge_extra(json.loads(stored_extra or "{}"), json.loads(row["extra"]))
    filled["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    return filled


def _merge_extra(known: dict, extra: dict) -> dict:
    # Like the mapped columns: a filled cell wins, a blank one keeps the value.
    merged = dict(known)
    for label, value in extra.items():
        if not is_blank(value):
            merged[label] = value
    return merged


def _link_project_institutes(db, written: list[tuple[int, Record]]) -> None:
    # Every completing unit of each project, in the order the cell names them.
    db.conn.executemany(
        "DELETE FROM project_institutes WHERE project_id = ?",
        [(row_id,) for row_id, _ in written],
    )
    links = []
    for row_id, record in written:
        seen = set()
        for position, link in enumerate(record.links or []):
            if link.entity_id not in seen:
                seen.add(link.entity_id)
                links.append((row_id, link.entity_id, position))
    db.conn.executemany(
        "INSERT INTO project_institutes (project_id, institute_id, position) "
        "VALUES (?, ?, ?)",
        links,
    )


def _institute_links(db, cell: str | None) -> list:
    if not cell:
        return []
    return resolve_institutes(db, cell)


def _fill_new_enterprise(db, enterprise_id: int, values: dict) -> None:
    fields = {
        "credit_code": values.get("credit_code"),
        "credit_code_valid": values.get("credit_code_valid"),
        "city": values.get("city"),
        "county": values.get("county"),
    }
    fields = {name: value for name, value in fields.items() if value is not None}
    if fields:
        assignments = ", ".join(f"[{name}] = ?" for name in fields)
        db.execute(
            f"UPDATE enterprises SET {assignments} WHERE id = ?",
            [*fields.values(), enterprise_id],
        )


def row_hash(row: dict) -> str:
    """Return the content hash of a row's stored values (names and values)."""
    names = tuple(row)
    prefix = _HASH_PREFIXES.get(names)
    if prefix is None:
        prefix = _HASH_PREFIXES[names] = _hash_prefix(names)
    digest = prefix.copy()
    values = _HASH_JSON.encode([row[name] for name in sorted(names)])
    digest.update(values.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _hash_prefix(names: tuple):
    digest = hashlib.sha1(b"kjd-row-2")
    digest.update(_HASH_JSON.encode(sorted(names)).encode("utf-8"))
    return digest


def _repr_hash(items: list) -> str:
    # The row hash of kjd 0.1.0: SHA-1 of the repr() of the sorted items.
    text = repr(sorted(items))
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
