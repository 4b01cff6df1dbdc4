"""Key phrases of one text, as a person would name them (phrase_pairs.py matches two texts).

A phrase is 1-3 whole words between punctuation, numbers and stop words: it never spans a
comma, never holds a bare number, and (Vietnamese) is built from listed words only, so it
cannot join the end of one word with the start of the next (see vi_words.py). Pure and cheap:
~0.4 ms for a 130-word text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vitext import EN_STOPWORDS, VI_STOPWORDS, has_vietnamese_diacritics, normalize_text, stem

from .vi_words import COMPOUNDS, GENERIC, LEADING_VERBS, SINGLES, listed

MAX_WORDS = 3  # words in one phrase
_MAX_COMPOUND = max(len(w.split()) for w in COMPOUNDS)
_BREAK_RE = re.compile(r"([^\w\s'\-]|_|\n)")
_CJK_RUN_RE = re.compile(r"[\u3005\u30a0-\u30ff\u4e00-\u9fff\u30fc]{2,}")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
# Korean particles and endings stripped from a word, longest first.
_KO_PARTICLES = tuple(
    sorted(
        listed(
            "에서는 으로는 에서 으로 에게 부터 까지 하는 하여 하고 를 을 는 은 이 가 의 에 로 와 과 도 및 한"
        ),
        key=lambda p: (-len(p), p),
    )
)
# Vietnamese words that join or qualify, besides the search stop words: they end a phrase.
_VI_FUNCTION_WORDS = listed(
    "cần muốn tìm dùng giúp gồm không chưa đều đa nhằm qua tới cùng bị vừa hoặc thay giữa "
    "xuống lên hết rồi đi lấy đưa nhờ phải cả toàn tất mọi ít thấp cao lớn nhỏ mới cũ tốt "
    "nhanh chậm đạt kèm thành sang hàng từng loại khoảng gần trên dưới"
)
_DE_STOPWORDS = listed(
    "der die das und mit für von zu zur zum im in den dem des ein eine einer eines einem einen "
    "ist sind auf aus bei durch nach über unter wie als oder auch nicht sich werden wird am an "
    "vom bis so dass es sie er wir ihr kann können"
)
# English words that link or qualify rather than name: they end a phrase like a stop word.
_EN_WEAK = listed(
    "new high low using used use uses based help helps provide provides providing allow allows "
    "enable enables make makes made well up per all any each not no it its but over under after "
    "before between through while where when how what who one two three via within without about "
    "only both there them he she his her do does did so if an very less cost costs reduce reduces "
    "reducing improve improves increase increases small large want wants need needs seek seeks "
    "looking like same many much into out off against across around"
)
_PLACES = listed(
    "japan china korea germany france vietnam usa israel taiwan india netherlands finland "
    "japanese chinese korean german french vietnamese israeli dutch european asia europe"
)
_EN_GENERIC = listed(
    "technology technologies system systems solution solutions company companies process "
    "processes product products equipment method methods application applications service services "
    "enterprise enterprises project projects factory factories operation operations quality "
    "efficiency efficient energy processing line team model study test tested type types unit units production water"
)


@dataclass(frozen=True)
class Word:
    surface: str
    key: str
    generic: bool
    syllables: int
    position: int  # index of its first token in the text, to tell overlapping phrases apart


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in its record
    key: tuple[str, ...]  # the words' keys: equal keys name the same phrase
    positions: frozenset[int]  # token positions it covers
    weight: int  # syllables of its non-generic words: longer and more specific first


def _is_foreign_token(token: str) -> bool:
    """A Latin word inside Vietnamese text that is not a Vietnamese syllable (IoT, Johkasou)."""
    return (
        token.isascii()
        and len(token) >= 3
        and (any(c in "fjwz" for c in token.lower()) or sum(c.isupper() for c in token) >= 2)
    )


def _display(token: str) -> str:
    # Acronyms and mixed case (IoT, CNC) keep their case; a capital at a sentence start goes.
    return token if sum(c.isupper() for c in token) >= 2 else token.lower()


def _segments(text: str) -> list[list[tuple[str, int, bool]]]:
    """Runs of (token, position, starts a sentence) between punctuation, numbers, line breaks."""
    out: list[list[tuple[str, int, bool]]] = []
    position = 0
    pieces = _BREAK_RE.split(normalize_text_keep_lines(text))  # part, separator, part, ...
    for index in range(0, len(pieces), 2):
        part = pieces[index]
        sentence = index == 0 or pieces[index - 1] in ".!?:\n"
        run: list[tuple[str, int, bool]] = []
        after_number = False
        for raw in part.split():
            token = raw.strip("-'")
            position += 1
            if not token or any(c.isdigit() for c in token):
                if run:
                    out.append(run)
                run, after_number, sentence = [], True, False
                continue
            if after_number and len(token) <= 4:  # a unit: "110 kWh", "1.200 kg"
                after_number = False
                continue
            after_number = False
            run.append((token, position, sentence))
            sentence = False
        if run:
            out.append(run)
        position += 1  # a break between parts: positions never touch across it
    return out


def normalize_text_keep_lines(text: str) -> str:
    return "\n".join(normalize_text(line) for line in (text or "").splitlines())


def _vietnamese_words(run: list[tuple[str, int, bool]]) -> list[list[Word]]:
    """Split one run into chunks of listed words (longest compound first).

    A one-syllable word next to an unknown syllable is dropped too: it is most likely half
    of a compound the list lacks ("phân" of "phân tán", "hoa" of "Hoa Kỳ").
    """
    lowered = [t.lower() for t, _, _ in run]
    items: list[Word | str] = []  # a Word, "stop" or "unknown"
    i = 0
    while i < len(run):
        word = None
        for size in range(min(_MAX_COMPOUND, len(run) - i), 0, -1):
            candidate = " ".join(lowered[i : i + size])
            if size == 1 and (candidate in VI_STOPWORDS or candidate in _VI_FUNCTION_WORDS):
                break  # after the compounds: "không khí" is a word, "không" alone is not
            if (size > 1 and candidate in COMPOUNDS) or (size == 1 and candidate in SINGLES):
                word = Word(candidate, candidate, candidate in GENERIC, size, run[i][1])
                break
        if word is None and (lowered[i] in VI_STOPWORDS or lowered[i] in _VI_FUNCTION_WORDS):
            items.append("stop")
            i += 1
            continue
        if word is None and _is_foreign_token(run[i][0]):
            token = run[i][0]
            word = Word(_display(token), stem(token.lower()), False, 2, run[i][1])
            items.append(word)
            i += 1
            continue
        items.append(word if word is not None else "unknown")
        i += word.syllables if word is not None else 1
    chunks: list[list[Word]] = []
    chunk: list[Word] = []
    for k, item in enumerate(items):
        lone = (
            isinstance(item, Word)
            and item.syllables == 1
            and (
                (k > 0 and items[k - 1] == "unknown")
                or (k + 1 < len(items) and items[k + 1] == "unknown")
            )
        )
        if isinstance(item, Word) and not lone:
            chunk.append(item)
        elif chunk:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


def _latin_words(run: list[tuple[str, int, bool]], language: str) -> list[list[Word]]:
    chunks: list[list[Word]] = []
    chunk: list[Word] = []
    # English capitalises names, not things: a capital past a sentence's first word is a
    # brand or a place (Kawasaki, Wattsense). A Title Case heading loses words, not accuracy.
    for token, position, sentence in run:
        lower = token.lower()
        name = (
            language == "en"
            and not sentence
            and token[:1].isupper()
            and sum(c.isupper() for c in token) == 1
        ) or (not token.isascii() and has_vietnamese_diacritics(token))  # a Vietnamese place
        stop = name or (
            lower in EN_STOPWORDS
            or lower in _EN_WEAK
            or lower in _DE_STOPWORDS
            or lower in VI_STOPWORDS
            or len(lower) < 2
            or not any(c.isalpha() for c in lower)
            or lower in _PLACES
        )
        if stop:
            if chunk:
                chunks.append(chunk)
            chunk = []
            continue
        key = stem(lower)
        display = token if language == "de" else _display(token)
        # One Latin word counts as two syllables: "dryer" alone is a phrase, "sấy" alone is not.
        chunk.append(
            Word(
                display,
                key,
                key in _EN_GENERIC or lower in _EN_GENERIC or len(lower) < 4,
                2,
                position,
            )
        )
    if chunk:
        chunks.append(chunk)
    return chunks


def _korean_words(run: list[tuple[str, int, bool]]) -> list[list[Word]]:
    chunk: list[Word] = []
    for token, position, _sentence in run:
        if not _HANGUL_RE.search(token):
            continue
        stem = token
        for particle in _KO_PARTICLES:
            if stem.endswith(particle) and len(stem) - len(particle) >= 2:
                stem = stem[: -len(particle)]
                break
        if len(stem) >= 2 and stem not in _KO_PARTICLES:
            chunk.append(Word(stem, stem, False, 2, position))
    return [chunk] if chunk else []


def words(text: str, language: str) -> list[list[Word]]:
    """Chunks of consecutive words that phrases are cut from."""
    if language in ("ja", "zh"):
        found = [
            Word(m.group(0), m.group(0), False, 2, i)
            for i, m in enumerate(_CJK_RUN_RE.finditer(text))
        ]
        return [[w] for w in found]
    chunks: list[list[Word]] = []
    for run in _segments(text):
        if language == "ko":
            chunks.extend(_korean_words(run))
        elif language == "vi":
            chunks.extend(_vietnamese_words(run))
        else:
            chunks.extend(_latin_words(run, language))
    return chunks


def candidates(text: str, language: str, max_words: int = MAX_WORDS) -> list[Phrase]:
    """Every phrase of 1-3 words a chip may show, in text order (title first)."""
    out: list[Phrase] = []
    # English and German put a phrase's head last: a phrase ends where its chunk ends.
    # Vietnamese puts it first, and its listed words make any run of them whole.
    head_last = language not in ("vi", "ko", "ja", "zh")
    for chunk in words(text, language):
        for start in range(len(chunk)):
            for size in range(1, min(max_words, len(chunk) - start) + 1):
                if head_last and start + size != len(chunk):
                    continue  # "green tea leaves": not "green", nor "loose-leaf green"
                part = chunk[start : start + size]
                weight = sum(w.syllables for w in part if not w.generic)
                if weight < 2:  # all generic, or one Vietnamese syllable ("chè", "đa")
                    continue
                if part[0].generic and part[-1].generic and size > 1:
                    continue  # "hệ thống ... công nghệ": a content word lost in generic ones
                if size > 1 and part[0].key in LEADING_VERBS:
                    continue
                out.append(
                    Phrase(
                        " ".join(w.surface for w in part),
                        tuple(w.key for w in part),
                        frozenset(w.position for w in part),
                        weight,
                    )
                )
    return out
