"""TikTok Shop JSON -> our dataclasses (no HTTP): orders (marketplaces.md §3.5), products and
their SKUs (§3.6) and webhooks (§3.7).

Order lines carry no quantity: each unit is its own `line_items` row, so rows of one SKU at one
price become one OrderItem with their count as quantity (the [UNV] reading of §3.5). Money
comes as decimal strings. Anything missing or of the wrong type raises
PayloadError("bad_field", field=<dotted name>), so the one order is quarantined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from channels_sync.adapters.base import (
    Address,
    ListingData,
    OrderData,
    OrderItem,
    WebhookEvent,
)
from channels_sync.adapters.shopee_parse import _json_object, bad, integer, moment, money, text

WEBHOOK_KINDS = {
    1: "order",  # ORDER_STATUS_CHANGE
    6: "deauthorized",  # SELLER_DEAUTHORIZATION
    5: "listing_review",  # PRODUCT_STATUS_CHANGE: a product's audit status moved
    7: "authorization_expiring",  # UPCOMING_AUTHORIZATION_EXPIRATION
    11: "order",  # CANCELLATION_STATUS_CHANGE: the order's cancel request moved
}
CANCELLED = frozenset({"CANCELLED", "CANCEL"})  # detail and webhook spellings (§3.5)
ADDRESS_LEVELS = {"L1": "province", "L2": "district", "L3": "ward"}


def parse_order(raw: Mapping[str, Any]) -> OrderData:
    """One order of orders/search or the order detail call as OrderData."""
    if not isinstance(raw, Mapping):
        raise bad("order")
    external_id = text(raw, "id")
    if not external_id.strip():
        raise bad("id")
    payment = raw.get("payment")
    if not isinstance(payment, Mapping):
        raise bad("payment")
    currency = text(payment, "currency", path="payment.")
    if not currency:
        raise bad("payment.currency")
    lines = raw.get("line_items")
    if not isinstance(lines, list) or not lines:
        raise bad("line_items")
    paid = raw.get("paid_time")
    return OrderData(
        external_id=external_id,
        status=text(raw, "status"),
        created_at=moment(raw, "create_time"),
        updated_at=moment(raw, "update_time"),
        currency=currency,
        total=money(payment, "total_amount", currency, path="payment."),
        shipping_fee=(
            money(payment, "shipping_fee", currency, path="payment.")
            if payment.get("shipping_fee") not in (None, "")
            else Decimal(0)
        ),
        cod=raw.get("is_cod") is True,
        buyer_id=text(raw, "user_id", required=False),
        buyer_username="",
        address=_address(raw.get("recipient_address")),
        items=_items(lines, currency),
        paid_at=moment(raw, "paid_time") if paid not in (None, 0) else None,
        note=text(raw, "buyer_message", required=False),
        cancel_reason=text(raw, "cancel_reason", required=False),
        tracking_number=text(raw, "tracking_number", required=False),
        raw=raw,
    )


def _address(value: Any) -> Address | None:
    """Hidden (absent) while the order is UNPAID or ON_HOLD."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise bad("recipient_address")
    path = "recipient_address."
    levels: dict[str, str] = {}
    for part in value.get("district_info") or []:
        if isinstance(part, Mapping):
            name = ADDRESS_LEVELS.get(str(part.get("address_level") or ""))
            if name:
                levels[name] = str(part.get("address_name") or "")
    return Address(
        name=text(value, "name", path=path, required=False),
        phone=text(value, "phone_number", path=path, required=False),
        full_address=text(value, "full_address", path=path, required=False),
        region=text(value, "region_code", path=path, required=False),
        province=levels.get("province", ""),
        district=levels.get("district", ""),
        ward=levels.get("ward", ""),
        postcode=text(value, "postal_code", path=path, required=False),
    )


def _items(lines: Sequence[Any], currency: str) -> tuple[OrderItem, ...]:
    """One OrderItem per (SKU, sale price): the rows' units added up (a row is one unit; a
    row with a `quantity` counts that many). Rows whose `display_status` is cancelled are
    left out while other rows are not (a part-cancelled order sells the rest)."""
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            raise bad(f"line_items[{index}]")
    grouped: dict[tuple[str, Decimal], dict[str, Any]] = {}
    every_line_cancelled = all(line.get("display_status") in CANCELLED for line in lines)
    for index, line in enumerate(lines):
        if line.get("display_status") in CANCELLED and not every_line_cancelled:
            continue
        path = f"line_items[{index}]."
        sku_id = text(line, "sku_id", path=path)
        price = money(line, "sale_price", currency, path=path)
        units = _units(line, path)
        entry = grouped.get((sku_id, price))
        if entry is not None:
            entry["quantity"] += units
            continue
        name = text(line, "product_name", path=path, required=False)
        sku_name = text(line, "sku_name", path=path, required=False)
        grouped[(sku_id, price)] = {
            "item_id": text(line, "product_id", path=path),
            "model_id": sku_id,
            "seller_sku": text(line, "seller_sku", path=path, required=False).strip(),
            "name": f"{name} - {sku_name}" if sku_name else name,
            "quantity": units,
            "unit_price": price,
            "original_price": money(line, "original_price", currency, path=path),
            "line_id": text(line, "id", path=path, required=False),
        }
    return tuple(OrderItem(**entry) for entry in grouped.values())


