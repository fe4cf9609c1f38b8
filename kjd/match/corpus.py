"""Demands and targets turned into term vectors with one shared vocabulary.

Every text is segmented once. Titles and whole texts become unit-length TF-IDF
rows; the same term lists give each record its field profile. An expert's
vector also carries the text of the achievements linked to them (as leader, or
by a research field that reads like the achievement's title), because the
person behind an achievement is whom an enterprise talks to about it.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from kjd.match.documents import Documents
from kjd.match.fields import FieldClassifier
from kjd.match.index import Vocabulary, normalize_rows, top_k_pairs
from kjd.match.text import TextAnalyzer

logger = logging.getLogger(__name__)

# A demand's title terms count this many times its description's terms.
DEMAND_TITLE_WEIGHT = 1.5
# An expert is linked to an achievement whose title has at least this cosine
# with the expert's research fields (at most LINKS_PER_EXPERT of them).
EXPERT_LINK_SIMILARITY = 0.5
LINKS_PER_EXPERT = 3
# Weight of the linked achievements' mean vector added to the expert's own.
EXPERT_LINK_WEIGHT = 1.0


@dataclass
class Vectors:
    """Unit-length TF-IDF rows of one kind of record, and their field profiles."""

    title: sparse.csr_matrix
    full: sparse.csr_matrix
    fields: sparse.csr_matrix


@dataclass
class Corpus:
    """Demands and targets analysed with one vocabulary."""

    analyzer: TextAnalyzer
    demands: Documents
    targets: dict[str, Documents]
    vocabulary: Vocabulary
    terms: list[str]
    vectors: dict[str, Vectors] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        analyzer: TextAnalyzer,
        demands: Documents,
        targets: dict[str, Documents],
        on_step: Callable[[], None] | None = None,
    ) -> "Corpus":
        """Segment every text, fit the vocabulary and vectorise each kind.

        Args:
            on_step: called after the texts of each kind are segmented.
        """
        documents = {"demand": demands, **targets}
        parts = {}
        for kind, docs in documents.items():
            parts[kind] = _segment(analyzer, docs)
            if on_step is not None:
                on_step()
        vocabulary = Vocabulary.fit(
            [*title, *body]
            for kind_parts in parts.values()
            for title, body in zip(kind_parts.titles, kind_parts.full, strict=True)
        )
        terms = [""] * len(vocabulary)
        for term, column in vocabulary.columns.items():
            terms[column] = term
        corpus = cls(analyzer, demands, targets, vocabulary, terms)
        classifier = FieldClassifier(analyzer)
        for kind, kind_parts in parts.items():
            corpus.vectors[kind] = corpus._vectorise(kind, kind_parts, classifier)
        if "expert" in targets and "project" in targets:
            corpus._enrich_experts()
        return corpus

    def _vectorise(self, kind: str, parts: "_Parts", classifier) -> Vectors:
        vocabulary = self.vocabulary
        title = vocabulary.tfidf(vocabulary.counts(parts.titles))
        if kind == "demand":
            body = vocabulary.tfidf(vocabulary.counts(parts.bodies))
            full = normalize_rows(DEMAND_TITLE_WEIGHT * title + body)
        else:
            full = vocabulary.tfidf(vocabulary.counts(parts.full))
        profiles = classifier.classify_terms(
            [[*t, *b] for t, b in zip(parts.titles, parts.bodies, strict=True)],
            parts.fields,
        )
        return Vectors(title=title, full=full, fields=profiles)

    def _enrich_experts(self) -> None:
        experts = self.vectors["expert"]
        projects = self.vectors["project"]
        links = expert_links(
            self.targets["expert"], self.targets["project"], experts, projects
        )
        if links.nnz == 0:
            return
        counts = np.asarray(links.sum(axis=1)).ravel()
        counts[counts == 0] = 1.0
        mean_linked = sparse.diags(1.0 / counts) @ links @ projects.full
        experts.full = normalize_rows(experts.full + EXPERT_LINK_WEIGHT * mean_linked)
        logger.debug("linked %d expert–achievement pairs", links.nnz)


def expert_links(
    experts: Documents,
    projects: Documents,
    expert_vectors: Vectors,
    project_vectors: Vectors,
) -> sparse.csr_matrix:
    """Return an experts × achievements 0/1 matrix: which expert is behind which.

    An expert is linked to an achievement whose leader has the expert's name,
    and to the achievements whose titles read like the expert's research fields.
    """
    pairs = top_k_pairs(
        expert_vectors.title,
        project_vectors.title,
        LINKS_PER_EXPERT,
        min_similarity=EXPERT_LINK_SIMILARITY - 1e-6,
    )
    rows = list(pairs.demand_rows)
    columns = list(pairs.target_rows)
    by_name: dict[str, list[int]] = {}
    for row, name in enumerate(experts.names):
        if len(name) >= 2:
            by_name.setdefault(name, []).append(row)
    for column, leader in enumerate(projects.leaders):
        for row in by_name.get(leader, ()):
            rows.append(row)
            columns.append(column)
    links = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)),
        shape=(len(experts), len(projects)),
    )
    links.data[:] = 1.0
    return links


@dataclass
class _Parts:
    """Term lists of each record: title, body, field column, and all of them."""

    titles: list[list[str]]
    bodies: list[list[str]]
    fields: list[list[str]]
    full: list[list[str]]


def _segment(analyzer: TextAnalyzer, documents: Documents) -> _Parts:
    # Each part is segmented on its own: a joined text would let a word run
    # across the end of the title into the field.
    titles = _terms(analyzer, documents.titles)
    bodies = _terms(analyzer, documents.bodies)
    fields = _terms(analyzer, documents.fields)
    full = [[*t, *f, *b] for t, f, b in zip(titles, fields, bodies, strict=True)]
    return _Parts(titles, bodies, fields, full)


def _terms(analyzer: TextAnalyzer, texts: Sequence[str]) -> list[list[str]]:
    return [analyzer.terms(text, folded=True) for text in texts]
