"""A fixed reference that every e5 cosine is calibrated against, so a pair's score depends on
its two records (and the weights), never on what else happens to be in the pool.

Two steps, both against a cohort of texts that ships with the engine (`data/reference.jsonl`:
offers and demands in each language, with their vectors in `data/reference.npz`):

1. Centring. e5's vectors of one language share a mean direction; removing it (per side and
   language) makes a Vietnamese demand's cosine to an English offer comparable with its cosine
   to a Vietnamese offer (dev: vi->en Recall@20 0.84 -> 0.91 with step 2).
2. S-norm against the cohort. The z-score of the centred cosine among the query's cosines to
   the cohort of the item's language, averaged with the item's z among the cohort of the
   query's language. Both halves are fixed per record, so the score of (demand, offer) is the
   same whether a province has 30 offers or 30,000, whichever side ranked it and in any order.

A language the cohort lacks is centred and calibrated with the whole cohort of its side.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embedder import record_vectors, unit_rows
from .scoring import shrunk_std

DATA_DIR = Path(__file__).resolve().parent / "data"
TEXTS_FILE = DATA_DIR / "reference.jsonl"
# The same 16 technologies (biogas, PCB inspection, care sensors, ... battery diagnosis) written
# in vi, en, ja, ko and de for the cohort: parallel texts, so a language's mean direction is
# the language, not the topics its few evaluation texts happen to cover. On dev-c, a cohort of
# these alone for ja/ko/de (none of its own offers) gave nDCG@10 0.866 against 0.840 without.
BACKGROUND_FILE = DATA_DIR / "background.jsonl"
VECTORS_FILE = DATA_DIR / "reference.npz"
ANY = "*"  # the whole cohort of one side: for languages it lacks
_BLOCK = 4096  # rows centred at a time
SIDES = ("offer", "demand")


@dataclass
class _Side:
    """One side's cohort: per language, the mean direction and the centred unit vectors."""

    means: dict[str, np.ndarray]
    cohorts: dict[str, np.ndarray]
    # The background texts alone (the same topics in every language): a cohort no topic
    # dominates, for search, where a query about tea must not be judged against the dozens of
    # tea texts of the evaluation sets. Empty without a background.
    neutral: dict[str, np.ndarray]

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        languages: Sequence[str],
        centre: bool = True,
        background: np.ndarray | None = None,
    ) -> _Side:
        vectors = np.asarray(vectors, dtype=np.float32)
        languages = np.asarray(languages)
        means = {lang: vectors[languages == lang].mean(axis=0) for lang in sorted(set(languages))}
        means[ANY] = np.mean(list(means.values()), axis=0)  # languages weigh alike
        if not centre:  # a live cohort (no reference): calibrate only
            means = {lang: np.zeros_like(mean) for lang, mean in means.items()}
        centred = unit_rows(vectors - np.stack([means[lang] for lang in languages]))
        cohorts = {lang: centred[languages == lang] for lang in sorted(set(languages))}
        cohorts[ANY] = centred
        neutral = {}
        if background is not None and background.any():
            neutral = {
                lang: centred[background & (languages == lang)] for lang in sorted(set(languages))
            }
            neutral = {lang: rows for lang, rows in neutral.items() if len(rows)}
            neutral[ANY] = centred[background]
        return cls(means, cohorts, neutral)

    def neutral_cohort(self, key: str) -> np.ndarray:
        return self.neutral.get(key, self.neutral.get(ANY, self.cohorts[key]))

    def key(self, language: str) -> str:
        return language if language in self.means else ANY


