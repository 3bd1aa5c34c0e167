"""Which orders match the words typed in the order list's search box.

Each folded word of the query (orders.selectors.search_words) must match Order.search_text:
  - a word with a digit, or of three characters or more, as a substring: phone fragments, order
    and channel order numbers, parts of names;
  - a word of one or two letters ("Vũ", "Vy", "Hà", "Đỗ") as the start of a word (as a
    substring such a word matches nearly every name: "ha" is in "Thanh", "Hạnh", "Nhật"...).
The words of search_text are its pieces between white space and ASCII punctuation (WORD_BREAK).

On PostgreSQL the GIN index orders_order_search_keys (migration orders 0018) holds the keys of
each order: for every word of search_text its first letter, its first two letters and its
trigrams. A query becomes one tsquery of exact keys, all looked up in one index scan: a short
word is its own key (exact: no check follows), a longer one the trigrams of its pieces (a
necessary condition: the substring test follows on the rows found). Common name words ("huu",
"ha") have long posting lists, but no prefix expansion and no second index are involved.

`indexed=False` writes the same match without the keys (substrings and regular expressions
only): the form for a list already known to hold many matches, read in list order along a
b-tree index, where the keys would be computed again for every row read.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from orders.models import Order
from orders.selectors import search_words

SHORT_WORD = 2  # words up to this many characters match the start of a word
# Where search_text is cut into words: white space and ASCII punctuation. The function of
# migration orders.0018 uses this very expression: keep them the same.
WORD_BREAK = r"[\s!-/:-@\[-`{-~]+"
_WORD_BREAK_RE = re.compile(WORD_BREAK)
TRIGRAM = 3


class _Keys(Func):
    """PostgreSQL: the search keys of a text (the expression of the index)."""

    function = "orders_search_keys"
    arity = 1


class _Query(Func):
    """A tsquery written out, e.g. "'vu' & 'ngo' & 'goc' & 'vy'"."""

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


def search_keys(q: str) -> list[str]:
    """Index keys an order matching `q` holds (see the module's note), without repeats: the
    word prefixes themselves, and trigrams of each piece of the substrings."""
    substrings, prefixes = search_terms(q)
    keys = dict.fromkeys(prefixes)
    for word in substrings:
        for piece in _WORD_BREAK_RE.split(word):
            # Trigrams side by side and the last one cover the piece: its other trigrams
            # would lengthen the index scan ("nguyen": ngu, yen; not guy, uye) and narrow
            # little more; the substring test on the rows found is exact.
            starts = [*range(0, len(piece) - TRIGRAM + 1, TRIGRAM), len(piece) - TRIGRAM]
            for start in starts if len(piece) >= TRIGRAM else []:
                keys[piece[start : start + TRIGRAM]] = None
    return list(keys)


def order_search(qs: QuerySet[Order], *, q: str, indexed: bool = True) -> QuerySet[Order]:
    """`qs` narrowed to the orders matching every word of `q`."""
    substrings, prefixes = search_terms(q)
    if not substrings and not prefixes:
        return qs
    keys = search_keys(q)
    if indexed and keys and connections[qs.db].vendor == "postgresql":
        for word in substrings:
            qs = qs.filter(search_text__contains=word)
        query = " & ".join(_lexeme(key) for key in keys)
        return qs.filter(_Matches(_Keys(F("search_text")), _Query(Value(query))))
    match = Q()
    for word in substrings:
        match &= Q(search_text__contains=word)
    for piece in prefixes:
        match &= Q(search_text__regex=f"(^|{WORD_BREAK}){re.escape(piece)}")
    if indexed:
        return qs.filter(match)
    # COALESCE hides the match from the planner's estimate (a pattern looks rare to it): the
    # list is known to hold many matches, and is read along its b-tree index in list order.
    return qs.filter(Coalesce(ExpressionWrapper(match, BooleanField()), Value(False)))


def _lexeme(key: str) -> str:
    """A key quoted for a tsquery (keys hold no quote nor backslash, both word breaks: escaped
    all the same)."""
    return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"


def has_keys(q: str) -> bool:
    """Whether the index narrows a search for `q` (a query of only short digit words does not:
    "12" is a substring anywhere)."""
    return bool(search_keys(q))
