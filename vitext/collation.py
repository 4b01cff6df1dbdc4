"""Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.

Letters with a breve, circumflex or horn (ă â ê ô ơ ư) and đ are letters of their own, each
after its base; tone marks only break ties (no tone, huyền, hỏi, ngã, sắc, nặng), then letter
case. So "Ấn Độ" sorts after every "An..." and "Áo", and "Đan Mạch" after "Dominica", not
after "Zimbabwe" as a plain code-point or accent-stripping sort puts it. Letters outside the
Vietnamese alphabet (f, j, w, z) take their Latin place; digits come before letters, spaces
and punctuation before both.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_WITH_QUALITY = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Dictionary order of the tones: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTERS_BASE = 100  # letters rank after digits (10..19) and separators (0)


@lru_cache(maxsize=4096)
def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A sort key putting Vietnamese words in dictionary order (see the module's docstring)."""
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for char in unicodedata.normalize("NFC", text or ""):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        lower = base.lower()
        if lower == "đ":
            letter = "đ"
        else:
            letter = lower
            for mark in marks:
                letter = _WITH_QUALITY.get((letter, mark), letter)
        if letter in _RANK:
            primary.append(_LETTERS_BASE + _RANK[letter])
        elif letter.isdigit():
            primary.append(10 + int(unicodedata.digit(letter, 0)))
        elif letter.isalpha():  # another script, or a Latin letter with its own accent (å, ç)
            folded = unicodedata.normalize("NFD", letter)[0]
            primary.append(_LETTERS_BASE + _RANK.get(folded, len(_ALPHABET) + ord(folded)))
        else:
            primary.append(0)
        tones.append(max((_TONE.get(mark, 0) for mark in marks), default=0))
        cases.append(0 if base == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases)


def sorted_vietnamese(items, key=lambda item: item):
    """`items` sorted by `collation_key(key(item))`."""
    return sorted(items, key=lambda item: collation_key(str(key(item))))
