"""Merge two records of the same body into one, and undo a merge exactly.

A merge moves every reference (projects, experts, demands, matches,
decisions, meetings, outcomes, aliases, review queue) from the merged record
to the kept one, fills the kept record's empty fields from the merged one,
keeps the merged record's names as aliases and deletes it. The `merges` row
stores a snapshot of everything it changed, so `undo_merge` puts each row back
as it was.
"""

import json
import logging

import sqlite_utils

from kjd.errors import NotFound, UsageError
from kjd.match.aliases import add_alias
from kjd.match.nameindex import forget_indexes
from kjd.match.orgnames import folded_key

logger = logging.getLogger(__name__)

TABLES = {"institute": "institutes", "enterprise": "enterprises", "expert": "experts"}

# Plain foreign-key columns that point at a record of each kind.
_FOREIGN_KEYS = {
    "institute": (("experts", "institute_id"), ("projects", "institute_id")),
    "enterprise": (("demands", "enterprise_id"),),
    "expert": (),
}
# Tables that point at a target by (target_type, target_id).
_TARGET_TABLES = ("matches", "decisions", "meetings", "outcomes")
# Of those, the ones with UNIQUE (demand_id, target_type, target_id).
_UNIQUE_TARGET_TABLES = ("matches", "decisions")
# Columns never copied from the merged record into the kept one.
OWN_COLUMNS = {
    "id",
    "name",
    "natural_key",
    "created_at",
    "updated_at",
    "row_hash",
    "ref",
    "source_file",
    "source_sheet",
    "source_row",
    "extra",
}


def merge_records(
    db: sqlite_utils.Database, kind: str, kept_id: int, merged_id: int
) -> int:
    """Merge record `merged_id` into `kept_id`; return the id of the merge.

    Raises:
        NotFound: either record does not exist.
        UsageError: both ids are the same record.
    """
    if kept_id == merged_id:
        raise UsageError(f"不能把记录 {kept_id} 与它自己合并。", id=kept_id)
    table = TABLES[kind]
    kept = _row(db, table, kept_id)
    merged = _row(db, table, merged_id)
    snapshot: dict = {"kept_before": kept, "merged": merged, "changes": []}
    changes = snapshot["changes"]

    for ref_table, column in _FOREIGN_KEYS[kind]:
        changes.append(_move_column(db, ref_table, column, merged_id, kept_id))
    if kind == "institute":
        changes.append(_move_project_institutes(db, merged_id, kept_id))
    for target_table in _TARGET_TABLES:
        changes.append(_move_targets(db, target_table, kind, merged_id, kept_id))
    if kind in ("institute", "enterprise"):
        changes.append(_move_aliases(db, kind, merged_id, kept_id))
    changes.append(_move_queue(db, kind, merged_id, kept_id))
    changes.append(_move_decisions(db, kind, merged_id, kept_id))

    _fill_blanks(db, table, kept, merged)
    db.execute(f"DELETE FROM [{table}] WHERE id = ?", [merged_id])
    if kind in ("institute", "enterprise"):
        changes.append(_keep_names_as_aliases(db, kind, kept, merged))
    changes.append(_record_decision(db, kind, kept_id, merged_id))

    cursor = db.execute(
        "INSERT INTO merges (kind, kept_id, merged_id, snapshot) VALUES (?, ?, ?, ?)",
        [kind, kept_id, merged_id, json.dumps(snapshot, ensure_ascii=False)],
    )
    forget_indexes(db)
    logger.info("merged %s %s into %s", kind, merged_id, kept_id)
    return cursor.lastrowid


