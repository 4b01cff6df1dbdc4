"""Reasons in the reader's language: the engine gives codes and numbers, gettext the words.

The one place for the wording of a match's chips. A stored reason is {"code", "params"}, so
rows written by an older engine read with today's wording; codes that no longer mean anything
to a reader ("keywords" of syllable pairs, "text_similarity" percentiles) are dropped.

Key phrases are not stored: they are a function of the two texts, computed when a page shows
the pair (see match_chips) and cached, so a full rebuild pays nothing for them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import lru_cache

import numpy as np
from django.core.cache import cache
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django_countries import countries

from accounts import permissions
from portal.models import CooperationType, Field, TechnologyReadinessLevel

from .engine.phrase_pairs import MAX_CHIPS, bridged_phrases, paired_phrases, shared_phrases
from .engine.scoring import score_band

logger = logging.getLogger(__name__)

# Old engines' codes, dropped when read: bigram "shared terms" and "top x %" say nothing.
RETIRED = frozenset({"keywords", "text_similarity"})
# Embedding time one page may spend pairing phrases across languages (the model embeds one
# phrase in ~5 ms); the pairs left over get theirs on a later view (results are cached).
PAIRING_BUDGET_S = 0.4
PHRASES_TTL = 30 * 24 * 3600  # a pair's phrases change only when one of its texts does


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def band_label(score: float) -> str:
    band = score_band(score or 0.0)
    return {
        "strong": pgettext("similarity", "Strong match"),
        "likely": pgettext("similarity", "Likely answer"),
        "possible": pgettext("similarity", "Possibly related"),
        "weak": pgettext("similarity", "Weakly related"),
    }[band]


@lru_cache(maxsize=1)
def _field_names() -> dict[str, tuple[str, str]]:
    """Reference data, read once per process."""
    return {f.code: (f.name_vi, f.name_en) for f in Field.objects.all()}


@lru_cache(maxsize=1)
def _trl_names() -> dict[int, tuple[str, str]]:
    return {t.level: (t.name_vi, t.name_en) for t in TechnologyReadinessLevel.objects.all()}


@lru_cache(maxsize=1)
def _cooperation_names() -> dict[str, tuple[str, str]]:
    names = {c.code: (c.name_vi, c.name_en) for c in CooperationType.objects.all()}
    names.setdefault("equipment_sale", names.get("equipment_purchase", ("", "")))
    return names


def _named(names: dict, key, fallback: str = "") -> str:
    pair = names.get(key)
    return pair[_english()] if pair else fallback


def _field(code: str) -> str:
    name = _named(_field_names(), str(code))
    return f"{name} ({code})" if name else str(code)


def _trl(level) -> str:
    try:
        name = _named(_trl_names(), int(level))
    except (TypeError, ValueError):
        name = ""
    return f"{name[:1].lower()}{name[1:]} (TRL {level})" if name else f"TRL {level}"


def _country(code: str) -> str:
    # django-countries' names in the active language; the project catalogue corrects the
    # Vietnamese ones it gets wrong (Jersey read "Áo", Iceland "Ai-len").
    return countries.name(str(code).upper()) or str(code)


def _cooperation(codes) -> str:
    names = _cooperation_names()
    return ", ".join(_named(names, c, c) for c in codes)


def _text(code: str, p: dict) -> str | None:
    if code == "same_field":
        return _("same field: %(field)s") % {"field": _field(p["code"])}
    if code == "same_area":
        return _("same field group: %(field)s") % {"field": _field(p["code"])}
    if code == "trl_fit":
        return _("%(level)s ≥ the required level %(min)s") % {
            "level": _trl(p["trl"]),
            "min": p["min"],
        }
    if code == "trl_low":
        return _("%(level)s, below the required level %(min)s") % {
            "level": _trl(p["trl"]),
            "min": p["min"],
        }
    if code == "cooperation":
        return _("cooperation: %(types)s") % {"types": _cooperation(p.get("types") or [])}
    if code == "country":
        return _("preferred country: %(country)s") % {"country": _country(p["country"])}
    if code == "expired":
        return _("offer expired on %(valid_until)s") % p
    return None


def render_reason(reason: dict) -> str | None:
    """The words of one stored reason, or None for a code a reader should not see."""
    code = reason.get("code", "")
    if code in RETIRED:
        return None
    try:
        return _text(code, dict(reason.get("params") or {}))
    except (KeyError, TypeError, ValueError):  # a row from an engine with other params
        return None


def render_reasons(reasons: list[dict]) -> list[str]:
    """The stored (structured) reasons in words; retired and unknown codes are left out."""
    return [text for text in (render_reason(r) for r in reasons or []) if text]


# --- key phrases --------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def demand_text(demand) -> str:
    from .corpus import demand_text as body

    return f"{demand.title}. {body(demand)}"


def offer_text(offer) -> str:
    """The offer in its own language only: its Vietnamese title and summary bridge apart."""
    parts = [
        offer.title,
        offer.summary,
        offer.description,
        offer.advantages,
        offer.applications,
        offer.keywords,
    ]
    return ". ".join(p for p in parts if p)


# Offer languages whose phrases the model may pair with the demand's ("bơm nhiệt ↔ heat-pump
# dryer"). For Japanese, Korean, German or French offers it guessed wrong too often ("mạch in ↔
# direkt", "máy ép nhựa ↔ 전자부품 공장") in words a Vietnamese firm cannot check: those show
# the phrases the demand shares with the offer's Vietnamese title and summary, alone.
READABLE_PAIRING = ("en",)


class _PhraseVectors:
    """Embeds phrases through the shared cache: a demand's phrases are embedded once for all
    the offers on its page, and every process reuses what another embedded."""

    def __init__(self, model) -> None:
        self.model = model
        self.spent = 0.0

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = {t: f"phrase-vec:{self.model.model_version}:{_digest(t)}" for t in texts}
        found = cache.get_many(list(keys.values()))
        missing = [t for t in dict.fromkeys(texts) if keys[t] not in found]
        if missing:
            started = time.perf_counter()
            # "passage: " on both sides: symmetric phrase-to-phrase similarity.
            rows = self.model.embed_passages(missing)
            self.spent += time.perf_counter() - started
            fresh = {
                keys[t]: row.astype(np.float32).tobytes()
                for t, row in zip(missing, rows, strict=True)
            }
            cache.set_many(fresh, PHRASES_TTL)
            found.update(fresh)
        return np.stack([np.frombuffer(found[keys[t]], dtype=np.float32) for t in texts])


def phrase_pairs_for(
    matches, *, budget_s: float = PAIRING_BUDGET_S
) -> dict[int, list[tuple[str, str]]]:
    """Key phrases of each match (by pk): shared words; across languages, the phrases the
    demand shares with the offer's Vietnamese title and summary, or (without those) each
    side's phrases paired by the embedding model, while the page's budget lasts."""
    from .corpus import embedder

    out: dict[int, list[tuple[str, str]]] = {}
    crossing = [m for m in matches if (m.demand.language or "vi") != (m.offer.language or "en")]
    model = embedder() if crossing and budget_s > 0 else None
    vectors = _PhraseVectors(model) if model is not None else None
    # Pairs made without the model are cached apart, so they are redone once it is there.
    tag = model.model_version if model is not None else "lexical"
    jobs = {}
    for match in matches:
        demand, offer = match.demand, match.offer
        d_text, o_text = demand_text(demand), offer_text(offer)
        d_lang, o_lang = demand.language or "vi", offer.language or "en"
        o_vi = ""
        if d_lang == "vi" and o_lang != "vi":
            o_vi = ". ".join(t for t in (offer.title_vi, offer.summary_vi) if t)
        key = (
            f"reason-phrases:v2:{tag}:{_digest(d_lang + d_text)}:{_digest(o_lang + o_text + o_vi)}"
        )
        jobs[match.pk] = (key, d_text, d_lang, o_text, o_lang, o_vi)
    cached = cache.get_many([job[0] for job in jobs.values()])
    for pk, (key, d_text, d_lang, o_text, o_lang, o_vi) in jobs.items():
        if key in cached:
            out[pk] = [tuple(p) for p in cached[key]]
            continue
        complete = True
        embed = None
        if o_lang not in READABLE_PAIRING:
            pass  # the Vietnamese side alone (or the offer's Vietnamese text): no guess
        elif d_lang != o_lang and vectors is not None:
            if vectors.spent < budget_s:
                embed = vectors
            else:
                complete = False  # out of time on this page: the next view pairs them
        elif d_lang != o_lang and budget_s <= 0:
            complete = False  # a list of rows does not pair; a match's own page will
        if o_vi:
            pairs = shared_phrases(d_text, d_lang, o_text, o_lang, limit=2)  # codes (PCB, IoT)
            seen = {p[0].lower() for p in pairs}
            pairs += [
                p
                for p in bridged_phrases(d_text, o_text, o_lang, o_vi, embed)
                if p[0].lower() not in seen
            ][: MAX_CHIPS - len(pairs)]
        else:
            pairs = paired_phrases(d_text, d_lang, o_text, o_lang, embed)
        out[pk] = pairs
        # Without the model the pairs are final under the "lexical" tag (a list of rows asks
        # for them again at every view: 40 rows cost ~50 ms to recompute).
        if complete or model is None:
            cache.set(key, [list(p) for p in pairs], PHRASES_TTL)
    return out


def phrase_chip(pair: tuple[str, str]) -> str:
    left, right = pair
    return left if left.lower() == right.lower() else f"{left} ↔ {right}"


def match_chips(match, phrases: list[tuple[str, str]] | None = None) -> list[str]:
    """What a reader sees under a match: the similarity in words, the key phrases, then the
    structured reasons (field, TRL, cooperation, country, validity)."""
    chips = [band_label(match.score)]
    chips += [phrase_chip(p) for p in phrases or []]
    chips += render_reasons(match.reasons)
    return chips


def attach_chips(
    matches, *, user=None, with_phrases: bool = True, budget_s: float = PAIRING_BUDGET_S
) -> list:
    """Set `chips` on each match (one phrase pass and one cache read for the whole list;
    `budget_s` 0 pairs nothing across languages, as a list of rows)."""
    matches = list(matches)
    try:
        visible = [m for m in matches if phrases_visible(m, user)]
        pairs = phrase_pairs_for(visible, budget_s=budget_s) if with_phrases else {}
    except Exception:  # the chips must never break a page: log and show the rest
        logger.exception("key phrases could not be computed")
        pairs = {}
    for match in matches:
        match.chips = match_chips(match, pairs.get(match.pk))
    return matches


def phrases_visible(match, user=None) -> bool:
    """A confidential demand's words stay hidden from those who may not see the demand: asked
    of the permission module when the reader is known, else only where the caller said so."""
    if getattr(match.demand, "visibility", "") != "confidential":
        return True
    if user is not None:
        return permissions.can(user, "demand.view_identity", match.demand)
    return bool(getattr(match, "demand_identity_shown", False))


WARM_BUDGET_S = 20.0  # a worker may spend this long pairing one record's list


def warm_phrases(*, demand_id: int | None = None, offer_id: int | None = None) -> int:
    """Pair the key phrases of one record's listed matches ahead of the first page view (the
    worker runs this after matching the record): the page then shows the same chips from its
    first view instead of pairing within its own time budget. Returns the matches warmed."""
    from .models import Match

    matches = Match.objects.exclude(status=Match.Status.REJECTED).select_related("demand", "offer")
    if demand_id is not None:
        matches = matches.filter(demand_id=demand_id)
    else:
        matches = matches.filter(offer_id=offer_id)
    listed = list(matches.order_by("-score", "id")[:20])
    phrase_pairs_for(listed, budget_s=WARM_BUDGET_S)
    return len(listed)
