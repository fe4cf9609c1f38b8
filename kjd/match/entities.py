"""Resolve institute and enterprise names to one record each.

The importer calls these functions inside its own transaction while it loads a
row. A name is resolved in this order, and the `match_rule` of the Link says
which step found it:

1. `credit_code` (enterprises): a record with the same 统一社会信用代码.
2. `exact`: the same natural key (`name_key`: width, spaces, traditional
   characters and bracket widths do not matter).
3. `alias` / `short_name`: a name from the alias table or from the
   institute's short names (吉大 → 吉林大学).
4. `folded` / `bracket_fold`: the same name without punctuation or brackets.
   A link made by folding brackets (长春德茂（汽车）零部件有限公司 ≡ 长春德茂汽车
   零部件有限公司) is also queued for review.
5. One fuzzy candidate scoring ≥ LINK_THRESHOLD, clearly ahead of the next:
   linked, the comparison rule recorded (`same_brand`, `region_insert`…).
6. Otherwise a new record is created; every candidate scoring at least
   REVIEW_THRESHOLD is queued in `resolution_queue` for a person to decide.
   A new institute record gets its `kind` from its name (`institute_kind`):
   a company named as 完成单位 becomes 企业研发机构, not a 高校院所.

For enterprises, two credit codes that differ always mean two enterprises.
A short query (吉大) never matches a longer name (吉大德茂科技有限公司) by
partial matching: the comparison scores whole brand cores.
"""

import logging
from dataclasses import dataclass

import sqlite_utils

from kjd.match.aliases import alias_lookup, ensure_seeded, groups
from kjd.match.nameindex import TABLES, IndexedName, name_index
from kjd.match.orgcells import CellUnit, read_whole_name, split_cell
from kjd.match.orgcompare import (
    LINK_THRESHOLD,
    REVIEW_THRESHOLD,
    Comparison,
    compare_enterprise_parts,
    compare_institute_parts,
)
from kjd.match.orgkinds import institute_kind
from kjd.match.orgnames import folded_key, has_brackets, lookup_forms, name_key
from kjd.normalize import match_key

logger = logging.getLogger(__name__)

# A fuzzy winner must lead the runner-up by this much to be linked alone.
LINK_MARGIN = 5.0
# At most this many review candidates are queued for one new name.
QUEUE_LIMIT = 3


@dataclass
class Link:
    """The record a name resolved to, and how."""

    entity_id: int
    name: str
    match_rule: str
    score: float
    created: bool


def resolve_institutes(
    db: sqlite_utils.Database,
    cell: str,
    *,
    create: bool = True,
    whole_name: bool = False,
) -> list[Link]:
    """Return one Link per institute named in `cell` (several for co-completers).

    Args:
        db: the database; the caller owns the transaction.
        cell: a roster cell such as 完成单位, which may name several units,
            departments, teams, partners in brackets, short or English names.
        create: create a record for a unit that resolves to nothing; when
            false that unit is left out of the result.
        whole_name: the cell is the name of one institute (a row of an
            institutes roster), so it is neither split into units nor cut
            into body and department.

    Returns:
        The links in the order the units appear, each institute once. Vague
        units (中国科学院相关研究所) and bare departments that follow their
        body (…/环境学院) give no link of their own.
    """
    ensure_seeded(db)
    units = [read_whole_name(cell)] if whole_name else split_cell(cell)
    links: list[Link] = []
    for unit in units:
        if not unit.text or unit.vague or (unit.department_only and links):
            if unit.vague:
                logger.info("vague unit not resolved: %s", unit.text)
            continue
        for link in _resolve_institute_unit(db, unit, create):
            if all(link.entity_id != known.entity_id for known in links):
                links.append(link)
    return links


