"""Classify texts into technical fields and industries, and compare the results.

The fields are the 52 sub-fields of 国家重点支持的高新技术领域 (data/tech_fields.csv,
with the third-level item names of data/tech_fields_l3.csv as extra keywords) and
the key industries of data/industries.csv. Each field has a keyword profile; a
text's field profile is the cosine of its terms with every field's keywords. Two
records agree on their field as much as their profiles point the same way, so a
roster without a field column is still classified, and a roster that has one
(新材料/生物降解塑料) gets that text counted three times.
"""

import csv
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from kjd.match.index import Vocabulary, normalize_rows
from kjd.match.text import TextAnalyzer, read_text_file
from kjd.paths import data_file

logger = logging.getLogger(__name__)

# The roster's own field column counts this many times the free text.
FIELD_COLUMN_REPEAT = 3
# Only the strongest few fields of a text count, so a long description that
# touches many fields in passing does not agree with everything.
TOP_FIELDS = 10


@dataclass(frozen=True)
class Field:
    """One technical field or industry with its keyword profile."""

    code: str
    name: str
    keywords: tuple[str, ...]
    parent: str = ""


@functools.lru_cache(maxsize=1)
def load_fields() -> tuple[Field, ...]:
    """Return the level-2 technical fields and the industries as one list."""
    level3: dict[str, list[str]] = {}
    l3_text = read_text_file(data_file("tech_fields_l3.csv"))
    for row in csv.DictReader(l3_text.splitlines()):
        level3.setdefault(row["parent_code"], []).append(row["name"])
    fields = []
    rows = list(
        csv.DictReader(read_text_file(data_file("tech_fields.csv")).splitlines())
    )
    top_level = {row["code"]: row["name"] for row in rows if row["level"] == "1"}
    for row in rows:
        if row["level"] != "2":
            continue
        keywords = [
            row["name"],
            *row["keywords"].split(";"),
            *level3.get(row["code"], []),
        ]
        parent = top_level.get(row["parent_code"], "")
        fields.append(Field(f"tf:{row['code']}", row["name"], tuple(keywords), parent))
    for row in csv.DictReader(read_text_file(data_file("industries.csv")).splitlines()):
        keywords = [row["name"], *row["keywords"].split(";")]
        fields.append(Field(f"in:{row['code']}", row["name"], tuple(keywords)))
    return tuple(fields)


class FieldClassifier:
    """Turn texts into field profiles: unit vectors over the known fields."""

    def __init__(self, analyzer: TextAnalyzer, fields: Sequence[Field] | None = None):
        self.analyzer = analyzer
        self.fields = tuple(fields if fields is not None else load_fields())
        keyword_terms = [
            [t for keyword in f.keywords for t in analyzer.terms(keyword)]
            for f in self.fields
        ]
        self.vocabulary = Vocabulary.fit(keyword_terms)
        self.profiles = self.vocabulary.tfidf(self.vocabulary.counts(keyword_terms))

    def classify_terms(
        self,
        term_lists: Sequence[Sequence[str]],
        field_terms: Sequence[Sequence[str]] | None = None,
    ) -> sparse.csr_matrix:
        """Return one row per record: its similarity to each field, top fields only.

        Args:
            term_lists: the terms of each record's text.
            field_terms: the terms of each record's field column (may be empty).
        """
        combined = []
        for number, terms in enumerate(term_lists):
            extra = field_terms[number] if field_terms is not None else ()
            combined.append([*terms, *(list(extra) * FIELD_COLUMN_REPEAT)])
        vectors = self.vocabulary.tfidf(self.vocabulary.counts(combined))
        scores = (vectors @ self.profiles.T).toarray()
        return normalize_rows(_keep_top(scores, TOP_FIELDS))

    def classify(
        self, texts: Sequence[str], field_columns: Sequence[str] | None = None
    ) -> sparse.csr_matrix:
        """Segment folded texts (and field columns) and classify them."""
        term_lists = [self.analyzer.terms(text, folded=True) for text in texts]
        field_terms = None
        if field_columns is not None:
            field_terms = [self.analyzer.terms(c, folded=True) for c in field_columns]
        return self.classify_terms(term_lists, field_terms)

    def names(self, profile_row: sparse.csr_matrix, limit: int = 2) -> list[str]:
        """Return the names of the strongest fields of one profile row."""
        row = profile_row.toarray().ravel()
        order = row.argsort()[::-1][:limit]
        return [self.fields[i].name for i in order if row[i] > 0]

    def labels(self, texts: Sequence[str], limit: int = 2) -> list[str]:
        """Return, per folded text, its strongest fields and their parents as text.

        '新材料 金属材料 汽车' for a text about magnesium alloy wheels: what a
        --field filter is compared with when the roster has no field column.
        """
        profiles = self.classify(texts)
        parents = {f.name: f.parent for f in self.fields}
        result = []
        for number in range(profiles.shape[0]):
            names = self.names(profiles[number], limit)
            result.append(
                " ".join([*names, *(parents[n] for n in names if parents[n])])
            )
        return result


def _keep_top(scores: np.ndarray, top: int) -> sparse.csr_matrix:
    if scores.shape[1] > top:
        threshold = np.partition(scores, -top, axis=1)[:, -top][:, None]
        scores = np.where(scores >= threshold, scores, 0.0)
    return sparse.csr_matrix(scores)
