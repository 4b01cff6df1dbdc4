"""BM25 over folded, Vietnamese-aware tokens, as a numpy inverted index.

Scoring one query touches only the postings of its terms and sums them with np.bincount,
so the cost grows with the postings read, not with a Python loop over documents.
"""

from __future__ import annotations

import copy
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from vitext import tokens


class BM25Index:
    # Postings one query may read, rarest terms first. The terms left out are the most common
    # ones (at 100,000 offers, those in thousands of them), whose idf adds least; below ~5,000
    # documents no query reaches the budget.
    POSTINGS_BUDGET = 50_000

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = self.base_size = len(docs)
        self.k1, self.b = k1, b
        # Documents added after the build (with_docs): their term counts and lengths, scored in
        # Python against the base statistics. A handful between two full builds.
        self.tail: tuple[tuple[Counter, int], ...] = ()
        self.tail_df: Counter = Counter()
        self.vocab: dict[str, int] = {}
        # Flat arrays, not lists of Python ints: 100,000 documents make ~20 million postings.
        term_ids = array("i")
        tfs = array("i")
        unique_per_doc = np.zeros(self.size, dtype=np.int64)
        lengths = np.zeros(self.size, dtype=np.float32)
        vocab_id = self.vocab.setdefault
        for doc_id, doc in enumerate(docs):
            counts = Counter(tokens(doc))
            lengths[doc_id] = sum(counts.values())
            unique_per_doc[doc_id] = len(counts)
            term_ids.extend([vocab_id(term, len(self.vocab)) for term in counts])
            tfs.extend(counts.values())
        terms = np.frombuffer(term_ids, dtype=np.int32) if term_ids else np.zeros(0, np.int32)
        doc_ids = np.repeat(np.arange(self.size, dtype=np.int32), unique_per_doc)
        order = np.argsort(terms, kind="stable")  # postings grouped by term, docs ascending
        self.postings = doc_ids[order]
        del doc_ids
        tf = (np.frombuffer(tfs, dtype=np.int32) if tfs else np.zeros(0, np.int32))[order].astype(
            np.float32
        )
        self.indptr = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(self.vocab)), out=self.indptr[1:])
        del order, terms, term_ids, tfs
        df = np.diff(self.indptr).astype(np.float32)
        self.idf = np.log1p((self.size - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        self.avg_len = avg_len
        norm = k1 * (1 - b + b * lengths[self.postings] / avg_len)
        self.weights = (tf * (k1 + 1) / (tf + norm)).astype(np.float32)

    def _query_terms(self, query_tokens: Iterable[str]) -> list[tuple[int, int]]:
        """(term id, count in query) of the query's known terms within the postings budget."""
        counts = Counter(t for t in query_tokens if t in self.vocab)
        if not counts:
            return []
        ids = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        n = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        df = self.indptr[ids + 1] - self.indptr[ids]
        order = np.lexsort((ids, df))  # rarest first, ties by term id
        read = np.cumsum(df[order])
        # Always the rarest term; then terms while the postings read stay within the budget.
        keep = order[: max(1, int(np.searchsorted(read, self.POSTINGS_BUDGET, side="right")))]
        return sorted(zip(ids[keep].tolist(), n[keep].tolist(), strict=True))

    def with_docs(self, docs: Sequence[str]) -> BM25Index:
        """A copy that also holds `docs` (numbered after the existing ones); self is unchanged."""
        new = copy.copy(self)
        added = tuple((Counter(toks), len(toks)) for toks in (tokens(d) for d in docs))
        new.tail = self.tail + added
        new.tail_df = self.tail_df + Counter(t for counts, _n in added for t in counts)
        new.size = self.size + len(added)
        return new

    def _idf(self, term: str) -> float:
        if term in self.vocab:
            return float(self.idf[self.vocab[term]])
        df = self.tail_df.get(term, 0)
        return math.log1p((self.size - df + 0.5) / (df + 0.5))

    def score(self, query: str | list[str]) -> np.ndarray:
        """BM25 score of `query` (a text or its tokens()) against every document."""
        query_tokens = tokens(query) if isinstance(query, str) else query
        terms = self._query_terms(query_tokens)
        if not terms or not self.base_size:
            base = np.zeros(self.base_size, dtype=np.float32)
        else:
            slices = [slice(self.indptr[t], self.indptr[t + 1]) for t, _ in terms]
            docs = np.concatenate([self.postings[s] for s in slices])
            contrib = np.concatenate(
                [
                    self.weights[s] * (self.idf[t] * (1 + np.log(n)))
                    for s, (t, n) in zip(slices, terms, strict=True)
                ]
            )
            base = np.bincount(docs, weights=contrib, minlength=self.base_size).astype(np.float32)
        if not self.tail:
            return base
        counts = Counter(query_tokens)
        k1, b = self.k1, self.b
        tail = [
            sum(
                self._idf(term)
                * (1 + math.log(counts[term]))
                * doc[term]
                * (k1 + 1)
                / (doc[term] + k1 * (1 - b + b * length / self.avg_len))
                for term in sorted(counts.keys() & doc.keys())  # sorted: the same sum every run
            )
            for doc, length in self.tail
        ]
        return np.concatenate([base, np.asarray(tail, dtype=np.float32)])
