"""From a corpus to scored, explained matches: candidates, features, top k.

`score_type` generates candidates for
one target type with a sparse product, computes the features of those pairs
only, combines them into scores and keeps the best `limit` pairs per demand at
or above the threshold.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kjd.match import features as facts
from kjd.match.corpus import Corpus
from kjd.match.index import keep_top_terms, pair_dot, top_k_pairs
from kjd.match.score import (
    TEXT_SCALE,
    TITLE_SCALE,
    PairFeatures,
    PairScores,
    Weights,
    combine,
    saturate,
)

logger = logging.getLogger(__name__)

# Candidates scored per demand and target type: CANDIDATES_PER_LIMIT × --limit,
# and at least MIN_CANDIDATES.
MIN_CANDIDATES = 30
CANDIDATES_PER_LIMIT = 3
# Against this many targets or more, candidates are found with the heaviest
# CANDIDATE_TERMS terms of each demand only; scoring still uses every term. On
# the generated province-scale rosters this cut the product from 32 s to 7 s
# and found the planted target as often; below it the exact product is cheap.
PRUNE_FROM_TARGETS = 20_000
CANDIDATE_TERMS = 20
SHARED_TERMS_SHOWN = 8


@dataclass
class ScoredPairs:
    """The kept pairs of one target type, best first within each demand."""

    target_type: str
    demand_rows: np.ndarray
    target_rows: np.ndarray
    scores: PairScores
    candidate_pairs: int
    shared_terms: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.demand_rows)


def candidate_count(limit: int) -> int:
    """Return how many candidates per demand are scored to keep `limit` of them."""
    return max(MIN_CANDIDATES, CANDIDATES_PER_LIMIT * limit)


def candidate_queries(demands, target_count: int):
    """Return the demand rows used to find candidates among `target_count` targets."""
    if target_count < PRUNE_FROM_TARGETS:
        return demands
    return keep_top_terms(demands, CANDIDATE_TERMS)


def count_candidates(corpus: Corpus, target_type: str, k: int) -> int:
    """Return how many pairs `score_type` would score, without scoring them."""
    targets = corpus.vectors[target_type].full
    queries = candidate_queries(corpus.vectors["demand"].full, targets.shape[0])
    return len(top_k_pairs(queries, targets, k))


def score_type(
    corpus: Corpus,
    target_type: str,
    *,
    limit: int,
    threshold: float,
    weights: Weights,
    excluded: set[tuple[int, int]] | None = None,
    semantic: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    on_block: Callable[[int, int], None] | None = None,
) -> ScoredPairs:
    """Score one target type for every demand of the corpus.

    Args:
        limit: pairs kept per demand (the best ones).
        threshold: pairs scoring below this are dropped (score ≥ threshold kept).
        excluded: (demand id, target id) pairs never to propose (rejected).
        semantic: returns the embedding cosine of (demand rows, target rows).

    Returns:
        The kept pairs; a demand with no candidate at or above the threshold has none.
    """
    demands = corpus.vectors["demand"]
    targets = corpus.vectors[target_type]
    k = candidate_count(limit)
    queries = candidate_queries(demands.full, targets.full.shape[0])
    pairs = top_k_pairs(queries, targets.full, k, on_block=on_block)
    rows_d, rows_t = pairs.demand_rows, pairs.target_rows
    similarity = pair_dot(demands.full, targets.full, rows_d, rows_t)
    pair_features = _features(corpus, target_type, rows_d, rows_t, similarity)
    if semantic is not None:
        pair_features.semantic = semantic(rows_d, rows_t)
    scores = combine(pair_features, weights)
    keep = _select(
        corpus, target_type, rows_d, rows_t, scores, limit, threshold, excluded
    )
    kept = ScoredPairs(
        target_type=target_type,
        demand_rows=rows_d[keep],
        target_rows=rows_t[keep],
        scores=PairScores(
            score=scores.score[keep],
            parts={name: values[keep] for name, values in scores.parts.items()},
        ),
        candidate_pairs=len(pairs),
    )
    kept.shared_terms = shared_terms(
        corpus, target_type, kept.demand_rows, kept.target_rows
    )
    return kept


def _features(corpus, target_type, rows_d, rows_t, similarity) -> PairFeatures:
    demands = corpus.vectors["demand"]
    targets = corpus.vectors[target_type]
    demand_docs = corpus.demands
    target_docs = corpus.targets[target_type]
    title_cosine = pair_dot(demands.title, targets.full, rows_d, rows_t)
    field_agreement = pair_dot(demands.fields, targets.fields, rows_d, rows_t)
    return PairFeatures(
        text=saturate(similarity, TEXT_SCALE),
        title=saturate(title_cosine, TITLE_SCALE),
        field=np.clip(field_agreement, 0.0, 1.0),
        region=facts.region_feature(
            demand_docs.cities, target_docs.cities, rows_d, rows_t
        ),
        fit=facts.fit_feature(
            [
                facts.wants_ready_technology(extra.get("demand_type"), mode)
                for extra, mode in zip(
                    demand_docs.extras, demand_docs.modes, strict=True
                )
            ],
            demand_docs.modes,
            target_docs.maturities,
            target_docs.modes,
            rows_d,
            rows_t,
        ),
    )


def _select(corpus, target_type, rows_d, rows_t, scores, limit, threshold, excluded):
    # Order by demand, then by falling score; keep the first `limit` of each demand.
    ok = scores.score >= threshold
    if excluded:
        demand_ids = np.asarray(corpus.demands.ids)[rows_d]
        target_ids = np.asarray(corpus.targets[target_type].ids)[rows_t]
        rejected = np.fromiter(
            ((d, t) in excluded for d, t in zip(demand_ids, target_ids, strict=True)),
            dtype=bool,
            count=len(rows_d),
        )
        ok &= ~rejected
    order = np.lexsort((-scores.score, rows_d))
    order = order[ok[order]]
    ranked_d = rows_d[order]
    starts = np.r_[0, np.flatnonzero(np.diff(ranked_d)) + 1]
    position = np.arange(len(order)) - np.repeat(
        starts, np.diff(np.r_[starts, len(order)])
    )
    return order[position < limit]


def shared_terms(
    corpus: Corpus, target_type: str, rows_d: np.ndarray, rows_t: np.ndarray
) -> list[list[str]]:
    """Return, for each pair, the terms both texts carry, heaviest first."""
    if len(rows_d) == 0:
        return []
    demands = corpus.vectors["demand"].full
    targets = corpus.vectors[target_type].full
    products = demands[rows_d].multiply(targets[rows_t]).tocsr()
    result = []
    for number in range(products.shape[0]):
        start, stop = products.indptr[number], products.indptr[number + 1]
        columns = products.indices[start:stop]
        weights = products.data[start:stop]
        best = columns[np.argsort(-weights, kind="stable")[:SHARED_TERMS_SHOWN]]
        result.append([corpus.terms[column] for column in best])
    return result
