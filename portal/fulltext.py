"""PostgreSQL full-text pieces of the catalogue search (portal/search.py).

Each searchable table (offers_offer, demands_demand) carries three generated columns, created
by its app's migration on PostgreSQL only and kept up to date by the database itself wherever
the texts or `search_text` are written (forms, imports, bulk loads):

- `search_folded`: the words of `search_text` (folded: lower-case, no accents), GIN-indexed;
  the filter of every search.
- `search_exact`: the words of the searched texts lower-cased with their accents, the title's
  words weighted A: "typed with these accents" and "in the title", read per row for ranking.
- `search_plain`: true when those texts carry no Vietnamese accent at all (typed on a keyboard
  without them), where a bare "che" may stand for "chè".

Both vectors are built from the texts with every run of non-letters and non-digits replaced by
a space, so words are what the SQLite path's regexes call words ("example" is a word of
"example.com", "free" of "chemical-free"). The columns are not model fields: Django never
selects them, and a page does not carry kilobytes of vectors per row. They read the model's
own table through the row's primary key (`Matches` below), so they follow the query's aliases
into subqueries.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Expression, F

FOLDED = "search_folded"
EXACT = "search_exact"
PLAIN = "search_plain"


def tsquery(words: Iterable[str], *, weights: str = "") -> str:
    """`to_tsquery` text requiring every word (`parse`d words hold only letters and digits,
    so quoting them is safe); `weights="A"`: in the title only."""
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


def matches(column: str, words: Iterable[str], *, weights: str = "") -> Stored:
    return Stored(column, tsquery(words, weights=weights))


def plain() -> Stored:
    return Stored(PLAIN)
