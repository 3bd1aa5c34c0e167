"""Pages of the order list that cost the same at any depth, and a total that stays cheap.

- Every page is chosen on the bare table first (the ids only, in list order: an index-only
  scan where an index such as (status, created_at, id) covers the filter), then its 50 rows are
  read with their joins and subqueries (orders.selectors.order_list.order_list_page).
- Next and Previous carry a cursor (the key of the last or first row shown: its sort value and
  id), so the next page is an index range scan from that key (common.keyset): the same cost at
  page 2 and at page 20,000.
- `?page=N` alone (a bookmark, a typed URL) skips (N-1) x 50 ids of that narrow scan, which
  grows with the depth, so jumps stop at MAX_JUMP_ROWS rows (page 2,001): a deeper page number
  lands on the deepest page it may reach, and the page says so (`jump_capped`); its Next link
  goes on by cursor.
- The "next contact" sort (its key may be empty: overdue follow-ups without a date) has no
  cursor: it pages by number only, within the same bound (its lists are short).
- The total is counted exactly up to COUNT_EXACT_MAX; above that it is the planner's estimate
  on PostgreSQL, shown as "about", and on other databases "more than".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections
from django.db.models import Count, Field, Window

from common.keyset import RowCompare, cursor_decode, cursor_encode, key_values
from orders.models import Order
from orders.selectors.order_list import (
    PER_PAGE,
    OrderListFilters,
    filtered_orders,
    list_ordering,
    order_list_page,
)
from orders.selectors.order_search import has_keys

MAX_JUMP_ROWS = 100_000
COUNT_EXACT_MAX = 1_000
KEYSET_SORTS = frozenset(
    {("-created_at", "-id"), ("created_at", "id"), ("-total", "-id"), ("total", "id")}
)


@dataclass(frozen=True)
class PageRequest:
    """Which page: its number, and the cursor it continues from, if any."""

    number: int = 1
    after: str = ""  # the page starts after this key (Next)
    before: str = ""  # the page ends before this key (Previous)


@dataclass(frozen=True)
class OrderPage:
    items: list[Order]
    number: int
    per_page: int
    has_next: bool
    has_previous: bool
    next_cursor: str = ""  # "" when Next is a plain ?page=N+1 (no keyset for this sort)
    previous_cursor: str = ""
    jump_capped: bool = False  # ?page=N was deeper than a jump may go
    total: ListTotal | None = None  # the exact total when reading the page counted it

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


@dataclass(frozen=True)
class ListTotal:
    rows: int
    exact: bool  # False: `rows` is an estimate ("about"), or a floor when `estimated` is False
    estimated: bool = False


def order_page(
    *,
    filters: OrderListFilters,
    request: PageRequest,
    per_page: int = PER_PAGE,
    max_jump_rows: int = MAX_JUMP_ROWS,
) -> OrderPage:
    """The page of the order list that `request` asks for (see the module's note)."""
    ordering = list_ordering(filters)
    number = max(request.number, 1)
    keyset = ordering in KEYSET_SORTS
    read = _Reader(filters)
    if keyset and request.after and (key := _decode(request.after, ordering)):
        rows = read.rows(_compare(ordering, key, forward=True), ordering, 0, per_page + 1)
        return _page(rows, max(number, 2), per_page, ordering)
    if keyset and request.before and number > 1 and (key := _decode(request.before, ordering)):
        reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)
        rows = read.rows(_compare(ordering, key, forward=False), reverse, 0, per_page + 1)
        rows.reverse()  # read nearest first: back to list order
        if len(rows) > per_page:  # else fewer than a page before it: the first page, afresh
            return _page(rows[1:], number, per_page, ordering, has_next=True)
        number = 1
    max_page = max_jump_rows // per_page + 1
    capped = number > max_page
    number = min(number, max_page)
    offset = (number - 1) * per_page
    rows = read.rows(None, ordering, offset, per_page + 1)
    page = _page(rows, number, per_page, ordering if keyset else None)
    if number == max_page and not (keyset and page.has_next):
        page = replace(page, has_next=False)
    total = read.total if offset == 0 else None
    if read.many and offset == 0:  # more than COUNT_EXACT_MAX: estimated, not counted again
        floor = page.end_index + int(page.has_next)
        total = order_total(filters=filters, at_least=floor, counted=COUNT_EXACT_MAX + 1)
    return replace(page, jump_capped=capped, total=total)


