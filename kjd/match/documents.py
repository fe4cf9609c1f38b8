"""Read demands and targets from the database as documents to match.

A document is the text of one record split into a title and a body, plus the
facts that scoring compares (field, city, maturity, cooperation mode). Institutes
have little text of their own, so an institute's body also carries the titles of
its achievements and the research fields of its experts.

Institute records of kind 企业研发机构 are companies named as an achievement's
完成单位. They are not institute targets: a demand goes to 高校院所 for
technology, experts and graduates, and a company is reached through its
achievements, which stay targets.
"""

import logging
from dataclasses import dataclass, field

import sqlite_utils

from kjd.match.orgkinds import ENTERPRISE_LAB
from kjd.match.text import fold

logger = logging.getLogger(__name__)

TARGET_TYPES = ("project", "expert", "institute")

# An institute profile quotes at most this many achievement titles and expert
# research fields, so that a large university does not match every demand.
INSTITUTE_PROFILE_ITEMS = 200
# Institute records that are targets: every kind but companies. A record with no
# kind yet (NULL) stays a target.
_INSTITUTE_TARGETS = "kind IS NOT ?"


@dataclass
class Documents:
    """Parallel lists describing the records of one kind, in id order."""

    kind: str
    ids: list[int] = field(default_factory=list)
    refs: list[str | None] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    maturities: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, **values) -> None:
        """Add one record; text values are folded, missing values become ''."""
        self.ids.append(values["id"])
        self.refs.append(values.get("ref"))
        self.names.append(values.get("name") or "")
        self.titles.append(fold(values.get("title")))
        self.bodies.append(fold(values.get("body")))
        self.fields.append(fold(values.get("field")))
        self.cities.append(values.get("city") or "")
        self.maturities.append(values.get("maturity") or "")
        self.modes.append(values.get("mode") or "")
        self.leaders.append((values.get("leader") or "").strip())
        self.extras.append(values.get("extra") or {})

    def full_texts(self) -> list[str]:
        """Return title, field and body of each record joined into one text."""
        return [
            " ".join(part for part in parts if part)
            for parts in zip(self.titles, self.fields, self.bodies, strict=True)
        ]


def load_demands(
    db: sqlite_utils.Database,
    *,
    demand_ids: list[int] | None = None,
) -> Documents:
    """Read the demands to match (all of them, or those in `demand_ids`)."""
    sql = (
        "SELECT d.id, d.ref, d.kind, d.title, d.description, d.field, "
        "COALESCE(d.city, e.city) AS city, d.county, d.cooperation_mode, "
        "d.cooperation_mode_raw, d.demand_type, d.discipline, d.degree, "
        "d.enterprise_name, e.industry "
        "FROM demands d LEFT JOIN enterprises e ON e.id = d.enterprise_id"
    )
    params: list = []
    if demand_ids is not None:
        sql += " WHERE d.id IN (SELECT value FROM json_each(?))"
        params.append(_json_list(demand_ids))
    sql += " ORDER BY d.id"
    documents = Documents("demand")
    for row in db.query(sql, params):
        talent = " ".join(p for p in (row["discipline"], row["degree"]) if p)
        documents.append(
            id=row["id"],
            ref=row["ref"],
            name=row["title"] or row["ref"] or str(row["id"]),
            title=row["title"],
            body=" ".join(p for p in (row["description"], talent) if p),
            field=" ".join(p for p in (row["field"], row["industry"]) if p),
            city=row["city"],
            mode=row["cooperation_mode"] or row["cooperation_mode_raw"],
            extra={"kind": row["kind"], "demand_type": row["demand_type"]},
        )
    return documents


def load_targets(db: sqlite_utils.Database, target_type: str) -> Documents:
    """Read every record of one target type ('project', 'expert', 'institute')."""
    loader = {
        "project": _load_projects,
        "expert": _load_experts,
        "institute": _load_institutes,
    }[target_type]
    return loader(db)


def count_targets(db: sqlite_utils.Database, target_type: str) -> int:
    """Return how many records of one target type a run matches against."""
    if target_type == "institute":
        sql = f"SELECT count(*) FROM institutes WHERE {_INSTITUTE_TARGETS}"
        return db.execute(sql, [ENTERPRISE_LAB]).fetchone()[0]
    table = {"project": "projects", "expert": "experts"}[target_type]
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def _load_projects(db: sqlite_utils.Database) -> Documents:
    documents = Documents("project")
    sql = (
        "SELECT p.id, p.ref, p.title, p.summary, p.keywords, p.field, p.leader, "
        "p.maturity, p.maturity_raw, p.cooperation_mode, p.cooperation_mode_raw, "
        "i.city FROM projects p LEFT JOIN institutes i ON i.id = p.institute_id "
        "ORDER BY p.id"
    )
    for row in db.query(sql):
        documents.append(
            id=row["id"],
            ref=row["ref"],
            name=row["title"],
            title=row["title"],
            body=" ".join(p for p in (row["keywords"], row["summary"]) if p),
            field=row["field"],
            city=row["city"],
            maturity=row["maturity"] or row["maturity_raw"],
            mode=row["cooperation_mode"] or row["cooperation_mode_raw"],
            leader=row["leader"],
        )
    return documents


def _load_experts(db: sqlite_utils.Database) -> Documents:
    documents = Documents("expert")
    sql = (
        "SELECT x.id, x.ref, x.name, x.title, x.research_fields, "
        "x.is_academician, i.city FROM experts x "
        "LEFT JOIN institutes i ON i.id = x.institute_id ORDER BY x.id"
    )
    for row in db.query(sql):
        documents.append(
            id=row["id"],
            ref=row["ref"],
            name=row["name"],
            title=row["research_fields"],
            body=None,
            city=row["city"],
            extra={"is_academician": bool(row["is_academician"])},
        )
    return documents


def _load_institutes(db: sqlite_utils.Database) -> Documents:
    profiles = _institute_profiles(db)
    documents = Documents("institute")
    sql = (
        "SELECT id, ref, name, kind, city, description FROM institutes "
        f"WHERE {_INSTITUTE_TARGETS} ORDER BY id"
    )
    for row in db.query(sql, [ENTERPRISE_LAB]):
        profile = profiles.get(row["id"], [])
        documents.append(
            id=row["id"],
            ref=row["ref"],
            name=row["name"],
            title=" ".join(profile[:20]),
            body=" ".join([row["description"] or "", *profile]),
            city=row["city"],
        )
    return documents


def _institute_profiles(db: sqlite_utils.Database) -> dict[int, list[str]]:
    # Achievement titles (every co-completing institute) and expert research fields.
    profiles: dict[int, list[str]] = {}
    sql = (
        "SELECT institute_id, title AS text FROM projects "
        "WHERE institute_id IS NOT NULL "
        "UNION ALL SELECT pi.institute_id, p.title FROM project_institutes pi "
        "JOIN projects p ON p.id = pi.project_id "
        "WHERE pi.institute_id IS NOT p.institute_id "
        "UNION ALL SELECT institute_id, research_fields FROM experts "
        "WHERE institute_id IS NOT NULL AND research_fields IS NOT NULL"
    )
    for row in db.query(sql):
        items = profiles.setdefault(row["institute_id"], [])
        if len(items) < INSTITUTE_PROFILE_ITEMS and row["text"]:
            items.append(row["text"])
    return profiles


def _json_list(values: list[int]) -> str:
    return "[" + ",".join(str(int(value)) for value in values) + "]"