class Reference:
    """The fixed cohort of both sides. `centre` and `stats` are all the engine asks of it."""

    def __init__(self, sides: dict[str, _Side], model_version: str = "") -> None:
        self.sides = sides
        self.model_version = model_version
        self.dim = next(iter(sides["offer"].means.values())).shape[0]

    @classmethod
    def from_vectors(
        cls,
        vectors: dict[str, np.ndarray],
        languages: dict[str, Sequence[str]],
        model_version: str = "",
        centre: bool = True,
        background: np.ndarray | None = None,
    ) -> Reference:
        """`background`: which rows (the same for both sides) are background texts."""
        return cls(
            {
                side: _Side.build(vectors[side], languages[side], centre, background)
                for side in SIDES
            },
            model_version,
        )

    def languages(self, side: str) -> list[str]:
        return [lang for lang in self.sides[side].cohorts if lang != ANY]

    def centre(self, vectors: np.ndarray, languages: Sequence[str], side: str) -> np.ndarray:
        """Unit vectors with their language's mean direction (of `side`) removed: a new array,
        written a block at a time (an index of 100,000 vectors would otherwise hold two
        temporary copies of 150 MB at its peak)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if not len(vectors):
            return vectors.reshape(0, self.dim)
        this = self.sides[side]
        code_of = {lang: this.key(lang) for lang in set(languages)}
        keys = sorted(set(code_of.values()))
        means = np.stack([this.means[key] for key in keys]).astype(np.float32)
        position = {lang: keys.index(key) for lang, key in code_of.items()}
        rows_of = np.fromiter(
            (position[lang] for lang in languages), dtype=np.int64, count=len(languages)
        )
        out = np.empty_like(vectors)
        for start in range(0, len(vectors), _BLOCK):
            block = slice(start, start + _BLOCK)
            out[block] = unit_rows(vectors[block] - means[rows_of[block]])
        return out

    def stats(
        self, centred: np.ndarray, against: str, language: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std of each row's cosines to the `against` side's cohort of `language`."""
        other = self.sides[against]
        cohort = other.cohorts[other.key(language)]
        cosines = (np.asarray(centred, dtype=np.float32) @ cohort.T).astype(np.float64)
        return cosines.mean(axis=1), shrunk_std(cosines.var(axis=1), cosines.shape[1])

    def group_key(self, side: str, language: str) -> str:
        return self.sides[side].key(language)


def fingerprint(path: Path = VECTORS_FILE) -> str:
    """Of the shipped cohort's content (not the zip file's bytes): scores follow from it, so
    scoring.REFERENCE_FINGERPRINT pins it, and a new cohort comes with a new ENGINE_VERSION
    (the repair sweep then re-scores every stored pair)."""
    digest = hashlib.sha256()
    with np.load(path) as data:
        for key in sorted(data.files):
            digest.update(key.encode())
            digest.update(np.ascontiguousarray(data[key]).tobytes())
    return digest.hexdigest()[:12]


def read_texts(path: Path = TEXTS_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def embed_texts(embedder, path: Path = TEXTS_FILE) -> tuple[dict, dict]:
    """Every cohort text, offer or demand, embedded as each side embeds (offers as passages,
    demands as queries): ~210 texts a side instead of ~45 demands. On split halves of dev a
    cohort of demands alone gave nDCG@10 0.77 out of sample against 0.84 in sample; with both
    kinds of text the two agree (0.84-0.86). Vectors are made as records' are
    (record_vectors: with the title when the row has one)."""
    rows = read_texts(path)
    texts = [r["text"] for r in rows]
    titles = [r.get("title", "") for r in rows]
    languages = {side: [r["language"] for r in rows] for side in SIDES}
    vectors = {side: record_vectors(embedder, side, titles, texts) for side in SIDES}
    return vectors, languages


def _background_rows(path: Path = TEXTS_FILE) -> np.ndarray:
    return np.array([row.get("side") == "background" for row in read_texts(path)], dtype=bool)


def build_reference(embedder, path: Path = TEXTS_FILE) -> Reference:
    vectors, languages = embed_texts(embedder, path)
    return Reference.from_vectors(
        vectors, languages, embedder.model_version, background=_background_rows(path)
    )


def save_reference(
    reference_vectors: dict, languages: dict, model_version: str, path: Path = VECTORS_FILE
) -> None:
    np.savez_compressed(
        path,
        model_version=np.array(model_version),
        **{f"{side}_vectors": reference_vectors[side].astype(np.float32) for side in SIDES},
        **{f"{side}_languages": np.array(languages[side]) for side in SIDES},
    )


def load_reference(embedder, path: Path = VECTORS_FILE) -> Reference:
    """The shipped vectors when they were made by this model; else embed the texts (~15 s)."""
    if path.exists():
        with np.load(path) as data:
            if str(data["model_version"]) == embedder.model_version:
                return Reference.from_vectors(
                    {side: data[f"{side}_vectors"].astype(np.float32) for side in SIDES},
                    {side: data[f"{side}_languages"].tolist() for side in SIDES},
                    embedder.model_version,
                    background=_background_rows(),
                )
    return build_reference(embedder)
