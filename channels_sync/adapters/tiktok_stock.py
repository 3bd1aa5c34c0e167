"""TikTok stock and price pushes (marketplaces.md §3.6): one call per product, at most 100 of
its SKUs, every warehouse of each SKU listed, absolute quantities.

A SKU's update names the warehouse the listing sells from (`location_id`); when that is not
known, or the platform answers that the warehouse list is incomplete (12052037 / 12019028),
the product is read once and the SKU's other warehouses keep their current quantities. A
promotion lock (12052393) means the platform holds more than we offered: the result carries
`floor` = the refused quantity + 1, the lowest value not yet known to be refused (TikTok does
not publish the locked quantity; the next listings pull clears it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from channels_sync.adapters import tiktok_parse
from channels_sync.adapters.base import PermanentError, PriceUpdate, StockUpdate, UpdateResult

if TYPE_CHECKING:
    from channels_sync.adapters.tiktok import TikTokAdapter

PROMOTION_LOCK = "12052393"
WAREHOUSES_INCOMPLETE = frozenset({"12052037", "12019028"})
SKU_BATCH = 100
INVENTORY = "/product/202309/products/{}/inventory/update"
PRICES = "/product/202309/products/{}/prices/update"


def _by_product(updates: Sequence[Any]) -> dict[str, dict[str, list[Any]]]:
    grouped: dict[str, dict[str, list[Any]]] = {}
    for update in updates:
        grouped.setdefault(update.item_id, {}).setdefault(update.model_id, []).append(update)
    return grouped


def push_stock(adapter: TikTokAdapter, updates: Sequence[StockUpdate]) -> list[UpdateResult]:
    results: list[UpdateResult] = []
    for product_id, per_sku in _by_product(updates).items():
        wanted = {
            sku_id: {u.location_id: u.quantity for u in rows} for sku_id, rows in per_sku.items()
        }
        known: dict[str, dict[str, int]] | None = None
        if any("" in places for places in wanted.values()):
            known = _warehouses(adapter, product_id)
        sku_ids = list(wanted)
        for start in range(0, len(sku_ids), SKU_BATCH):
            chunk = sku_ids[start : start + SKU_BATCH]
            results.extend(_stock_chunk(adapter, product_id, chunk, wanted, known))
    return results


def _warehouses(adapter: TikTokAdapter, product_id: str) -> dict[str, dict[str, int]]:
    try:
        return tiktok_parse.warehouses(adapter.product(product_id))
    except PermanentError:
        return {}


MAX_QUANTITY = 99_999  # documented range of a warehouse's quantity (marketplaces.md section 0)


def _inventory(wanted: Mapping[str, int], known: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """Every warehouse of one SKU: ours where we name it (an unnamed one is the first known),
    the others at their current quantity. More than TikTok takes is sent as its maximum."""
    places = dict(known or {})
    for warehouse, quantity in wanted.items():
        target = warehouse or next(iter(places), "")
        places[target] = min(quantity, MAX_QUANTITY)
    return [{"warehouse_id": w, "quantity": q} for w, q in places.items()]


def _stock_chunk(
    adapter: TikTokAdapter,
    product_id: str,
    sku_ids: list[str],
    wanted: Mapping[str, Mapping[str, int]],
    known: dict[str, dict[str, int]] | None,
) -> list[UpdateResult]:
    def body(known: dict[str, dict[str, int]] | None) -> dict[str, Any]:
        skus = [
            {"id": s, "inventory": _inventory(wanted[s], (known or {}).get(s))} for s in sku_ids
        ]
        return {"skus": skus}

    try:
        errors = _errors(adapter.call("POST", INVENTORY.format(product_id), body=body(known)))
        if known is None and any(e[0] in WAREHOUSES_INCOMPLETE for e in errors.values()):
            known = _warehouses(adapter, product_id)
            errors = _errors(adapter.call("POST", INVENTORY.format(product_id), body=body(known)))
    except PermanentError as error:
        return [UpdateResult(product_id, s, False, error.code, error.message) for s in sku_ids]
    results = []
    for sku_id in sku_ids:
        if sku_id not in errors:
            results.append(UpdateResult(product_id, sku_id, True))
            continue
        code, message = errors[sku_id]
        if code == PROMOTION_LOCK:
            refused = sum(wanted[sku_id].values())
            results.append(
                UpdateResult(product_id, sku_id, False, "promotion_floor", message, refused + 1)
            )
        else:
            results.append(UpdateResult(product_id, sku_id, False, code or "push_refused", message))
    return results


def _errors(data: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """sku_id -> (code, message) of the partial failures in `data.errors`."""
    found: dict[str, tuple[str, str]] = {}
    for error in data.get("errors") or []:
        if not isinstance(error, Mapping):
            continue
        detail = error.get("detail")
        if not isinstance(detail, Mapping):
            continue
        sku_id = str(detail.get("sku_id") or "")
        if sku_id:
            found[sku_id] = (str(error.get("code") or ""), str(error.get("message") or ""))
    return found


def push_prices(adapter: TikTokAdapter, updates: Sequence[PriceUpdate]) -> list[UpdateResult]:
    results: list[UpdateResult] = []
    currency = adapter.config.currency
    for product_id, per_sku in _by_product(updates).items():
        sku_ids = list(per_sku)
        for start in range(0, len(sku_ids), SKU_BATCH):
            chunk = sku_ids[start : start + SKU_BATCH]
            skus = [
                {"id": s, "price": {"amount": _amount(per_sku[s][-1].price), "currency": currency}}
                for s in chunk
            ]
            try:
                adapter.call("POST", PRICES.format(product_id), body={"skus": skus})
            except PermanentError as error:
                results.extend(
                    UpdateResult(product_id, s, False, error.code, error.message) for s in chunk
                )
                continue
            results.extend(UpdateResult(product_id, s, True) for s in chunk)
    return results


def _amount(price: Decimal) -> str:
    """A price as TikTok's decimal string: "199000" (VND), "199.5" (THB)."""
    return format(price.normalize(), "f")