def undo_merge(db: sqlite_utils.Database, merge_id: int) -> dict:
    """Restore the state before merge `merge_id`; return the merge's row.

    Raises:
        NotFound: no merge has this id.
        UsageError: the merge was undone already, a later merge that is
            still in force involves one of its two records (undo that first),
            or a record created since has taken the merged record's id.
    """
    row = db.execute(
        "SELECT id, kind, kept_id, merged_id, snapshot, merged_at, undone_at "
        "FROM merges WHERE id = ?",
        [merge_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"没有编号为 {merge_id} 的合并记录。", merge_id=merge_id)
    _, kind, kept_id, merged_id, snapshot_text, merged_at, undone_at = row
    if undone_at:
        raise UsageError(
            f"合并 {merge_id} 已于 {undone_at} 撤销，无需再次撤销。", merge_id=merge_id
        )
    later = _later_merges(db, merge_id, kind, kept_id, merged_id)
    if later:
        listed = "、".join(str(number) for number in later)
        raise UsageError(
            f"请先撤销之后涉及同一记录的合并：{listed}。",
            merge_id=merge_id,
            later=later,
        )

    snapshot = json.loads(snapshot_text)
    table = TABLES[kind]
    newcomer = db.execute(
        f"SELECT name FROM [{table}] WHERE id = ?", [merged_id]
    ).fetchone()
    if newcomer is not None:
        # SQLite gives a new record the highest free id, which may be the id
        # the merged record had.
        raise UsageError(
            f"无法撤销合并 {merge_id}：被合并记录的编号 {merged_id} 已被之后新建的"
            f"“{newcomer[0]}”使用。"
            "请用 kjd db backup 留存的备份恢复，或手工补回该记录。",
            merge_id=merge_id,
            record_id=merged_id,
        )
    _insert_row(db, table, snapshot["merged"])
    _restore_row(db, table, snapshot["kept_before"])
    for change in reversed(snapshot["changes"]):
        _undo_change(db, change, kept_id, merged_id)
    db.execute(
        "UPDATE merges SET undone_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', "
        "'localtime') WHERE id = ?",
        [merge_id],
    )
    forget_indexes(db)
    logger.info("undid merge %s (%s %s into %s)", merge_id, kind, merged_id, kept_id)
    return {
        "merge_id": merge_id,
        "kind": kind,
        "kept_id": kept_id,
        "merged_id": merged_id,
        "merged_at": merged_at,
    }


def list_merges(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    """Return the latest merges, newest first, with the names involved."""
    rows = db.query(
        "SELECT id, kind, kept_id, merged_id, snapshot, merged_at, undone_at "
        "FROM merges ORDER BY id DESC LIMIT ?",
        [limit],
    )
    found = []
    for row in rows:
        snapshot = json.loads(row.pop("snapshot"))
        row["kept_name"] = snapshot["kept_before"].get("name")
        row["merged_name"] = snapshot["merged"].get("name")
        found.append(row)
    return found


def reference_count(db: sqlite_utils.Database, kind: str, entity_id: int) -> int:
    """Return how many rows point at the record (to suggest which one to keep)."""
    total = 0
    for ref_table, column in _FOREIGN_KEYS[kind]:
        total += db.execute(
            f"SELECT count(*) FROM [{ref_table}] WHERE [{column}] = ?", [entity_id]
        ).fetchone()[0]
    if kind == "institute":
        total += db.execute(
            "SELECT count(*) FROM project_institutes WHERE institute_id = ?",
            [entity_id],
        ).fetchone()[0]
    for target_table in _TARGET_TABLES:
        total += db.execute(
            f"SELECT count(*) FROM [{target_table}] "
            "WHERE target_type = ? AND target_id = ?",
            [kind, entity_id],
        ).fetchone()[0]
    return total


def _row(db: sqlite_utils.Database, table: str, entity_id: int) -> dict:
    rows = list(db.query(f"SELECT * FROM [{table}] WHERE id = ?", [entity_id]))
    if not rows:
        raise NotFound(f"{table} 中没有编号为 {entity_id} 的记录。", id=entity_id)
    return rows[0]


def _move_column(db, table: str, column: str, merged_id: int, kept_id: int) -> dict:
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM [{table}] WHERE [{column}] = ?", [merged_id]
        ).fetchall()
    ]
    _update_ids(db, table, column, kept_id, ids)
    return {"type": "column", "table": table, "column": column, "ids": ids}


