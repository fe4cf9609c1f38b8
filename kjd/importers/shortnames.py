"""Short names from an institutes roster: aliases, and records to merge.

In a roster row such as 长春中医药大学 | 长中医, 长中医 is another name of
that university. Each short name becomes an institute alias (source 'roster'), so
that a later 完成单位 or 工作单位 written as 长中医 resolves to it. When an
earlier import already created a bare record named exactly 长中医 (because
the achievement roster came first), that record is merged into the roster's
one, with every reference moved and the merge recorded so that
`kjd dedupe --undo` can reverse it.
"""

import functools
import logging

import sqlite_utils

from kjd.importers.values import RowWarning
from kjd.match.aliases import add_alias, alias_lookup, seed_entries
from kjd.match.merge import merge_records
from kjd.match.orgnames import folded_key, name_key

logger = logging.getLogger(__name__)

ALIAS_SOURCE = "roster"


def register_short_names(
    db: sqlite_utils.Database,
    institute_id: int,
    name: str,
    short_names: str | None,
    row_number: int,
) -> list[RowWarning]:
    """Make each short name (';'-separated) of institute `institute_id` resolve to it.

    Returns warnings for short names already taken by another institute; those
    aliases are left as they are.
    """
    warnings = []
    for short_name in filter(None, (short_names or "").split(";")):
        if folded_key(short_name) == folded_key(name):
            continue

        # a bare record created earlier from this short name
        orphan_id = _orphan_id(db, short_name, institute_id)
        if orphan_id is not None:
            merge_id = merge_records(db, "institute", institute_id, orphan_id)
            logger.info("merged %s into %s (%s)", short_name, name, institute_id)
            warnings.append(_merged_warning(row_number, short_name, name, merge_id))
            continue

        current = alias_lookup(db, "institute", short_name)
        if current is None:
            add_alias(db, "institute", short_name, institute_id, ALIAS_SOURCE)
        elif current != institute_id:
            warnings.append(_taken_warning(row_number, short_name))
    return warnings


def _orphan_id(
    db: sqlite_utils.Database, short_name: str, institute_id: int
) -> int | None:
    # Only a record that no roster row has filled (no source file) and that is
    # not one of the seeded bodies of data/aliases.csv counts as an orphan.
    row = db.execute(
        "SELECT id, name FROM institutes WHERE natural_key = ? AND id != ? "
        "AND source_file IS NULL",
        [name_key(short_name), institute_id],
    ).fetchone()
    if row is None or folded_key(row[1]) in _seeded_names():
        return None
    return row[0]


@functools.cache
def _seeded_names() -> frozenset[str]:
    return frozenset(
        folded_key(entry.name) for entry in seed_entries() if entry.kind == "institute"
    )


def _merged_warning(
    row_number: int, short_name: str, name: str, merge_id: int
) -> RowWarning:
    return RowWarning(
        row_number,
        None,
        short_name,
        "short-name-merged",
        f"此前按简称“{short_name}”自动建立的单位记录已并入“{name}”"
        f"（kjd dedupe --undo {merge_id} 可撤销）",
    )


def _taken_warning(row_number: int, short_name: str) -> RowWarning:
    return RowWarning(
        row_number,
        None,
        short_name,
        "short-name-taken",
        f"简称“{short_name}”已是另一单位的别名，未改动；"
        f"如应指向本单位，请用 kjd alias add institute {short_name} 全称 --replace",
    )
