"""Text normalisation for Vietnamese and English: NFC, tone placement, folding, tokens.

A plain library under every app (no Django, no project import): portal/text.py gives it to
forms and search, matching/engine/ to the ranking, so all read Vietnamese the same way.

Own implementation rather than underthesea.text_normalize: underthesea costs ~0.5 s to import
and re-spaces punctuation ("(IoT)" -> "( IoT )"), which we don't want in stored form text.
This module only touches syllables that carry a tone mark, so English text passes unchanged.
Tone placement follows the traditional style used by underthesea ("hòa", "thủy", "hoạt").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot
_VOWELS = frozenset("aeiouy")
# Circumflex, breve and horn make a vowel the tone carrier (â ă ê ô ơ ư).
_QUALITY_MARKS = frozenset("\u0302\u0306\u031b")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_TOKEN_SPLIT_RE = re.compile(r"([a-z0-9]+(?:[.,][0-9]+)*)")  # tokens at odd indexes
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


# Vietnamese stopwords are matched with their diacritics (folded "da" could be đá, stone);
# English ones on the folded token.
VI_STOPWORDS = frozenset(
    [
        "và",
        "của",
        "các",
        "cho",
        "là",
        "có",
        "được",
        "trong",
        "với",
        "một",
        "những",
        "này",
        "như",
        "để",
        "khi",
        "từ",
        "tại",
        "thì",
        "theo",
        "về",
        "đến",
        "đã",
        "sẽ",
        "đang",
        "còn",
        "hay",
        "hoặc",
        "cũng",
        "nên",
        "vào",
        "ra",
        "bằng",
        "trên",
        "dưới",
        "sau",
        "trước",
        "bởi",
        "vì",
        "do",
        "nếu",
        "mà",
        "mỗi",
        "nhiều",
        "rất",
        "lại",
        "chỉ",
        "ở",
        "cái",
        "việc",
        "sự",
        "hơn",
        "đó",
        "đây",
        "nào",
    ]
)
EN_STOPWORDS = frozenset(
    [
        "a",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "will",
        "we",
        "you",
        "your",
        "they",
        "these",
        "those",
        "than",
        "also",
        "such",
        "other",
        "more",
        "most",
    ]
)
# Folded forms of the Vietnamese stopwords: only tokens among these need their surface checked.
_VI_STOPWORDS_FOLDED = frozenset(
    unicodedata.normalize("NFD", w.replace("đ", "d")).encode("ascii", "ignore").decode()
    for w in VI_STOPWORDS
)


def _split_marks(ch: str) -> tuple[str, set[str]]:
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0], set(decomposed[1:])


@lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    """Move the tone mark of one syllable onto its canonical vowel."""
    letters = [_split_marks(ch) for ch in word]
    tones = [m for _, marks in letters for m in marks if m in _TONE_MARKS]
    if len(tones) != 1:
        return word  # no tone (or not a Vietnamese syllable): leave untouched
    tone = tones[0]
    for _, marks in letters:
        marks.discard(tone)
    bases = [base.lower() for base, _ in letters]

    # Nucleus = first run of vowels; "qu" and "gi"+vowel count as initial consonants.
    start = next((i for i, b in enumerate(bases) if b in _VOWELS), None)
    if start is None:
        return word
    if (start > 0 and bases[start - 1] == "q" and bases[start] == "u") or (
        start > 0
        and bases[start - 1] == "g"
        and bases[start] == "i"
        and start + 1 < len(bases)
        and bases[start + 1] in _VOWELS
    ):
        start += 1
    end = start
    while end < len(bases) and bases[end] in _VOWELS:
        end += 1
    nucleus = list(range(start, end))
    if not nucleus:  # e.g. "gì": the i is the nucleus after all
        nucleus = [start - 1]
        end = start
    has_final = end < len(bases)

    marked = [i for i in nucleus if letters[i][1] & _QUALITY_MARKS]
    if marked:
        target = marked[-1]  # "ươ" carries the tone on ơ
    elif len(nucleus) >= 3:
        target = nucleus[1]
    elif len(nucleus) == 2:
        target = nucleus[1] if has_final else nucleus[0]
    else:
        target = nucleus[0]
    letters[target][1].add(tone)

    out = []
    for base, marks in letters:
        # Canonical combining order: quality mark before tone; NFC recomposes either way.
        ordered = sorted(marks, key=lambda m: (m in _TONE_MARKS, m))
        out.append(base + "".join(ordered))
    return unicodedata.normalize("NFC", "".join(out))


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isascii():
        return word
    return _place_tone(word)


def normalize_text(s: str) -> str:
    """NFC and canonical Vietnamese tone placement; whitespace collapsed, nothing else."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s)
    s = _WORD_RE.sub(_fix_word, s)
    return " ".join(s.split())


