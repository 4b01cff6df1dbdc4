"""BM25 over folded, Vietnamese-aware tokens, as a numpy inverted index.

Scoring one query touches only the postings of its terms and sums them with np.bincount,
so the cost grows with the postings read, not with a Python loop over documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .normalize import tokens, tokens_with_surface


class BM25Index:
    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(docs)
        self.vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(self.size, dtype=np.float32)
        for doc_id, doc in enumerate(docs):
            counts = Counter(tokens(doc))
            lengths[doc_id] = sum(counts.values())
            for term, tf in counts.items():
                term_ids.append(self.vocab.setdefault(term, len(self.vocab)))
                doc_ids.append(doc_id)
                tfs.append(tf)
        terms = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(terms, kind="stable")  # postings grouped by term, docs ascending
        self.postings = np.asarray(doc_ids, dtype=np.int32)[order]
        tf = np.asarray(tfs, dtype=np.float32)[order]
        self.indptr = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(self.vocab)), out=self.indptr[1:])
        df = np.diff(self.indptr).astype(np.float32)
        self.idf = np.log1p((self.size - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths[self.postings] / avg_len)
        self.weights = (tf * (k1 + 1) / (tf + norm)).astype(np.float32)

    def _query_terms(self, query_tokens: Iterable[str]) -> list[tuple[int, int]]:
        counts = Counter(t for t in query_tokens if t in self.vocab)
        return sorted((self.vocab[t], n) for t, n in counts.items())

    def score(self, query: str) -> np.ndarray:
        """BM25 score of `query` against every document (float32, length = size)."""
        terms = self._query_terms(tokens(query))
        if not terms or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        slices = [slice(self.indptr[t], self.indptr[t + 1]) for t, _ in terms]
        docs = np.concatenate([self.postings[s] for s in slices])
        contrib = np.concatenate(
            [
                self.weights[s] * (self.idf[t] * (1 + np.log(n)))
                for s, (t, n) in zip(slices, terms, strict=True)
            ]
        )
        return np.bincount(docs, weights=contrib, minlength=self.size).astype(np.float32)

    def shared_terms(
        self, query: str | list[tuple[str, str]], doc_ids: Sequence[int], limit: int = 5
    ) -> dict[int, list[str]]:
        """Per document: query words (surface form) it contains, rarest first.

        `query` is a text or its precomputed tokens_with_surface() list. One vectorised pass
        over the query's postings serves all `doc_ids`.
        """
        pairs = tokens_with_surface(query) if isinstance(query, str) else query
        surfaces: dict[str, str] = {}
        for term, surface in pairs:
            if term in self.vocab:
                surfaces.setdefault(term, surface)
        result: dict[int, list[str]] = {int(d): [] for d in doc_ids}
        if not surfaces or not result:
            return result
        # Only the rarest query terms can make the list (rarest first, `limit` of them); their
        # postings are short, which keeps this cheap on a large pool.
        terms = sorted(surfaces, key=lambda t: (-float(self.idf[self.vocab[t]]), t))[: limit * 8]
        ids = np.array([self.vocab[t] for t in terms], dtype=np.int64)
        lengths = self.indptr[ids + 1] - self.indptr[ids]
        docs = np.concatenate([self.postings[self.indptr[i] : self.indptr[i + 1]] for i in ids])
        owners = np.repeat(np.arange(len(terms)), lengths)
        hit = np.isin(docs, np.fromiter(result, dtype=np.int64))
        found: dict[int, list[int]] = {d: [] for d in result}
        for doc, owner in zip(docs[hit].tolist(), owners[hit].tolist(), strict=True):
            found[doc].append(owner)
        for doc, owners_of_doc in found.items():
            ranked = sorted(owners_of_doc, key=lambda o: (-float(self.idf[ids[o]]), terms[o]))
            chosen: list[str] = []
            covered: set[str] = set()
            for owner in ranked:  # prefer whole phrases over their syllables
                if terms[owner] in covered:
                    continue
                chosen.append(surfaces[terms[owner]])
                covered.update(terms[owner].split("_"))
                if len(chosen) == limit:
                    break
            result[doc] = chosen
        return result
