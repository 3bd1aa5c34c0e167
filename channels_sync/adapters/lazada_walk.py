"""Walking every product of a Lazada shop (marketplaces.md §0, §2.6): `/products/get` pages of
50 by `offset`, and the offset stops at 10,000, so one listing reaches 10,050 products.

A shop with more is walked in creation-time windows (`create_after` / `create_before`, the same
ISO 8601 format as the order filters): the first answer's `total_products` says how many
windows of at most ~80 % of the reach cover the shop, and a window that still holds more than
the reach is cut again, down to one second. Creation times do not move while we walk (update
times do: a product edited meanwhile would jump windows). Whether `create_before` is inclusive
is not documented, so neighbouring windows overlap by a second and a product seen twice is
given once. A second holding more than the reach cannot be walked and is refused (a partial
list would let the reconciliation take the rest for deleted).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels_sync.adapters import lazada_parse
from channels_sync.adapters.base import ListingData, PermanentError
from channels_sync.adapters.lazada_protocol import lazada_time
from channels_sync.adapters.windows import cut, parts_for

if TYPE_CHECKING:
    from channels_sync.adapters.lazada import LazadaAdapter

PRODUCT_PAGE = 50  # the doc's limit (an FAQ says 500: not relied on)
OFFSET_MAX = 10_000
FILTER = "all"
EARLIEST = datetime(2012, 1, 1, tzinfo=UTC)  # before Lazada's first listing
SECOND = timedelta(seconds=1)


def products_page(
    adapter: LazadaAdapter, offset: int, window: Mapping[str, str] | None = None
) -> dict[str, Any]:
    params = {"filter": FILTER, "limit": PRODUCT_PAGE, "offset": offset, **(window or {})}
    data = adapter.call("GET", "/products/get", params).get("data")
    return data if isinstance(data, dict) else {}


def listings(adapter: LazadaAdapter) -> Iterator[ListingData]:
    """Every SKU of every product, each product once."""
    reach = adapter.offset_cap + PRODUCT_PAGE
    first = products_page(adapter, 0)
    if _total(first) <= reach:
        yield from _walk(adapter, first, None, set())
        return
    end = adapter.config.clock().astimezone(UTC).replace(microsecond=0) + SECOND
    seen: set[str] = set()
    todo = [(EARLIEST, end)]  # a stack, earliest window on top
    while todo:
        start, stop = todo.pop()
        window = {
            "create_after": lazada_time(start - SECOND),
            "create_before": lazada_time(stop + SECOND),
        }
        page = products_page(adapter, 0, window)
        total = _total(page)
        if total <= reach:
            yield from _walk(adapter, page, window, seen)
            continue
        if stop - start <= SECOND:
            raise PermanentError(
                "offset_cap", f"more than {reach} products created at {lazada_time(start)}"
            )
        todo.extend(reversed(cut(start, stop, parts_for(total, reach))))


def _walk(
    adapter: LazadaAdapter,
    page: dict[str, Any],
    window: Mapping[str, str] | None,
    seen: set[str],
) -> Iterator[ListingData]:
    offset = 0
    while True:
        products = [p for p in page.get("products") or [] if isinstance(p, Mapping)]
        for product in products:
            item_id = str(product.get("item_id", ""))
            if item_id in seen:
                continue
            seen.add(item_id)
            yield from lazada_parse.listing_rows(product)
        offset += len(products)
        if len(products) < PRODUCT_PAGE or offset >= _total(page):
            return
        if offset > adapter.offset_cap:
            raise PermanentError("offset_cap", f"more than {offset} products in one listing")
        page = products_page(adapter, offset, window)


def _total(page: Mapping[str, Any]) -> int:
    try:
        return int(page.get("total_products") or 0)
    except (TypeError, ValueError):
        return 0