def fold(s: str) -> str:
    """Lowercase, strip all diacritics, map đ to d ("Chè Thái Nguyên" -> "che thai nguyen")."""
    s = s.lower()
    if s.isascii():
        return s
    return _COMBINING_RE.sub("", unicodedata.normalize("NFD", s.replace("đ", "d")))


def stem(token: str) -> str:
    # Vietnamese syllables never end in "s", so this light plural strip only touches English.
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens_with_surface(s: str) -> list[tuple[str, str]]:
    """(token, surface) pairs: folded unigrams plus adjacent bigrams joined by "_".

    Bigrams let multi-syllable Vietnamese words ("chè xanh" -> "che_xanh") match as units
    without a word segmenter; they only join words adjacent in the text.
    """
    text = normalize_text(s)
    folded = fold(text).replace("_", " ")
    lowered = text.lower().replace("_", " ")
    same_length = len(folded) == len(lowered)
    out: list[tuple[str, str]] = []
    prev: tuple[str, str, int] | None = None
    for m in _TOKEN_RE.finditer(folded):
        raw = m.group(0)
        surface = lowered[m.start() : m.end()] if same_length else raw
        if (
            (raw in EN_STOPWORDS and surface.isascii())
            or surface in VI_STOPWORDS
            or (len(raw) < 2 and not raw.isdigit())
        ):
            prev = None
            continue
        tok = stem(raw)
        out.append((tok, surface))
        if prev is not None and prev[2] == m.start() - 1 and folded[prev[2]] in " -":
            out.append((f"{prev[0]}_{tok}", f"{prev[1]} {surface}"))
        prev = (tok, surface, m.end())
    return out


def tokens(s: str) -> list[str]:
    """Vietnamese-aware search tokens of `s` (folded unigrams and adjacent bigrams).

    The same tokens as tokens_with_surface(s), without building the surface forms: this is
    what indexing 100,000 documents runs, so it looks at a surface only for a stopword.
    """
    text = normalize_text(s)
    folded = fold(text).replace("_", " ")
    parts = _TOKEN_SPLIT_RE.split(folded)  # separator, token, separator, ..., separator
    lowered: str | None = None
    out: list[str] = []
    prev: str | None = None
    pos = len(parts[0])
    for i in range(1, len(parts), 2):
        raw, start = parts[i], pos
        pos += len(raw) + len(parts[i + 1])
        if (
            raw in EN_STOPWORDS
            or raw in _VI_STOPWORDS_FOLDED
            or (len(raw) < 2 and not raw.isdigit())
        ):
            if lowered is None:
                lowered = text.lower().replace("_", " ")
            surface = lowered[start : start + len(raw)] if len(lowered) == len(folded) else raw
            if (
                (raw in EN_STOPWORDS and surface.isascii())
                or surface in VI_STOPWORDS
                or (len(raw) < 2 and not raw.isdigit())
            ):
                prev = None
                continue
        tok = stem(raw)
        out.append(tok)
        if prev is not None:
            out.append(f"{prev}_{tok}")
        prev = tok if parts[i + 1] in (" ", "-") else None
    return out


def has_vietnamese_diacritics(s: str) -> bool:
    """True if `s` contains any letter with a Vietnamese tone or quality mark, or đ."""
    return any(not ch.isascii() and ch.isalpha() and fold(ch) != ch.lower() for ch in s)


# Function words that tell Latin-script languages apart (a text of 30+ words holds several).
_FUNCTION_WORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "for",
            "with",
            "to",
            "in",
            "is",
            "are",
            "that",
            "by",
            "from",
            "on",
            "as",
            "an",
            "this",
            "which",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "mit",
            "für",
            "von",
            "zu",
            "zur",
            "zum",
            "ist",
            "sind",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einer",
            "eines",
            "nicht",
            "auf",
            "bei",
            "aus",
            "sich",
            "werden",
            "wird",
            "über",
            "durch",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "et",
            "pour",
            "avec",
            "dans",
            "une",
            "est",
            "du",
            "au",
            "aux",
            "sur",
            "par",
            "qui",
            "que",
            "sont",
            "ces",
            "leur",
        ]
    ),
}


def detect_language(s: str) -> str:
    """ "vi", "de", "fr" or "en": Vietnamese by the share of words with Vietnamese marks
    (unaccented Vietnamese reads as en), the others by their function words.

    Vietnamese prose marks well over half its syllables; English with a few place names
    ("Thái Nguyên") stays far below the 0.4 threshold. A German offer was read as English
    before, and calibrated with English texts' mean direction.
    """
    words = _WORD_RE.findall(unicodedata.normalize("NFC", s))
    if not words:
        return "en"
    marked = sum(1 for w in words if not w.isascii() and fold(w) != w.lower())
    if marked / len(words) >= 0.4:
        return "vi"
    lowered = [w.lower() for w in words]
    counts = {lang: sum(w in vocab for w in lowered) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] > counts["en"] else "en"
