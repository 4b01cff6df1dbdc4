"""Text helpers shared by demands, offers and search.

One implementation, the pure-Python `vitext` library the matching engine uses too, so a form, a
search box and the ranking all read Vietnamese the same way.
"""

from vitext import (
    detect_language,
    fold,
    has_vietnamese_diacritics,
    normalize_text,
)

__all__ = ["detect_language", "fold", "has_vietnamese_diacritics", "normalize_text", "search_blob"]


def search_blob(*texts: str) -> str:
    """The folded text stored in `search_text` columns: "Chè xanh" -> "che xanh"."""
    return fold(" ".join(t for t in texts if t))
