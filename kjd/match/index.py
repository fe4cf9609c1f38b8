"""Sparse term indexes and candidate generation over all targets at once.

Each text becomes a TF-IDF vector (sublinear term frequency, smoothed inverse
document frequency, unit length) in a scipy CSR matrix. Candidate generation is
one sparse matrix product that keeps the top k per row (sparse_dot_topn, on two
threads; without it, a scipy product per block of demands and a vectorised
top-k): no Python loop runs over demand–target pairs.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

try:
    from sparse_dot_topn import sp_matmul_topn
except ImportError:  # pragma: no cover - the scipy path below is the fallback
    sp_matmul_topn = None

logger = logging.getLogger(__name__)

# Demands per block of the scipy candidate product: a block's dense score
# matrix is BLOCK_ROWS × targets float32 values (256 × 100,000 ≈ 100 MB).
BLOCK_ROWS = 256
# Threads of the sparse_dot_topn product (the machines kjd runs on have two cores
# or more).
PRODUCT_THREADS = 2


@dataclass
class Vocabulary:
    """Term → column number, with the inverse document frequency of each term."""

    columns: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, term_lists: Iterable[Sequence[str]]) -> "Vocabulary":
        """Count in how many texts each term occurs and derive its idf.

        idf = ln((1 + n) / (1 + df)) + 1, as scikit-learn's smoothed idf.
        """
        columns: dict[str, int] = {}
        document_frequency: list[int] = []
        texts = 0
        for terms in term_lists:
            texts += 1
            for term in set(terms):
                column = columns.get(term)
                if column is None:
                    columns[term] = len(document_frequency)
                    document_frequency.append(1)
                else:
                    document_frequency[column] += 1
        df = np.asarray(document_frequency, dtype=np.float64)
        idf = np.log((1.0 + texts) / (1.0 + df)) + 1.0
        return cls(columns, idf.astype(np.float32))

    def __len__(self) -> int:
        return len(self.columns)

    def counts(self, term_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Return the raw term counts of each text (terms outside are ignored)."""
        indptr = [0]
        indices: list[int] = []
        columns = self.columns
        for terms in term_lists:
            indices.extend(columns[t] for t in terms if t in columns)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        matrix = sparse.csr_matrix(
            (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(term_lists), len(self)),
        )
        matrix.sum_duplicates()
        return matrix

    def tfidf(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Weight counts by (1 + ln tf) × idf and scale each row to unit length."""
        weighted = counts.copy()
        weighted.data = (1.0 + np.log(weighted.data)).astype(np.float32)
        weighted = weighted @ sparse.diags(self.idf)
        return normalize_rows(weighted.tocsr())


def normalize_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Scale each row to unit Euclidean length; empty rows stay empty."""
    matrix = sparse.csr_matrix(matrix, dtype=np.float32)
    squares = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)


@dataclass
class CandidatePairs:
    """Demand–target pairs as parallel arrays of row numbers and a first score."""

    demand_rows: np.ndarray
    target_rows: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.demand_rows)


def top_k_pairs(
    queries: sparse.csr_matrix,
    targets: sparse.csr_matrix,
    k: int,
    *,
    min_similarity: float = 0.0,
    on_block: Callable[[int, int], None] | None = None,
    use_topn: bool = True,
) -> CandidatePairs:
    """Return, for each query row, the k target rows of highest dot product.

    Args:
        queries: one row per demand.
        targets: one row per target, same columns as `queries`.
        k: maximum candidates per demand.
        min_similarity: pairs at or below this dot product are dropped, so a
            demand sharing no term with any target gets no candidate.
        on_block: called with (demands done, demands in all) after each block.
        use_topn: use sparse_dot_topn when it is installed (False: scipy only).

    Returns:
        The pairs, ordered by demand row and then by falling similarity.
    """
    k = min(k, targets.shape[0])
    if k <= 0 or queries.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return CandidatePairs(empty, empty, np.empty(0, dtype=np.float32))
    if use_topn and sp_matmul_topn is not None:
        return _topn_pairs(queries, targets, k, min_similarity, on_block)
    targets_t = targets.T.tocsr()
    demand_parts, target_parts, score_parts = [], [], []
    total = queries.shape[0]
    for start in range(0, total, BLOCK_ROWS):
        block = queries[start : start + BLOCK_ROWS]
        scores = (block @ targets_t).toarray()
        rows, columns, values = _block_top_k(scores, k, min_similarity)
        demand_parts.append(rows + start)
        target_parts.append(columns)
        score_parts.append(values)
        if on_block is not None:
            on_block(min(start + BLOCK_ROWS, total), total)
    return CandidatePairs(
        np.concatenate(demand_parts),
        np.concatenate(target_parts),
        np.concatenate(score_parts),
    )


def _topn_pairs(queries, targets, k, min_similarity, on_block) -> CandidatePairs:
    product = sp_matmul_topn(
        sparse.csr_matrix(queries, dtype=np.float32),
        sparse.csr_matrix(targets.T, dtype=np.float32),
        top_n=k,
        threshold=min_similarity,
        sort=True,
        n_threads=PRODUCT_THREADS,
    )
    if on_block is not None:
        on_block(queries.shape[0], queries.shape[0])
    rows = np.repeat(np.arange(product.shape[0]), np.diff(product.indptr))
    # sort=True puts each row's largest value first; equal values keep no
    # particular order, so ties are ordered by target row for repeatable runs.
    order = np.lexsort((product.indices, -product.data, rows))
    return CandidatePairs(
        rows[order].astype(np.int64),
        product.indices[order].astype(np.int64),
        product.data[order].astype(np.float32),
    )


def keep_top_terms(matrix: sparse.csr_matrix, terms: int) -> sparse.csr_matrix:
    """Return a copy of each row keeping only its `terms` heaviest entries.

    A demand's lightest terms (common words, boilerplate) add most of the cost
    of the candidate product and little to which targets come first.
    """
    matrix = sparse.csr_matrix(matrix, copy=True)
    lengths = np.diff(matrix.indptr)
    for row in np.flatnonzero(lengths > terms):
        start, stop = matrix.indptr[row], matrix.indptr[row + 1]
        values = matrix.data[start:stop]
        cutoff = np.partition(values, -terms)[-terms]
        values[values < cutoff] = 0.0
    matrix.eliminate_zeros()
    return matrix


def _block_top_k(scores: np.ndarray, k: int, min_similarity: float):
    if k < scores.shape[1]:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    values = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    rows = np.repeat(np.arange(scores.shape[0]), part.shape[1])
    keep = values.ravel() > min_similarity
    return rows[keep], part.ravel()[keep], values.ravel()[keep].astype(np.float32)


def pair_dot(
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    left_rows: np.ndarray,
    right_rows: np.ndarray,
) -> np.ndarray:
    """Return the dot product of left[left_rows[i]] and right[right_rows[i]] for each i.

    Works in slices so that the gathered rows of a large run fit in memory.
    """
    result = np.zeros(len(left_rows), dtype=np.float32)
    step = 50_000
    for start in range(0, len(left_rows), step):
        stop = start + step
        a = left[left_rows[start:stop]]
        b = right[right_rows[start:stop]]
        result[start:stop] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return result
