"""The key phrases a demand and an offer have in common: the chips under a match.

Two texts in the same language share phrases by their words. Across languages ("sấy chè" /
"tea drying") no surface form is shared: the demand's phrases are found in the offer's own
Vietnamese title and summary when it has them (bridged_phrases), else the phrases of each side
are paired by the embedding model (paired_phrases), given as a callable. The caller decides
when to pay for the model: the portal pairs phrases when a page shows a pair, never during a
rebuild (one phrase costs ~5 ms to embed; a rebuild explains 400,000 pairs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .phrases import Phrase, candidates, words

MAX_CHIPS = 4
# Pairing across languages (paired_phrases): phrases of at most 2 words (shorter phrases
# translate cleanly), 10 a side (the model embeds one phrase in ~5 ms). Measured on the
# grade-3 cross-language pairs of shared/eval/dev (30 pairs read by hand): at z >= 1.6 and
# cosine >= 0.89, 11 of 13 chips were right ("hầm biogas"/"biogas digester", "nước thải
# nhuộm"/"dyeing wastewater"); at 0.885, 13 of 19; at 0.84, about half.
# Bridging through the offer's Vietnamese text (bridged_phrases): the Vietnamese phrase is
# known to be in the offer, so its translation only has to stand out of the offer's phrases.
BRIDGE_Z = 1.5
BRIDGE_FLOOR = 0.87
PAIR_WORDS = 2
PER_SIDE = 10
PAIR_Z = 1.6
PAIR_FLOOR = 0.89


def _pick(
    scored: Sequence[tuple[tuple, Phrase, Phrase]], limit: int
) -> list[tuple[Phrase, Phrase]]:
    """Best first; a phrase overlapping a chosen one (on either side) is left out."""
    chosen: list[tuple[Phrase, Phrase]] = []
    used_left: set[int] = set()
    used_right: set[int] = set()
    shown: list[str] = []
    for _order, left, right in sorted(scored, key=lambda item: item[0]):
        if left.positions & used_left or right.positions & used_right:
            continue
        wording = left.text.lower()
        if any(wording in other or other in wording for other in shown):
            continue  # "nước thải" says nothing more after "xử lý nước thải"
        shown.append(wording)
        chosen.append((left, right))
        used_left |= left.positions
        used_right |= right.positions
        if len(chosen) == limit:
            break
    return chosen


def _runs(text: str, language: str, longest: int = 9) -> dict[tuple[str, ...], str]:
    """Every run of up to `longest` syllables inside one chunk of words: key -> wording."""
    out: dict[tuple[str, ...], str] = {}
    for chunk in words(text, language):
        keys = [syllable for w in chunk for syllable in w.key.split(" ")]
        shown = [syllable for w in chunk for syllable in w.surface.split(" ")]
        if len(keys) != len(shown):  # a word whose key and wording split differently
            keys, shown = [w.key for w in chunk], [w.surface for w in chunk]
        for start in range(len(keys)):
            for end in range(start + 1, min(len(keys), start + longest) + 1):
                out.setdefault(tuple(keys[start:end]), " ".join(shown[start:end]))
    return out


def shared_phrases(
    demand_text: str,
    demand_language: str,
    offer_text: str,
    offer_language: str,
    limit: int = MAX_CHIPS,
) -> list[tuple[str, str]]:
    """Phrases of the demand (whole words of it) that the offer also says, as (demand's
    wording, offer's wording), longest first. The offer may hold them inside longer words:
    the demand's "sấy chè" is in the offer's "máy sấy chè"."""
    offer_runs = _runs(offer_text, offer_language)
    scored = []
    for order, phrase in enumerate(candidates(demand_text, demand_language)):
        key = tuple(syllable for word in phrase.key for syllable in word.split(" "))
        wording = offer_runs.get(key)
        if wording is not None:
            other = Phrase(wording, key, frozenset(), phrase.weight)
            scored.append(((-phrase.weight, order), phrase, other))
    return [(left.text, right.text) for left, right in _pick(scored, limit)]


Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows


def paired_phrases(
    demand_text: str,
    demand_language: str,
    offer_text: str,
    offer_language: str,
    embed: Embed | None = None,
    limit: int = MAX_CHIPS,
    per_side: int = PER_SIDE,
) -> list[tuple[str, str]]:
    """Shared phrases, then (with `embed`) each remaining demand phrase paired with the offer
    phrase of the same meaning: the chips of a pair, at most `limit`.

    e5 puts any two short phrases at cosine 0.8-0.9, so a raw threshold cannot tell
    "bơm nhiệt"/"heat-pump" (0.91) from "chè xanh"/"coal" (0.82). A pair is kept when each
    phrase is the other's best match and it stands out of both phrases' rows of cosines
    (mean z-score >= PAIR_Z), the way the ranking calibrates whole texts.
    """
    pairs = shared_phrases(demand_text, demand_language, offer_text, offer_language, limit)
    if embed is None or len(pairs) >= limit:
        return pairs
    left = _distinct(
        candidates(demand_text, demand_language, PAIR_WORDS), {p[0] for p in pairs}, per_side
    )
    right = _distinct(
        candidates(offer_text, offer_language, PAIR_WORDS), {p[1] for p in pairs}, per_side
    )
    if len(left) < 2 or len(right) < 2:
        return pairs
    vectors = np.asarray(embed([p.text for p in left] + [p.text for p in right]), dtype=np.float64)
    cos = vectors[: len(left)] @ vectors[len(left) :].T
    z_rows = (cos - cos.mean(axis=1, keepdims=True)) / (cos.std(axis=1, keepdims=True) + 1e-6)
    z_cols = (cos - cos.mean(axis=0, keepdims=True)) / (cos.std(axis=0, keepdims=True) + 1e-6)
    z = (z_rows + z_cols) / 2
    scored = []
    for i, a in enumerate(left):
        j = int(np.argmax(z[i]))
        if int(np.argmax(z[:, j])) == i and z[i, j] >= PAIR_Z and cos[i, j] >= PAIR_FLOOR:
            scored.append(((-round(float(z[i, j]), 4), i), a, right[j]))
    for a, b in _pick(scored, limit - len(pairs)):
        pairs.append((a.text, b.text))
    return pairs


def bridged_phrases(
    demand_text: str,
    offer_text: str,
    offer_language: str,
    offer_text_vi: str,
    embed: Embed | None = None,
    limit: int = MAX_CHIPS,
    per_side: int = PER_SIDE,
) -> list[tuple[str, str]]:
    """Chips of a Vietnamese demand and a foreign offer that carries a Vietnamese title or
    summary: the phrases the demand shares with that Vietnamese text (the offer's own words,
    so no guess), each shown with the offer-language phrase it translates when the model
    finds one (else the Vietnamese phrase alone)."""
    found = shared_phrases(demand_text, "vi", offer_text_vi, "vi", limit)
    if embed is None or not found:
        return found
    right = _distinct(candidates(offer_text, offer_language, PAIR_WORDS), set(), per_side)
    if len(right) < 2:
        return found
    vectors = np.asarray(embed([p[1] for p in found] + [p.text for p in right]), dtype=np.float64)
    cos = vectors[: len(found)] @ vectors[len(found) :].T
    z = (cos - cos.mean(axis=1, keepdims=True)) / (cos.std(axis=1, keepdims=True) + 1e-6)
    out, used = [], set()
    for i, (mine, _theirs) in enumerate(found):
        j = int(np.argmax(cos[i]))
        if j not in used and z[i, j] >= BRIDGE_Z and cos[i, j] >= BRIDGE_FLOOR:
            used.add(j)
            out.append((mine, right[j].text))
        else:
            out.append((mine, mine))
    return out


def _distinct(phrases: list[Phrase], taken: set[str], limit: int) -> list[Phrase]:
    """Up to `limit` phrases of distinct wording, most specific first (ties: text order),
    none inside a phrase already shown. Codes (CNC, QCVN, WC-Co) pair only when both texts
    write them: the model finds "CNC" and "CTCN" alike."""
    seen = set(taken)
    out = []
    for _weight, _order, phrase in sorted((-p.weight, i, p) for i, p in enumerate(phrases)):
        if phrase.text in seen or any(phrase.text in t or t in phrase.text for t in taken):
            continue
        if any(sum(c.isupper() for c in token) >= 2 for token in phrase.text.split()):
            continue
        seen.add(phrase.text)
        out.append(phrase)
        if len(out) == limit:
            break
    return out
