"""Catalogue search shared by offers and demands: whole words, accents first, then meaning.

A query is split into words. Each word must occur as a whole word (not inside another word:
"che" no longer finds "cheap" or "chemical", "ly" not "only"), read on the folded `search_text`
column so a word typed without accents finds every spelling ("che" finds "chè" and "chế"). A
word typed WITH accents means that word: "chè" finds "chè", or the bare "che" of a text typed
without accents, but not "chế" ("chế tạo", to manufacture), and "tưới" (to irrigate) not
"tươi" (fresh).

Records whose words carry the exact accents rank first, then folded matches, then records found
only by meaning. The meaning part lives in `matching` (it owns the embeddings); it plugs in here
through `register_semantic`, so offers and demands never import matching (see STYLE.md).

Two paths, the same answers:
- PostgreSQL: full-text search on vectors the database keeps beside the texts
  (portal/fulltext.py): found through GIN indexes alone, ranked from small columns of the
  row itself (accents, title), never a regex.
- SQLite (the embedded demo): regex lookups (Django gives SQLite a REGEXP function, Python's
  `re`, Unicode-aware) on the folded column and the texts, with Case/When for ranking.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add, and_, or_

from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from portal import fulltext
from portal.text import fold, normalize_text

logger = logging.getLogger(__name__)

MAX_WORDS = 8
_WORD_RE = re.compile(r"[^\W_]+")

# kind ("offer" / "demand") -> finder(scoped queryset, query text) -> {id: score in (0, 1]}
SemanticFinder = Callable[[QuerySet, str], dict[int, float]]
_semantic: dict[str, SemanticFinder] = {}


def register_semantic(kind: str, finder: SemanticFinder) -> None:
    """Called by the matching app when it is ready: search by meaning for one kind of record."""
    _semantic[kind] = finder


@dataclass(frozen=True)
class Fields:
    text: tuple[str, ...]  # the texts folded into the record's search_text
    title: tuple[str, ...]  # a word found here ranks higher


# What each kind's search reads: the same texts its search_text column folds.
FIELDS = {
    "offer": Fields(
        text=(
            "title",
            "title_vi",
            "summary",
            "summary_vi",
            "description",
            "keywords",
            "provider_name",
        ),
        title=("title", "title_vi"),
    ),
    "demand": Fields(
        text=("title", "problem", "current_situation", "expected_result", "keywords"),
        title=("title",),
    ),
}


@dataclass(frozen=True)
class Word:
    typed: str  # lower-case, NFC, with the accents the user typed
    folded: str

    @property
    def has_accents(self) -> bool:
        return self.typed != self.folded


def parse(text: str) -> list[Word]:
    """The query's distinct words, lower-cased, tone marks placed as stored texts place them."""
    words: list[Word] = []
    for token in _WORD_RE.findall(normalize_text(text or "").lower()):
        word = Word(token, fold(token))
        if word.folded and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _whole(word: str) -> str:
    # \W is Unicode-aware in both engines, so "ơi" is not a word of "tươi".
    return rf"(^|\W){re.escape(word)}(\W|$)"


def _in_any(fields: Sequence[str], word: str) -> Q:
    pattern = _whole(word)
    return reduce(or_, (Q(**{f"{name}__iregex": pattern}) for name in fields))


# Any Vietnamese letter with a diacritic: a text without one was typed without accents.
_VIETNAMESE_MARKED = "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"


def _unaccented(fields: Sequence[str]) -> Q:
    return ~reduce(or_, (Q(**{f"{name}__iregex": _VIETNAMESE_MARKED}) for name in fields))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def word_q(word: Word, *, fields: Sequence[str]) -> Q:
    """Records holding `word` (see the module docstring); `fields`: the texts its search_text
    folds (FIELDS[kind].text), read by the SQLite path."""
    return _lexical([word], fields=fields)


def _lexical(words: Sequence[Word], *, fields: Sequence[str]) -> Q:
    if _postgres():
        # Two GIN queries at most, no row read: a word typed with accents holds its folded
        # spelling too, so only the words typed without accents ask search_folded.
        bare = [w.folded for w in words if not w.has_accents]
        accented = [w for w in words if w.has_accents]
        found = []
        if bare:
            found.append(Q(fulltext.matches(fulltext.FOLDED, bare)))
        if accented:
            found.append(
                Q(fulltext.typed_as([w.typed for w in accented], [w.folded for w in accented]))
            )
        return reduce(and_, found)
    return reduce(and_, (_word_regex_q(w, fields=fields) for w in words))


def _word_regex_q(word: Word, *, fields: Sequence[str]) -> Q:
    # `contains` narrows the rows before the regex keeps whole words only.
    folded = Q(search_text__contains=word.folded, search_text__regex=_whole(word.folded))
    if not word.has_accents:
        return folded
    # Typed with accents: that exact word, or its bare spelling in a text written without any
    # accent (in an accented text, bare "che" is another word: "che" = to cover).
    return folded & (
        _in_any(fields, word.typed) | (_in_any(fields, word.folded) & _unaccented(fields))
    )


