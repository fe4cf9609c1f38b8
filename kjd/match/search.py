"""Keyword search over achievements, experts, demands and institutes.

Every term must occur (AND), each as a substring of the folded text, so one- and
two-character Chinese terms (氢, 氢能, 芯片) are found: a trigram full-text index
would silently drop them. Folding makes 'ＡＢＳ', traditional characters and line
breaks inside a word compare equal to what the user typed.
"""

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import sqlite_utils

from kjd.errors import UsageError
from kjd.match.text import fold

logger = logging.getLogger(__name__)

KIND_LABELS = {
    "project": "成果",
    "expert": "专家",
    "demand": "需求",
    "institute": "院所",
}

# Columns searched per kind: (table, display-name column, searched columns).
SEARCHED_COLUMNS = {
    "project": ("projects", "title", ("title", "keywords", "field", "summary")),
    "expert": ("experts", "name", ("name", "research_fields", "title", "department")),
    "demand": ("demands", "title", ("title", "description", "field")),
    "institute": ("institutes", "name", ("name", "short_names", "description")),
}
# The Chinese name of each searched column, as staff know it from the rosters.
COLUMN_LABELS = {
    "project": {
        "title": "成果名称",
        "keywords": "关键词",
        "field": "所属领域",
        "summary": "简介",
    },
    "expert": {
        "name": "姓名",
        "research_fields": "研究方向",
        "title": "职称",
        "department": "所在院系",
    },
    "demand": {"title": "需求名称", "description": "需求描述", "field": "所属领域"},
    "institute": {"name": "名称", "short_names": "简称", "description": "简介"},
}
_WITHIN = {
    "projects": ("project",),
    "experts": ("expert",),
    "demands": ("demand",),
    "institutes": ("institute",),
    "all": ("project", "expert", "demand", "institute"),
}


@dataclass
class SearchHit:
    """One record containing every term."""

    kind: str
    id: int
    ref: str | None
    name: str
    matched_columns: list[str]


@dataclass
class SearchResult:
    """Hits in kind order; within a kind, hits in the name or title first, then id."""

    terms: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    truncated: bool = False

    def to_dict(self) -> dict:
        document = asdict(self)
        document["status"] = "ok"
        return document


def column_labels(kind: str, columns: Sequence[str]) -> list[str]:
    """Return the Chinese names of searched columns: demand ['title'] → ['需求名称']."""
    return [COLUMN_LABELS[kind].get(column, column) for column in columns]


def split_terms(terms: Sequence[str]) -> list[str]:
    """Fold the query and split it on spaces: '氢能 储运' → ['氢能', '储运']."""
    folded = []
    for term in terms:
        for word in str(term).split():
            word = fold(word)
            if word and word not in folded:
                folded.append(word)
    return folded


def search(
    db: sqlite_utils.Database,
    terms: Sequence[str],
    *,
    within: str = "all",
    limit: int | None = 50,
) -> SearchResult:
    """Return the records of the chosen kinds that contain every term.

    Raises:
        UsageError: no term given, or `within` is not a known scope.
    """
    words = split_terms(terms)
    if not words:
        raise UsageError("请给出至少一个检索词。")
    if within not in _WITHIN:
        raise UsageError(
            f"--in 不认识“{within}”；可选 projects、experts、demands、institutes、all。"
        )
    result = SearchResult(terms=words)
    for kind in _WITHIN[within]:
        name_column = SEARCHED_COLUMNS[kind][1]
        hits = sorted(
            _search_kind(db, kind, words),
            key=lambda hit: (name_column not in hit.matched_columns, hit.id),
        )
        for hit in hits:
            result.total += 1
            if limit is None or len(result.hits) < limit:
                result.hits.append(hit)
    result.truncated = limit is not None and result.total > limit
    return result


def _search_kind(db, kind: str, words: list[str]):
    table, name_column, columns = SEARCHED_COLUMNS[kind]
    selected = ", ".join(f"[{c}]" for c in dict.fromkeys((name_column, *columns)))
    sql = f"SELECT id, ref, {selected} FROM [{table}] ORDER BY id"
    for row in db.query(sql):
        texts = {column: fold(row[column]) for column in columns}
        whole = " ".join(texts.values())
        if all(word in whole for word in words):
            matched = [c for c, text in texts.items() if any(w in text for w in words)]
            yield SearchHit(
                kind, row["id"], row["ref"], row[name_column] or "", matched
            )