def _move_project_institutes(db, merged_id: int, kept_id: int) -> dict:
    moved, deleted = [], []
    rows = list(
        db.query(
            "SELECT project_id, institute_id, position FROM project_institutes "
            "WHERE institute_id = ?",
            [merged_id],
        )
    )
    for row in rows:
        clash = db.execute(
            "SELECT 1 FROM project_institutes "
            "WHERE project_id = ? AND institute_id = ?",
            [row["project_id"], kept_id],
        ).fetchone()
        if clash:
            deleted.append(row)
            db.execute(
                "DELETE FROM project_institutes "
                "WHERE project_id = ? AND institute_id = ?",
                [row["project_id"], merged_id],
            )
        else:
            moved.append(row["project_id"])
            db.execute(
                "UPDATE project_institutes SET institute_id = ? "
                "WHERE project_id = ? AND institute_id = ?",
                [kept_id, row["project_id"], merged_id],
            )
    return {"type": "project_institutes", "moved": moved, "deleted": deleted}


def _move_targets(db, table: str, kind: str, merged_id: int, kept_id: int) -> dict:
    moved, deleted = [], []
    rows = list(
        db.query(
            f"SELECT * FROM [{table}] WHERE target_type = ? AND target_id = ?",
            [kind, merged_id],
        )
    )
    for row in rows:
        clash = None
        if table in _UNIQUE_TARGET_TABLES:
            clash = db.execute(
                f"SELECT 1 FROM [{table}] WHERE demand_id = ? AND target_type = ? "
                "AND target_id = ?",
                [row["demand_id"], kind, kept_id],
            ).fetchone()
        if clash:
            # NOTE: the kept record's own match or decision for that demand wins.
            deleted.append(row)
            db.execute(f"DELETE FROM [{table}] WHERE id = ?", [row["id"]])
        else:
            moved.append(row["id"])
    _update_ids(db, table, "target_id", kept_id, moved)
    return {"type": "targets", "table": table, "moved": moved, "deleted": deleted}


def _move_aliases(db, kind: str, merged_id: int, kept_id: int) -> dict:
    ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM aliases WHERE kind = ? AND entity_id = ?", [kind, merged_id]
        ).fetchall()
    ]
    _update_ids(db, "aliases", "entity_id", kept_id, ids)
    return {"type": "column", "table": "aliases", "column": "entity_id", "ids": ids}


def _move_queue(db, kind: str, merged_id: int, kept_id: int) -> dict:
    rows = list(
        db.query(
            "SELECT * FROM resolution_queue WHERE kind = ? "
            "AND (record_id = ? OR candidate_id = ?)",
            [kind, merged_id, merged_id],
        )
    )
    for row in rows:
        record_id = kept_id if row["record_id"] == merged_id else row["record_id"]
        candidate_id = (
            kept_id if row["candidate_id"] == merged_id else row["candidate_id"]
        )
        status = "merged" if record_id == candidate_id else row["status"]
        db.execute(
            "UPDATE resolution_queue SET record_id = ?, candidate_id = ?, status = ? "
            "WHERE id = ?",
            [record_id, candidate_id, status, row["id"]],
        )
    return {"type": "rows", "table": "resolution_queue", "rows": rows}


def _move_decisions(db, kind: str, merged_id: int, kept_id: int) -> dict:
    rows = list(
        db.query(
            "SELECT * FROM entity_decisions WHERE kind = ? AND (id_a = ? OR id_b = ?)",
            [kind, merged_id, merged_id],
        )
    )
    inserted = []
    for row in rows:
        db.execute("DELETE FROM entity_decisions WHERE id = ?", [row["id"]])
        other = row["id_b"] if row["id_a"] == merged_id else row["id_a"]
        if other == kept_id:
            continue
        id_a, id_b = sorted((kept_id, other))
        cursor = db.execute(
            "INSERT OR IGNORE INTO entity_decisions (kind, id_a, id_b, decision) "
            "VALUES (?, ?, ?, ?)",
            [kind, id_a, id_b, row["decision"]],
        )
        if cursor.rowcount:
            inserted.append(cursor.lastrowid)
    return {"type": "decisions", "deleted": rows, "inserted": inserted}