def resolve_enterprise(
    db: sqlite_utils.Database,
    name: str,
    credit_code: str | None = None,
    *,
    create: bool = True,
) -> Link | None:
    """Return the Link of the enterprise called `name` (or with `credit_code`).

    A matching credit code wins over any name. A record found by name whose
    credit code differs from `credit_code` is a different enterprise. A record
    found by name that has no credit code yet receives `credit_code`.
    Returns None for an empty name without a known code, and for an unknown
    name when `create` is false.
    """
    ensure_seeded(db)
    code = normalize_credit_code(credit_code)
    if code:
        row = db.execute(
            "SELECT id, name FROM enterprises WHERE credit_code = ? "
            "ORDER BY id LIMIT 1",
            [code],
        ).fetchone()
        if row:
            return Link(row[0], row[1], "credit_code", 100.0, False)
    text = (name or "").strip()
    if not text:
        return None

    link = find_known(db, "enterprise", text, credit_code=code)
    if link is None:
        link = _fuzzy_link(db, "enterprise", text, credit_code=code, create=create)
    if link is not None and code and not link.created:
        db.execute(
            "UPDATE enterprises SET credit_code = ? "
            "WHERE id = ? AND credit_code IS NULL",
            [code, link.entity_id],
        )
    return link


def find_known(
    db: sqlite_utils.Database, kind: str, name: str, *, credit_code: str = ""
) -> Link | None:
    """Resolve `name` by exact key, alias, short name or folded name only.

    No fuzzy comparison and no new record. For enterprises, a record whose
    credit code differs from `credit_code` is not returned.
    """
    table = TABLES[kind]
    key = name_key(name)
    if not key:
        return None
    rows = db.execute(
        f"SELECT id, name FROM [{table}] WHERE natural_key = ?", [key]
    ).fetchall()
    for entity_id, found_name in rows:
        if _codes_agree(db, kind, entity_id, credit_code):
            return Link(entity_id, found_name, "exact", 100.0, False)

    entity_id = alias_lookup(db, kind, name)
    if entity_id is not None and _codes_agree(db, kind, entity_id, credit_code):
        return _link_to(db, kind, entity_id, "alias", 100.0)
    if kind == "institute":
        entity_id = _short_name_lookup(db, name)
        if entity_id is not None:
            return _link_to(db, kind, entity_id, "short_name", 100.0)

    for entry in name_index(db, kind).by_forms(db, lookup_forms(name)):
        if not _codes_agree(db, kind, entry.entity_id, credit_code):
            continue
        if name_key(entry.name) == key:
            return Link(entry.entity_id, entry.name, "exact", 100.0, False)
        if has_brackets(entry.name) != has_brackets(name):
            _queue(db, kind, name, entry.entity_id, None, 100.0, "bracket_fold")
            return Link(entry.entity_id, entry.name, "bracket_fold", 100.0, False)
        return Link(entry.entity_id, entry.name, "folded", 100.0, False)
    return None


def natural_key(kind: str, name: str, credit_code: str = "") -> str:
    """Return the natural key of a new record: credit code, else `name_key`."""
    if kind == "enterprise" and credit_code:
        return credit_code
    return name_key(name)


def normalize_credit_code(code: str | None) -> str:
    """Return a credit code in stored form: NFKC, no spaces, upper case."""
    return match_key(code).upper() if code else ""


def _resolve_institute_unit(
    db: sqlite_utils.Database, unit: CellUnit, create: bool
) -> list[Link]:
    members = groups().get(folded_key(unit.text))
    if members:
        links = [find_known(db, "institute", member) for member in members]
        return [link for link in links if link is not None]

    for position, name in enumerate(unit.names):
        link = find_known(db, "institute", name)
        if link is not None:
            if position > 0 and folded_key(name) != folded_key(unit.text):
                link.match_rule += "+department" if name == unit.body else "+bracket"
            return [link]
    link = _fuzzy_link(db, "institute", unit.body, create=create)
    return [link] if link else []