def _units(line: Mapping[str, Any], path: str) -> int:
    """1 for a row without `quantity` (the documented shape), else its whole positive count."""
    if line.get("quantity") is None:
        return 1
    units = integer(line, "quantity", path=path)
    if units < 1:
        raise bad(path + "quantity")
    return units


# -- webhooks -----------------------------------------------------------------------------------


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """A webhook body (§3.7 envelope) as a WebhookEvent. Types 1 and 11 name an order; 5 a
    product whose status (audit) moved; 6 is the seller's deauthorisation; 7 the coming end of
    the authorisation (`updated_at` is its `expiration_time`); the others are kept as "other"."""
    data = _json_object(body)
    kind_code = data.get("type")
    if isinstance(kind_code, bool) or not isinstance(kind_code, int):
        raise bad("type")
    inner = data.get("data")
    if not isinstance(inner, Mapping):
        raise bad("data")
    kind = WEBHOOK_KINDS.get(kind_code, "other")
    event: dict[str, Any] = {"kind": kind, "shop_id": text(data, "shop_id"), "raw": data}
    event["message_id"] = text(data, "tts_notification_id", required=False)
    if kind == "order":
        event["external_id"] = text(inner, "order_id", path="data.")
        if kind_code == 1:  # "CANCEL" here is the details' "CANCELLED" (one spelling kept)
            status = text(inner, "order_status", path="data.")
            event["status"] = "CANCELLED" if status in CANCELLED else status
            if inner.get("update_time"):
                event["updated_at"] = moment(inner, "update_time", path="data.")
    elif kind == "authorization_expiring":
        event["updated_at"] = moment(inner, "expiration_time", path="data.")
    elif kind == "listing_review":
        event["external_id"] = text(inner, "product_id", path="data.")
        event["status"] = text(inner, "status", path="data.", required=False)
    return WebhookEvent(**event)


# -- products -----------------------------------------------------------------------------------


def listing_rows(product: Mapping[str, Any]) -> list[ListingData]:
    """One ListingData per SKU of a products/search (or product detail) entry. Stock is the sum
    over the SKU's warehouses; `location_id` the first one. TikTok publishes no promotion
    reserve in these answers: it is learnt from refused updates (12052393)."""
    product_id = str(product.get("id", ""))
    title = str(product.get("title") or "")
    active = product.get("status") == "ACTIVATE"
    rows = []
    for sku in product.get("skus") or []:
        if not isinstance(sku, Mapping):
            continue
        price_info = sku.get("price") if isinstance(sku.get("price"), Mapping) else {}
        price = None
        if price_info and price_info.get("sale_price") not in (None, ""):
            price = money(price_info, "sale_price", str(price_info.get("currency") or ""))
        stock = [i for i in sku.get("inventory") or [] if isinstance(i, Mapping)]
        names = [
            str(a.get("value_name") or "")
            for a in sku.get("sales_attributes") or []
            if isinstance(a, Mapping)
        ]
        options = ", ".join(n for n in names if n)
        rows.append(
            ListingData(
                item_id=product_id,
                model_id=str(sku.get("id", "")),
                seller_sku=str(sku.get("seller_sku") or "").strip(),
                name=f"{title} - {options}" if options else title,
                price=price,
                stock=sum(int(i.get("quantity") or 0) for i in stock) if stock else None,
                promotion_reserve=0,
                active=active,
                location_id=str(stock[0].get("warehouse_id") or "") if stock else "",
                raw=sku,
            )
        )
    return rows


def warehouses(product: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """sku_id -> {warehouse_id: quantity} of a product detail."""
    found: dict[str, dict[str, int]] = {}
    for sku in product.get("skus") or []:
        if isinstance(sku, Mapping):
            found[str(sku.get("id", ""))] = {
                str(i.get("warehouse_id") or ""): int(i.get("quantity") or 0)
                for i in sku.get("inventory") or []
                if isinstance(i, Mapping)
            }
    return found


def expiry(value: Any) -> datetime | None:
    """An absolute Unix time of the token answer, or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return moment({"t": value}, "t")


__all__ = ["expiry", "integer", "listing_rows", "parse_order", "parse_webhook", "warehouses"]
