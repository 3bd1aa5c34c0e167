"""Walking every product of a TikTok shop (marketplaces.md §3.6): products/search pages of 100
by `page_token`, and one search reaches 10,000 results at most.

A bigger shop is searched one product status at a time (every status but DELETED); a status
that still holds more than the reach is searched in creation-time windows (`create_time_ge` /
`create_time_le` in the body, Unix seconds: in the platform's Search Products reference, not in
marketplaces.md [UNV]), cut by `total_count` and again while a window is over the reach. Whether
`create_time_le` is inclusive is not written down, so neighbouring windows overlap by a second
and a product seen twice is given once. A host that ignores the window filters answers the same
total for every window; the cutting then ends at one second and the walk is refused
(`too_many_products`): a partial list would let the reconciliation take the rest for deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels_sync.adapters import tiktok_parse
from channels_sync.adapters.base import ListingData, PermanentError
from channels_sync.adapters.windows import cut, parts_for

if TYPE_CHECKING:
    from channels_sync.adapters.tiktok import TikTokAdapter

PRODUCT_SEARCH = "/product/202309/products/search"
PAGE_SIZE = 100
PRODUCT_STATUSES = (
    "ACTIVATE",
    "SELLER_DEACTIVATED",
    "PLATFORM_DEACTIVATED",
    "FREEZE",
    "DRAFT",
    "PENDING",
    "FAILED",
)
EARLIEST = datetime(2016, 1, 1, tzinfo=UTC)  # before TikTok Shop's first product
SECOND = timedelta(seconds=1)


def search(adapter: TikTokAdapter, body: Mapping[str, Any], token: str = "") -> dict[str, Any]:
    params: dict[str, Any] = {"page_size": PAGE_SIZE}
    if token:
        params["page_token"] = token
    return adapter.call("POST", PRODUCT_SEARCH, params=params, body=dict(body))


def listings(adapter: TikTokAdapter) -> Iterator[ListingData]:
    """Every SKU of every product, each product once."""
    reach, seen = adapter.search_reach, set[str]()
    first = search(adapter, {})
    if _total(first) <= reach:
        yield from _walk(adapter, first, {}, seen)
        return
    for status in PRODUCT_STATUSES:
        body = {"status": status}
        page = search(adapter, body)
        if _total(page) <= reach:
            yield from _walk(adapter, page, body, seen)
        else:
            yield from _windows(adapter, body, seen)


def _windows(adapter: TikTokAdapter, base: dict[str, Any], seen: set[str]) -> Iterator[ListingData]:
    reach = adapter.search_reach
    end = adapter.config.clock().astimezone(UTC).replace(microsecond=0) + SECOND
    todo = [(EARLIEST, end)]  # a stack, earliest window on top
    while todo:
        start, stop = todo.pop()
        body = {
            **base,
            "create_time_ge": int((start - SECOND).timestamp()),
            "create_time_le": int(stop.timestamp()),
        }
        page = search(adapter, body)
        total = _total(page)
        if total <= reach:
            yield from _walk(adapter, page, body, seen)
            continue
        if stop - start <= SECOND:
            raise PermanentError(
                "too_many_products",
                f"more than {reach} {base.get('status', '')} products created in one second",
            )
        todo.extend(reversed(cut(start, stop, parts_for(total, reach))))


def _walk(
    adapter: TikTokAdapter, page: dict[str, Any], body: Mapping[str, Any], seen: set[str]
) -> Iterator[ListingData]:
    while True:
        for product in page.get("products") or []:
            if not isinstance(product, dict):
                continue
            product_id = str(product.get("id", ""))
            if product_id in seen:
                continue
            seen.add(product_id)
            yield from tiktok_parse.listing_rows(product)
        token = str(page.get("next_page_token") or "")
        if not token:
            return
        page = search(adapter, body, token)


def _total(page: Mapping[str, Any]) -> int:
    try:
        return int(page.get("total_count") or 0)
    except (TypeError, ValueError):
        return 0