def _fuzzy_link(
    db: sqlite_utils.Database,
    kind: str,
    name: str,
    *,
    credit_code: str = "",
    create: bool,
) -> Link | None:
    scored = _score_candidates(db, kind, name, credit_code)
    strong = [item for item in scored if item[0].score >= LINK_THRESHOLD]
    if strong:
        best_comparison, best = strong[0]
        runner_up = scored[1][0].score if len(scored) > 1 else 0.0
        if best_comparison.score - runner_up >= LINK_MARGIN:
            return Link(
                best.entity_id,
                best.name,
                best_comparison.rule,
                best_comparison.score,
                False,
            )
    if not create:
        return None

    link = _create(db, kind, name, credit_code)
    for comparison, entry in scored[:QUEUE_LIMIT]:
        if comparison.score >= REVIEW_THRESHOLD:
            _queue(
                db,
                kind,
                name,
                link.entity_id,
                entry.entity_id,
                comparison.score,
                comparison.rule,
            )
    return link


def _score_candidates(
    db: sqlite_utils.Database, kind: str, name: str, credit_code: str
) -> list[tuple[Comparison, IndexedName]]:
    index = name_index(db, kind)
    parts = index.parts(name)
    compare = (
        compare_enterprise_parts if kind == "enterprise" else compare_institute_parts
    )
    scored = []
    for entry in index.similar(db, parts):
        if not _codes_agree(db, kind, entry.entity_id, credit_code):
            continue
        comparison = compare(parts, entry.parts)
        if comparison.score >= REVIEW_THRESHOLD:
            scored.append((comparison, entry))
    scored.sort(key=lambda item: (-item[0].score, item[1].entity_id))
    return scored


def _create(db: sqlite_utils.Database, kind: str, name: str, credit_code: str) -> Link:
    table = TABLES[kind]
    record = {"name": name, "natural_key": natural_key(kind, name, credit_code)}
    if kind == "enterprise" and credit_code:
        record["credit_code"] = credit_code
    if kind == "institute":
        record["kind"] = institute_kind(name)
    columns = ", ".join(record)
    marks = ", ".join("?" * len(record))
    cursor = db.execute(
        f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", list(record.values())
    )
    name_index(db, kind)
    return Link(cursor.lastrowid, name, "new", 0.0, True)


def _link_to(
    db: sqlite_utils.Database, kind: str, entity_id: int, rule: str, score: float
) -> Link | None:
    row = db.execute(
        f"SELECT name FROM [{TABLES[kind]}] WHERE id = ?", [entity_id]
    ).fetchone()
    if row is None:
        logger.warning("alias points to missing %s %s", kind, entity_id)
        return None
    return Link(entity_id, row[0], rule, score, False)


def _short_name_lookup(db: sqlite_utils.Database, name: str) -> int | None:
    forms = set(lookup_forms(name))
    rows = db.execute(
        "SELECT id, short_names FROM institutes "
        "WHERE short_names IS NOT NULL AND short_names != '' ORDER BY id"
    ).fetchall()
    for entity_id, short_names in rows:
        for short_name in _split_short_names(short_names):
            if forms & set(lookup_forms(short_name)):
                return entity_id
    return None


def _split_short_names(value: str) -> list[str]:
    for separator in "；;、，,/|":
        value = value.replace(separator, ";")
    return [part.strip() for part in value.split(";") if part.strip()]


def _codes_agree(
    db: sqlite_utils.Database, kind: str, entity_id: int, credit_code: str
) -> bool:
    if kind != "enterprise" or not credit_code:
        return True
    row = db.execute(
        "SELECT credit_code FROM enterprises WHERE id = ?", [entity_id]
    ).fetchone()
    stored = normalize_credit_code(row[0]) if row and row[0] else ""
    return not stored or stored == credit_code


def _queue(
    db: sqlite_utils.Database,
    kind: str,
    name: str,
    record_id: int,
    candidate_id: int | None,
    score: float,
    rule: str,
) -> None:
    db.execute(
        "INSERT INTO resolution_queue (kind, name, record_id, candidate_id, score, "
        "match_rule) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM "
        "resolution_queue WHERE kind = ? AND record_id = ? AND candidate_id IS ? "
        "AND match_rule = ? AND name = ?)",
        [kind, name, record_id, candidate_id, score, rule]
        + [kind, record_id, candidate_id, rule, name],
    )
