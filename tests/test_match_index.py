"""Sparse vectors and candidate generation."""

import numpy as np
import pytest
from scipy import sparse

from kjd.match import index
from kjd.match.index import (
    Vocabulary,
    keep_top_terms,
    normalize_rows,
    pair_dot,
    top_k_pairs,
)


def random_unit_rows(rng, rows, columns, density):
    matrix = sparse.random(
        rows, columns, density=density, random_state=rng, format="csr"
    )
    return normalize_rows(matrix.astype(np.float32))


def test_vocabulary_idf_and_unit_rows():
    texts = [["镁合金", "铸造"], ["镁合金", "焊接"], ["聚乳酸"]]
    vocabulary = Vocabulary.fit(texts)
    assert len(vocabulary) == 4
    common = vocabulary.idf[vocabulary.columns["镁合金"]]
    rare = vocabulary.idf[vocabulary.columns["聚乳酸"]]
    assert rare > common
    assert common == pytest.approx(np.log(4 / 3) + 1, rel=1e-6)
    matrix = vocabulary.tfidf(vocabulary.counts(texts + [["未见过"]]))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert norms[:3] == pytest.approx([1.0, 1.0, 1.0], rel=1e-5)
    assert norms[3] == 0.0


@pytest.mark.skipif(index.sp_matmul_topn is None, reason="sparse_dot_topn missing")
def test_top_k_pairs_topn_equals_scipy_path():
    rng = np.random.default_rng(3)
    queries = random_unit_rows(rng, 40, 300, 0.05)
    targets = random_unit_rows(rng, 500, 300, 0.03)
    fast = top_k_pairs(queries, targets, 7)
    plain = top_k_pairs(queries, targets, 7, use_topn=False)
    assert len(fast) == len(plain)
    np.testing.assert_array_equal(fast.demand_rows, plain.demand_rows)
    np.testing.assert_allclose(fast.similarity, plain.similarity, rtol=1e-5)
    dense = (queries @ targets.T).toarray()
    np.testing.assert_allclose(
        fast.similarity, dense[fast.demand_rows, fast.target_rows], rtol=1e-5
    )


def test_top_k_pairs_best_first_and_drops_zero():
    queries = sparse.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 1.0]], dtype=np.float32))
    targets = sparse.csr_matrix(
        np.array([[0.6, 0.8, 0], [1.0, 0, 0], [0, 1.0, 0]], dtype=np.float32)
    )
    for use_topn in (True, False):
        pairs = top_k_pairs(queries, targets, 5, use_topn=use_topn)
        assert pairs.demand_rows.tolist() == [0, 0]
        assert pairs.target_rows.tolist() == [1, 0]
        assert pairs.similarity.tolist() == pytest.approx([1.0, 0.6])


def test_keep_top_terms_keeps_heaviest():
    matrix = sparse.csr_matrix(np.array([[0.1, 0.5, 0.3, 0.9], [0.2, 0, 0, 0]]))
    kept = keep_top_terms(matrix, 2).toarray()
    assert kept[0].tolist() == [0.0, 0.5, 0.0, 0.9]
    assert kept[1].tolist() == [0.2, 0.0, 0.0, 0.0]


def test_pair_dot_matches_dense_product():
    rng = np.random.default_rng(5)
    left = random_unit_rows(rng, 30, 100, 0.1)
    right = random_unit_rows(rng, 60, 100, 0.1)
    rows_left = rng.integers(0, 30, 200)
    rows_right = rng.integers(0, 60, 200)
    dense = (left @ right.T).toarray()
    np.testing.assert_allclose(
        pair_dot(left, right, rows_left, rows_right),
        dense[rows_left, rows_right],
        rtol=1e-5,
        atol=1e-7,
    )