def _fill_blanks(db, table: str, kept: dict, merged: dict) -> None:
    updates = {
        column: value
        for column, value in merged.items()
        if column not in OWN_COLUMNS
        and value not in (None, "")
        and kept.get(column) in (None, "")
    }
    if updates:
        assignments = ", ".join(f"[{column}] = ?" for column in updates)
        db.execute(
            f"UPDATE [{table}] SET {assignments} WHERE id = ?",
            [*updates.values(), kept["id"]],
        )


def _keep_names_as_aliases(db, kind: str, kept: dict, merged: dict) -> dict:
    names = [merged["name"]]
    if kind == "institute" and merged.get("short_names"):
        names.extend(
            part.strip()
            for part in merged["short_names"].replace("；", ";").split(";")
            if part.strip()
        )
    added = []
    for name in names:
        if folded_key(name) == folded_key(kept["name"]):
            continue
        if add_alias(db, kind, name, kept["id"], source="merge"):
            row = db.execute(
                "SELECT id FROM aliases WHERE kind = ? AND alias_key = ?",
                [kind, folded_key(name)],
            ).fetchone()
            added.append(row[0])
    return {"type": "added_rows", "table": "aliases", "ids": added}


def _record_decision(db, kind: str, kept_id: int, merged_id: int) -> dict:
    id_a, id_b = sorted((kept_id, merged_id))
    cursor = db.execute(
        "INSERT OR IGNORE INTO entity_decisions (kind, id_a, id_b, decision) "
        "VALUES (?, ?, ?, 'merge')",
        [kind, id_a, id_b],
    )
    ids = [cursor.lastrowid] if cursor.rowcount else []
    return {"type": "added_rows", "table": "entity_decisions", "ids": ids}


def _update_ids(db, table: str, column: str, value: int, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(
            f"UPDATE [{table}] SET [{column}] = ? WHERE id IN ({marks})",
            [value, *chunk],
        )


def _undo_change(db, change: dict, kept_id: int, merged_id: int) -> None:
    kind = change["type"]
    if kind == "column":
        _update_ids(db, change["table"], change["column"], merged_id, change["ids"])
    elif kind == "project_institutes":
        for project_id in change["moved"]:
            db.execute(
                "UPDATE project_institutes SET institute_id = ? "
                "WHERE project_id = ? AND institute_id = ?",
                [merged_id, project_id, kept_id],
            )
        for row in change["deleted"]:
            _insert_row(db, "project_institutes", row)
    elif kind == "targets":
        _update_ids(db, change["table"], "target_id", merged_id, change["moved"])
        for row in change["deleted"]:
            _insert_row(db, change["table"], row)
    elif kind == "rows":
        for row in change["rows"]:
            _restore_row(db, change["table"], row)
    elif kind == "decisions":
        _delete_ids(db, "entity_decisions", change["inserted"])
        for row in change["deleted"]:
            _insert_row(db, "entity_decisions", row)
    elif kind == "added_rows":
        _delete_ids(db, change["table"], change["ids"])


def _delete_ids(db, table: str, ids: list[int]) -> None:
    for entity_id in ids:
        db.execute(f"DELETE FROM [{table}] WHERE id = ?", [entity_id])


def _insert_row(db, table: str, row: dict) -> None:
    columns = ", ".join(f"[{column}]" for column in row)
    marks = ", ".join("?" * len(row))
    db.execute(
        f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", list(row.values())
    )


def _restore_row(db, table: str, row: dict) -> None:
    assignments = ", ".join(f"[{column}] = ?" for column in row if column != "id")
    values = [value for column, value in row.items() if column != "id"]
    db.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*values, row["id"]])


def _later_merges(db, merge_id: int, kind: str, kept_id: int, merged_id: int) -> list:
    rows = db.execute(
        "SELECT id FROM merges WHERE id > ? AND kind = ? AND undone_at IS NULL "
        "AND (kept_id IN (?, ?) OR merged_id IN (?, ?)) ORDER BY id",
        [merge_id, kind, kept_id, merged_id, kept_id, merged_id],
    ).fetchall()
    return [row[0] for row in rows]