def _typed(word: Word, kind: str, *, title: bool = False) -> Q:
    """`word` with the accents typed, in the record's texts (or only in its title).

    On PostgreSQL this reads only the row's small columns, and holds for a row found by its
    words (`_lexical`): a word typed with accents was found as typed unless the text has no
    accent at all; a bare word in a text without accents is written as typed."""
    if _postgres():
        if title:
            return Q(fulltext.matches(fulltext.TITLE, [word.typed]))
        if word.has_accents:
            return ~Q(fulltext.plain())
        return Q(fulltext.plain()) | Q(fulltext.matches(fulltext.BARE, [word.typed]))
    fields = FIELDS[kind].title if title else FIELDS[kind].text
    return _in_any(fields, word.typed)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def search(
    queryset: QuerySet,
    text: str,
    *,
    kind: str,
) -> QuerySet:
    """Records of `queryset` (already scoped to the user) matching `text`, most relevant first.

    Each row carries what `explain` needs: `search_lexical`, `search_exact_<i>` per word,
    `search_semantic`. Relevance: every word found with its exact accents > found folded >
    found by meaning only; words in the title count extra.
    """
    words = parse(text)
    if not words:
        return queryset
    lexical = _lexical(words, fields=FIELDS[kind].text)
    semantic = _semantic_scores(queryset, text, kind)
    exact = {f"search_exact_{i}": _flag(_typed(w, kind)) for i, w in enumerate(words)}
    in_title = [_flag(_typed(w, kind, title=True)) for w in words]
    semantic_score = (
        Case(
            *(When(pk=pk, then=Value(score)) for pk, score in semantic.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
        if semantic
        else Value(0.0, output_field=FloatField())
    )
    n = float(len(words))
    queryset = queryset.filter(lexical | Q(pk__in=list(semantic)) if semantic else lexical)
    queryset = queryset.annotate(
        # Only a row found by meaning may lack the words: the others skip the check.
        search_lexical=(
            Case(
                When(~Q(pk__in=list(semantic)), then=Value(1)),
                When(lexical, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            if semantic
            else Value(1)
        ),
        search_semantic=semantic_score,
        search_title=reduce(add, in_title),
        **exact,
    ).annotate(
        # lexical hits score 1..2.5 (+ meaning), meaning-only hits at most 0.9
        search_relevance=F("search_lexical")
        * (
            Value(1.0)
            + reduce(add, (F(name) for name in exact)) / Value(n)
            + Value(0.5) * F("search_title") / Value(n)
        )
        + Value(0.9) * F("search_semantic")
    )
    return queryset.order_by("-search_relevance", "-pk")


def _semantic_scores(queryset: QuerySet, text: str, kind: str) -> dict[int, float]:
    finder = _semantic.get(kind)
    if finder is None:
        return {}
    try:
        return finder(queryset, text)
    except Exception:  # search by words must keep working whatever happens to the model
        logger.exception("semantic search failed; answering with word matches only")
        return {}


# A meaning-only hit at or above this (relative) score is "same meaning", else "close".
SAME_MEANING = 0.8  # z >= 4.8 (matching/search.py SCALE)


def explain(record, text: str) -> str:
    """Why `record` (a row of `search`) was found, in the reader's language."""
    words = parse(text)
    if not words or not hasattr(record, "search_lexical"):
        return ""
    reasons = []
    if record.search_lexical:
        exact = [w.typed for i, w in enumerate(words) if getattr(record, f"search_exact_{i}", 0)]
        folded = [w.typed for w in words if w.typed not in exact]
        if exact:
            reasons.append(_("contains «%(words)s»") % {"words": " ".join(exact)})
        if folded:
            reasons.append(_("matches without accents: «%(words)s»") % {"words": " ".join(folded)})
    semantic = getattr(record, "search_semantic", 0) or 0
    if semantic and not record.search_lexical:
        reasons.append(_("same meaning") if semantic >= SAME_MEANING else _("close in meaning"))
    return " · ".join(reasons)


def explain_all(records, text: str) -> None:
    """Set `search_reason` on each record of a page (nothing when there is no query)."""
    for record in records:
        record.search_reason = explain(record, text) if text else ""


def lexical_q(text: str, *, fields: Sequence[str]) -> Q | None:
    """Every word of `text` as a whole word (see `search`); None for a query without words."""
    words = parse(text)
    if not words:
        return None
    return _lexical(words, fields=fields)


class SearchLastMixin:
    """For a FilterSet: apply the search after the other filters (the semantic part then picks
    its best hits among the records the filters keep) and an explicit sort after the search."""

    search_param = "q"
    sort_param = "sort"

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        last = [name for name in (self.search_param, self.sort_param) if name in self.filters]
        for name, value in data.items():
            if name not in last:
                queryset = self.filters[name].filter(queryset, value)
        for name in last:
            queryset = self.filters[name].filter(queryset, data.get(name))
        return queryset
