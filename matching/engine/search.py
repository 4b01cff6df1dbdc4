"""Search by meaning: a short query against stored record vectors (pure numpy, no Django).

Raw e5 cosines are useless for a one- or two-word query: they sit in 0.76-0.87 for every
record, and a Vietnamese query is closer to every Vietnamese record than to any English one
("chè" ranked a wastewater offer first). Three steps make them usable:

1. Centring on the engine's fixed reference (calibration.py): each record loses its
   language's mean direction, the query the mean of the demand side (queries) in its
   language. What is left is topic, not language.
2. Feedback. For each query word, the mean direction of the records that hold that word
   (pseudo-relevance feedback, Rocchio) is added to the query: "sấy chè" alone is too short
   for the model to cross into English; the Vietnamese records about drying and about tea
   are not, and they meet at an English tea dryer.
3. A cut in reference units: a record's cosine is turned into a z-score among the query's
   cosines to the topic-neutral background texts of that record's language (the same 16
   technologies in every language; calibration.py), and only records closer to the query than
   nearly all of those texts are kept. Measured on the seeded demo (62 offers, 9 demands) with
   the hybrid-3 reference: bare queries about nothing ("banana", "hello world", "drone",
   "tưới") reach z 0.6-1.5, but a query no record holds rests on its embedding alone, and a
   lone syllable is read loosely: "tưới" (to water) put two fresh-tea-leaf offers ("tươi") at
   4.0, hence MIN_Z 4.5. Steered queries: meant hits at
   1.4-12 ("wastewater" -> the Vietnamese compact-wastewater demand 2.8, "tea" -> the two tea
   demands 1.9 and 1.3, "sấy chè" -> the English tea dryer 5.7), unrelated records up to ~1.9
   (a WC-Co recycling demand for "wastewater"; for "sấy chè", dust control at 3.7 and tungsten
   at 3.3 among tea machines at 3.7-5.1): MIN_Z_FEEDBACK 1.2 favours finding ("tea" -> the
   tea-processing demand at 1.25 on the demo), a steered hit
   must also reach RELATIVE (half) of the best z among the records not found by their words,
   and at most MAX_HITS (10) come by meaning alone, after the word matches. e5-small is weak across languages for one- or two-word queries; matching/search.py
   also returns the likely answers (engine pairs >= LIKELY_ANSWER) of the records that hold
   the query's words, which carry whole texts across languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .calibration import unit_rows as unit  # rows scaled to length 1 (zero rows stay 0)

MIN_Z = 4.5  # a hit is closer to the query than this many std of the reference texts
MIN_Z_FEEDBACK = 1.2  # the same when records holding the query's words steer it
RELATIVE = 0.5  # and, steered, within this share of the best record's z
FEEDBACK_WEIGHT = 1.0  # the query counts as much as the mean of its words' directions
MAX_HITS = 10  # found by meaning only: a page's worth, after the word matches


@dataclass(frozen=True)
class Centred:
    """One kind's record vectors, centred on the reference without copying the matrix."""

    matrix: np.ndarray  # (rows, dim) unit vectors as stored
    means: np.ndarray  # (groups, dim) the reference mean of each language group
    group_of_row: np.ndarray  # (rows,) index into means
    norms: np.ndarray  # (rows,) |row - its group mean|

    @classmethod
    def build(cls, matrix: np.ndarray, groups: Sequence[int], means: np.ndarray) -> Centred:
        codes = np.asarray(groups, dtype=np.int32)
        return cls(matrix, means, codes, row_norms(matrix, means, codes))

    def rows(self, index: np.ndarray) -> np.ndarray:
        """Centred unit vectors of some rows."""
        return unit(self.matrix[index] - self.means[self.group_of_row[index]])

    def cosines(self, query: np.ndarray) -> np.ndarray:
        """Cosine of a centred unit query with every centred row."""
        offsets = (self.means @ query)[self.group_of_row]
        return (self.matrix @ query - offsets) / self.norms


def row_norms(matrix: np.ndarray, means: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """|r - mu| from |r| = 1: sqrt(1 - 2 r.mu + |mu|^2), without building r - mu."""
    if not len(matrix):
        return np.zeros(0, dtype=np.float32)
    dots = np.einsum("ij,ij->i", matrix, means[codes])
    squared = 1.0 - 2.0 * dots + np.einsum("ij,ij->i", means, means)[codes]
    return np.sqrt(np.maximum(squared, 1e-6)).astype(np.float32)


def query_vector(centred: np.ndarray, feedback: np.ndarray | None) -> np.ndarray:
    """The (centred) query moved toward the feedback directions (one per query word)."""
    vector = unit(centred)
    if feedback is not None and len(feedback):
        vector = unit(vector + FEEDBACK_WEIGHT * unit(feedback.mean(axis=0)))
    return vector


def z_scores(
    cosines: np.ndarray, query: np.ndarray, groups: np.ndarray, cohorts: Sequence[np.ndarray]
) -> np.ndarray:
    """Each cosine as a z-score among the query's cosines to the reference texts of the
    record's language (cohorts[g]: centred unit vectors of group g)."""
    means = np.zeros(len(cohorts))
    stds = np.ones(len(cohorts))
    for g, cohort in enumerate(cohorts):
        if len(cohort):
            against = cohort @ query
            means[g], stds[g] = against.mean(), max(float(against.std()), 1e-3)
    return (cosines - means[groups]) / stds[groups]


def cut(*, steered: bool, best: float = 0.0) -> float:
    return max(MIN_Z_FEEDBACK, RELATIVE * best) if steered else MIN_Z


def hits(
    z: np.ndarray, *, steered: bool, limit: int = MAX_HITS, best: float | None = None
) -> list[tuple[int, float]]:
    """(row, z) of the rows past the cut, best first. `best`: the z the relative cut is taken
    from (default: the best row's)."""
    if not len(z):
        return []
    rows = np.flatnonzero(z >= cut(steered=steered, best=float(z.max()) if best is None else best))
    rows = rows[np.argsort(-z[rows], kind="stable")][:limit]
    return [(int(i), float(z[i])) for i in rows]
