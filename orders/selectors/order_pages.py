"""Pages of the order list that cost the same at any depth, and a total that stays cheap.

- Next and Previous carry a cursor (the key of the last or first row shown: its sort value and
  id), so the next page is an index range scan from that key (common.keyset), not an OFFSET
  that reads and drops every row before it with its joins and subqueries.
- `?page=N` alone (a bookmark, a typed URL) finds the key of the page's first row with a narrow
  query (only the sort columns: an index-only scan of an index such as (status, created_at, id)),
  then reads the page from it. That scan grows with the depth, so jumps stop at MAX_JUMP_ROWS
  rows (page 2,001): a deeper page number lands on the deepest page it may reach, and the page
  says so (`jump_capped`); Next goes on from there at the same cost as ever.
- The "next contact" sort (its key may be empty: overdue follow-ups without a date) has no
  cursor: it is read with OFFSET within the same bound (its lists are short).
- The total is counted exactly up to COUNT_EXACT_MAX; above that it is the planner's estimate
  on PostgreSQL, shown as "about", and on other databases "more than".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Field, QuerySet

from common.keyset import RowCompare, cursor_decode, cursor_encode, key_values
from orders.models import Order
from orders.selectors.order_list import (
    PER_PAGE,
    OrderListFilters,
    filtered_orders,
    list_ordering,
    order_list,
)

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
    qs = order_list(filters=filters)
    number = max(request.number, 1)
    max_page = max_jump_rows // per_page + 1
    if ordering not in KEYSET_SORTS:
        return _offset_page(qs, number=number, per_page=per_page, max_page=max_page)
    sort_field = _field(ordering[0])
    if request.after and (key := cursor_decode(request.after, sort_field)):
        number = max(number, 2)
        return _page_from(qs, ordering, key, number=number, per_page=per_page, inclusive=False)
    if request.before and number > 1 and (key := cursor_decode(request.before, sort_field)):
        page = _page_before(qs, ordering, key, number=number, per_page=per_page)
        if page is not None:
            return page
        number = 1
    capped = number > max_page
    number = min(number, max_page)
    if number == 1:
        return _page_from(qs, ordering, None, number=1, per_page=per_page, inclusive=True)
    boundary = (
        filtered_orders(filters)
        .order_by(*ordering)
        .values_list(ordering[0].lstrip("-"), "id")[(number - 1) * per_page :][:1]
    )
    key = next(iter(boundary), None)
    if key is None:  # past the end
        return OrderPage([], number, per_page, False, True, jump_capped=capped)
    page = _page_from(qs, ordering, key, number=number, per_page=per_page, inclusive=True)
    return OrderPage(**{**page.__dict__, "jump_capped": capped})


def _field(name: str) -> Field[Any, Any]:
    field = Order._meta.get_field(name.lstrip("-"))
    assert isinstance(field, Field)
    return field


def _key(order: Order, ordering: tuple[str, str]) -> str:
    return cursor_encode((getattr(order, ordering[0].lstrip("-")), order.pk))


def _compare(
    ordering: tuple[str, str], key: tuple[Any, int], *, forward: bool, inclusive: bool
) -> RowCompare:
    names = [name.lstrip("-") for name in ordering]
    fields = [_field(name) for name in names]
    descending = ordering[0].startswith("-")
    op = "<" if descending == forward else ">"
    return RowCompare(names, key_values(fields, key), op + ("=" if inclusive else ""))


def _page_from(
    qs: QuerySet[Order],
    ordering: tuple[str, str],
    key: tuple[Any, int] | None,
    *,
    number: int,
    per_page: int,
    inclusive: bool,
) -> OrderPage:
    """The page starting at `key` (None: the first page), in list order."""
    if key is not None:
        qs = qs.filter(_compare(ordering, key, forward=True, inclusive=inclusive))
    rows = list(qs[: per_page + 1])
    items = rows[:per_page]
    has_next = len(rows) > per_page
    return OrderPage(
        items,
        number,
        per_page,
        has_next=has_next,
        has_previous=number > 1,
        next_cursor=_key(items[-1], ordering) if has_next else "",
        previous_cursor=_key(items[0], ordering) if items and number > 1 else "",
    )


def _page_before(
    qs: QuerySet[Order],
    ordering: tuple[str, str],
    key: tuple[Any, int],
    *,
    number: int,
    per_page: int,
) -> OrderPage | None:
    """The page ending just before `key`; None when fewer than a page of rows come before it
    (the first page then, read afresh)."""
    reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)
    rows = list(
        qs.filter(_compare(ordering, key, forward=False, inclusive=False)).order_by(*reverse)[
            : per_page + 1
        ]
    )
    if len(rows) <= per_page:
        return None
    items = rows[:per_page][::-1]
    return OrderPage(
        items,
        number,
        per_page,
        has_next=True,
        has_previous=True,
        next_cursor=_key(items[-1], ordering),
        previous_cursor=_key(items[0], ordering),
    )


def _offset_page(qs: QuerySet[Order], *, number: int, per_page: int, max_page: int) -> OrderPage:
    capped = number > max_page
    number = min(number, max_page)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    return OrderPage(
        rows[:per_page],
        number,
        per_page,
        has_next=len(rows) > per_page and number < max_page,
        has_previous=number > 1,
        jump_capped=capped,
    )


def order_total(
    *, filters: OrderListFilters, at_least: int = 0, exact_max: int = COUNT_EXACT_MAX
) -> ListTotal:
    """How many orders match: exact up to COUNT_EXACT_MAX (one bounded count), else the
    planner's estimate on PostgreSQL (never below `at_least`, the rows known to exist)."""
    qs = filtered_orders(filters).order_by()
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
