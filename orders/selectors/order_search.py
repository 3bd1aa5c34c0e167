"""Which orders match the words typed in the order list's search box.

Each folded word of the query (orders.selectors.search_words) must match Order.search_text:
  - a word with a digit, or of three characters or more, as a substring: phone fragments, order
    and channel order numbers, parts of names. PostgreSQL narrows it with the trigram index
    orders_order_search_trgm;
  - a word of one or two letters ("Vũ", "Vy", "Hà", "Đỗ") as the start of a word. A trigram
    index cannot narrow a two-letter substring, and as a substring such a word matches nearly
    every name ("ha" is in "Thanh", "Hạnh", "Nhật"...). PostgreSQL matches it on the GIN index
    orders_order_search_words, built on the words of search_text (split at white space and
    ASCII punctuation, the tsvector of them) with a prefix query; elsewhere a regular
    expression with the same meaning.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, Value

from orders.models import Order
from orders.selectors import search_words

SHORT_WORD = 2  # words up to this many characters match the start of a word
# Where search_text is cut into words: white space and ASCII punctuation. The index of
# migration orders.0012 uses this very expression: keep them the same.
WORD_BREAK = r"[\s!-/:-@\[-`{-~]+"
WORDS_SQL = f"array_to_tsvector(array_remove(regexp_split_to_array(TEXT, '{WORD_BREAK}'), ''))"
_WORD_BREAK_RE = re.compile(WORD_BREAK)


class _Words(Func):
    """PostgreSQL: the words of a text, as a tsvector (the expression of the index)."""

    template = WORDS_SQL.replace("TEXT", "%(expressions)s")
    arity = 1


class _Prefixes(Func):
    """PostgreSQL: a tsquery written out, e.g. "'vu':* & 'vy':*"."""

    template = "CAST(%(expressions)s AS tsquery)"
    arity = 1


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    arity = 2
    output_field = BooleanField()


def search_terms(q: str) -> tuple[list[str], list[str]]:
    """(substrings, word prefixes) that an order must contain to match `q`."""
    substrings: list[str] = []
    prefixes: list[str] = []
    for word in search_words(q):
        if len(word) > SHORT_WORD or any(ch.isdigit() for ch in word):
            substrings.append(word)
        else:
            prefixes.extend(piece for piece in _WORD_BREAK_RE.split(word) if piece)
    return substrings, prefixes


def order_search(qs: QuerySet[Order], *, q: str) -> QuerySet[Order]:
    """`qs` narrowed to the orders matching every word of `q`."""
    substrings, prefixes = search_terms(q)
    for word in substrings:
        qs = qs.filter(search_text__contains=word)
    if not prefixes:
        return qs
    if connections[qs.db].vendor == "postgresql":
        # The pieces hold no quote nor backslash (both are word breaks): safe as lexemes.
        query = " & ".join(f"'{piece}':*" for piece in prefixes)
        return qs.filter(_Matches(_Words(F("search_text")), _Prefixes(Value(query))))
    for piece in prefixes:
        qs = qs.filter(search_text__regex=f"(^|{WORD_BREAK}){re.escape(piece)}")
    return qs
