"""PostgreSQL full-text pieces of the catalogue search (portal/search.py).

Each searchable table (offers_offer, demands_demand) carries generated columns, created by its
app's migrations on PostgreSQL only and kept up to date by the database itself wherever the
texts or `search_text` are written (forms, imports, bulk loads):

- `search_folded`: the words of `search_text` (folded: lower-case, no accents), GIN-indexed:
  the filter of a word typed without accents.
- `search_match`: the words with their accents, weighted B when the texts carry no Vietnamese
  accent at all (typed without them, where a bare "che" stands for "chè"), else D;
  GIN-indexed: a word typed with accents is `'chè' | 'che':B`.
- `search_plain`: the texts carry no Vietnamese accent.
- `search_title`: the title's words with their accents; `search_bare`: the words written
  without accents in a text that has some ("PCB", "robot"), empty for a plain text. Both
  small and kept in the row: ranking a thousand found rows reads nothing out of line (0005's
  single vector of every word, read per word out of line, cost 0.5-0.8 s for 7,511 rows).

Words are what the SQLite path's regexes call words: every run of non-letters and non-digits
is a space ("example" is a word of "example.com", "free" of "chemical-free"). The columns are
not model fields: Django never selects them, and a page does not carry kilobytes of vectors
per row. They are read on the queried model's own table through the row's primary key
(`Stored` below), so they follow the query's aliases into subqueries.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Expression, F

FOLDED = "search_folded"
MATCH = "search_match"
PLAIN = "search_plain"
TITLE = "search_title"
BARE = "search_bare"


def tsquery(words: Iterable[str], *, weights: str = "") -> str:
    """`to_tsquery` text requiring every word (`parse`d words hold only letters and digits,
    so quoting them is safe); `weights="B"`: with that weight only."""
    suffix = f":{weights}" if weights else ""
    return " & ".join(f"'{word}'{suffix}" for word in words)


class Stored(Expression):
    """A boolean read from a generated column of the queried row's table: the column itself,
    or `column @@ to_tsquery('simple', query)`."""

    def __init__(self, column: str, query: str | None = None, anchor=None):
        super().__init__(output_field=BooleanField())
        self.column, self.query = column, query
        # The primary key, resolved to the table's alias in this query (relabelled with it).
        self.anchor = F("pk") if anchor is None else anchor

    def get_source_expressions(self):
        return [self.anchor]

    def set_source_expressions(self, exprs):
        (self.anchor,) = exprs

    def as_sql(self, compiler, connection):
        column = (
            f"{compiler.quote_name_unless_alias(self.anchor.alias)}."
            f"{connection.ops.quote_name(self.column)}"
        )
        if self.query is None:
            return column, ()
        return f"{column} @@ to_tsquery('simple', %s)", (self.query,)


def matches(column: str, words: Iterable[str]) -> Stored:
    """Rows whose `column` holds every one of `words`."""
    return Stored(column, tsquery(words))


def typed_as(typed: Iterable[str], folded: Iterable[str]) -> Stored:
    """Rows holding every word as typed (with its accents), or, in a text written without any
    accent, its bare spelling."""
    return Stored(MATCH, f"({tsquery(typed)}) | ({tsquery(folded, weights='B')})")


def plain() -> Stored:
    return Stored(PLAIN)