class _Reader:
    """Reads the rows of a page. Without a search: the page's ids on the bare table, then its
    rows. With a search the index narrows (see orders.selectors.order_search): the matches
    are taken at most COUNT_EXACT_MAX + 1 (any of them, on the index alone), and the page is
    ordered among them in the same query, which also counts them. Most searches (a name, a
    phone) match fewer: that one query is the page and its exact total. A search that
    matches more is read again in list order, with the plain form of the match (a b-tree
    scan that stops after a page: a sort of every match would cost more)."""

    def __init__(self, filters: OrderListFilters) -> None:
        self.filters = filters
        self.bounded = has_keys(filters.q)
        self.total: ListTotal | None = None  # known exactly from a bounded read of page 1
        self.many = False  # a bounded read of page 1 found more than COUNT_EXACT_MAX

    def rows(
        self, after: RowCompare | None, order: tuple[str, ...], offset: int, count: int
    ) -> list[Order]:
        indexed = True
        if self.bounded and offset + count <= COUNT_EXACT_MAX:
            matches = filtered_orders(self.filters)
            if after is not None:
                matches = matches.filter(after)
            page_ids = matches.order_by().values("pk")[: COUNT_EXACT_MAX + 1]
            rows: list[Order] = list(
                order_list_page(filters=self.filters, page_ids=page_ids)
                .annotate(matches=Window(Count("pk")))
                .order_by(*order)[offset : offset + count]
            )
            found = rows[0].matches if rows else 0  # type: ignore[attr-defined]
            if found <= COUNT_EXACT_MAX:  # all of them read (none past `offset`: an empty page)
                if after is None and offset == 0:
                    self.total = ListTotal(found, exact=True)
                return rows
            indexed = False  # more than COUNT_EXACT_MAX matches: read them in list order
            self.many = after is None
        # The ids in list order, only the columns of the sort (an index-only scan where an
        # index covers the filter).
        ids = filtered_orders(self.filters, indexed=indexed).order_by(*order).values("pk")
        if after is not None:
            ids = ids.filter(after)
        return list(
            order_list_page(filters=self.filters, page_ids=ids[offset : offset + count]).order_by(
                *order
            )
        )


def _page(
    rows: list[Order],
    number: int,
    per_page: int,
    ordering: tuple[str, str] | None,
    *,
    has_next: bool | None = None,
) -> OrderPage:
    """A page of `rows` (one more than a page when there is a next page); cursors when the
    sort has keys (`ordering`)."""
    items = rows[:per_page]
    more = len(rows) > per_page if has_next is None else has_next
    cursors = ordering is not None and bool(items)
    return OrderPage(
        items,
        number,
        per_page,
        has_next=more,
        has_previous=number > 1,
        next_cursor=_key(items[-1], ordering) if cursors and more and ordering else "",
        previous_cursor=_key(items[0], ordering) if cursors and number > 1 and ordering else "",
    )


def _field(name: str) -> Field[Any, Any]:
    field = Order._meta.get_field(name.lstrip("-"))
    assert isinstance(field, Field)
    return field


def _decode(cursor: str, ordering: tuple[str, str]) -> tuple[Any, int] | None:
    return cursor_decode(cursor, _field(ordering[0]))


def _key(order: Order, ordering: tuple[str, str]) -> str:
    return cursor_encode((getattr(order, ordering[0].lstrip("-")), order.pk))


def _compare(ordering: tuple[str, str], key: tuple[Any, int], *, forward: bool) -> RowCompare:
    """Rows after `key` in list order (`forward`), or before it."""
    names = [name.lstrip("-") for name in ordering]
    fields = [_field(name) for name in names]
    descending = ordering[0].startswith("-")
    return RowCompare(names, key_values(fields, key), "<" if descending == forward else ">")


def order_total(
    *,
    filters: OrderListFilters,
    at_least: int = 0,
    exact_max: int = COUNT_EXACT_MAX,
    counted: int | None = None,
) -> ListTotal:
    """How many orders match: exact up to COUNT_EXACT_MAX (one bounded count), else the
    planner's estimate on PostgreSQL (never below `at_least`, the rows known to exist).
    `counted`: the bounded count, when already known."""
    qs = filtered_orders(filters).order_by()
    if counted is None:
        counted = qs.values("pk")[: exact_max + 1].count()
    if counted <= exact_max:
        return ListTotal(counted, exact=True)
    floor = max(counted, at_least)
    if connections[qs.db].vendor != "postgresql":
        return ListTotal(floor, exact=False)
    plan = qs.values("pk").explain(format="json")
    estimate = _rounded(int(json.loads(plan)[0]["Plan"]["Plan Rows"]))
    if estimate < floor:
        return ListTotal(floor, exact=False)
    return ListTotal(estimate, exact=False, estimated=True)


def _rounded(rows: int) -> int:
    """An estimate to two significant figures (1,234,567 -> 1,200,000)."""
    digits = len(str(rows))
    unit = 10 ** max(digits - 2, 0)
    return round(rows / unit) * unit
