"""Lazada JSON -> our dataclasses (no HTTP): orders (an `/orders/get` header with its
`order_items` from `/orders/items/get`), the order status from its lines, products and push
messages (marketplaces.md §2.5-§2.7).

Status rule (`order_status`), one Lazada status for the whole order from its lines' statuses:
  1. every line `canceled` -> `canceled`;
  2. otherwise the canceled lines are left out (they are not sold; `sold_lines`);
  3. a remaining line with a status we do not know -> that status (quarantined, not guessed);
  4. a remaining line in an exception status (returned, failed delivery, lost, ...) -> the first
     such status in line order (staff must look at it);
  5. otherwise the least advanced status among the remaining lines (unpaid < to pack/ship <
     shipped < delivered), e.g. one line shipped and one still packed -> `packed`.

Anything missing or of the wrong type raises PayloadError("bad_field", field=<dotted name>).

`address_shipping.country`: the doc does not say its form; Lazada writes the country's name
("Vietnam", "Thailand"). A name (English, Vietnamese or Thai) or a two-letter code is read as
the ISO code; anything else is left empty, so the shop's region stands (an unreadable country
used to make our address form refuse the whole address: the order came in with none).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_sync.adapters.base import (
    Address,
    ListingData,
    OrderData,
    OrderItem,
    PayloadError,
    WebhookEvent,
)
from channels_sync.adapters.lazada_protocol import parse_time

PRECISION = {"VND": 0, "IDR": 0, "THB": 2, "SGD": 2, "MYR": 2, "PHP": 2}
CANCELED = "canceled"
# Normal progress of a line; a lower rank is less advanced.
RANKS = {
    "unpaid": 0,
    "pending": 1,
    "topack": 1,
    "repacked": 1,
    "packed": 1,
    "ready_to_ship": 1,
    "toship": 1,
    "shipped": 2,
    "shipping": 2,
    "delivered": 3,
}
EXCEPTIONS = frozenset(
    {
        "returned",
        "failed",
        "failed_delivery",
        "shipped_back",
        "shipped_back_success",
        "shipped_back_failed",
        "lost",
        "lost_by_3pl",
        "damaged_by_3pl",
        "package_scrapped",
    }
)
PUSH_KINDS = {0: "order", 1: "listing_review", 8: "authorization_expiring"}


def bad(field: str, message: str = "") -> PayloadError:
    return PayloadError("bad_field", message or f"{field} is missing or not valid", field=field)


def text(raw: Mapping[str, Any], name: str, *, path: str = "", required: bool = True) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(path + name)
    return str(value)


def money(raw: Mapping[str, Any], name: str, currency: str, *, path: str = "") -> Decimal:
    """A money string ("106.00") or number, exact at the currency's precision."""
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad(path + name)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise bad(path + name) from None
    if not amount.is_finite() or amount < 0:
        raise bad(path + name)
    exact = amount.quantize(Decimal(1).scaleb(-PRECISION.get(currency, 2)))
    if exact != amount:
        raise bad(path + name, f"{path}{name} has more decimals than {currency} allows")
    return exact


def moment(raw: Mapping[str, Any], name: str, *, path: str = "") -> datetime:
    value = raw.get(name)
    if not isinstance(value, str):
        raise bad(path + name)
    try:
        return parse_time(value)
    except ValueError:
        raise bad(path + name) from None


def epoch(value: Any, field: str) -> datetime:
    """Seconds or milliseconds since 1970 (push samples use both)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise bad(field)
    number = int(value)
    if number <= 0:
        raise bad(field)
    return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, tz=UTC)


# -- status -----------------------------------------------------------------------------------


def order_status(statuses: Sequence[str]) -> str:
    """One Lazada status for the order from its lines' statuses (the rule in the docstring)."""
    if not statuses:
        raise bad("order_items")
    active = [s for s in statuses if s != CANCELED]
    if not active:
        return CANCELED
    unknown = [s for s in active if s not in RANKS and s not in EXCEPTIONS]
    if unknown:
        return unknown[0]
    exceptional = [s for s in active if s in EXCEPTIONS]
    if exceptional:
        return exceptional[0]
    return min(active, key=lambda s: RANKS[s])


def sold_lines(lines: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The lines our order keeps: all when every line is canceled, else the others."""
    kept = [line for line in lines if line.get("status") != CANCELED]
    return kept or list(lines)


# -- orders -----------------------------------------------------------------------------------


def parse_order(raw: Mapping[str, Any]) -> OrderData:
    """An `/orders/get` order with `order_items` (from `/orders/items/get`) as OrderData.
    Each Lazada line is one unit; lines of the same SKU and price become one item."""
    if not isinstance(raw, Mapping):
        raise bad("order")
    external_id = text(raw, "order_id").strip()
    if not external_id:
        raise bad("order_id")
    lines = raw.get("order_items")
    if not isinstance(lines, list) or not lines:
        raise bad("order_items")
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            raise bad(f"order_items[{index}]")
    statuses = [text(line, "status", path=f"order_items[{i}].") for i, line in enumerate(lines)]
    currency = text(lines[0], "currency", path="order_items[0].").strip().upper()
    if not currency:
        raise bad("order_items[0].currency")
    items = _items(lines, currency)
    shipping_fee = money(raw, "shipping_fee", currency) if raw.get("shipping_fee") else Decimal(0)
    total = sum((i.unit_price * i.quantity for i in items), Decimal(0)) + shipping_fee
    kept = sold_lines(lines)
    return OrderData(
        external_id=external_id,
        status=order_status(statuses),
        created_at=moment(raw, "created_at"),
        updated_at=moment(raw, "updated_at"),
        currency=currency,
        total=total,
        shipping_fee=shipping_fee,
        cod=text(raw, "payment_method", required=False).strip().upper() == "COD",
        buyer_id=text(raw, "buyer_id", required=False),
        buyer_username=" ".join(
            p
            for p in (
                text(raw, "customer_first_name", required=False).strip(),
                text(raw, "customer_last_name", required=False).strip(),
            )
            if p
        ),
        address=_address(raw.get("address_shipping")),
        items=items,
        note=text(raw, "remarks", required=False),
        cancel_reason=next((str(x.get("reason") or "") for x in kept if x.get("reason")), ""),
        tracking_number=next(
            (str(x.get("tracking_code") or "") for x in kept if x.get("tracking_code")), ""
        ),
        raw=raw,
    )


def _items(lines: list[Any], currency: str) -> tuple[OrderItem, ...]:
    grouped: dict[tuple[str, str, str, Decimal], list[OrderItem]] = {}
    kept = {id(line) for line in sold_lines(lines)}
    for index, line in enumerate(lines):
        if id(line) not in kept:
            continue
        path = f"order_items[{index}]."
        item_id = text(line, "product_id", path=path, required=False)
        model_id = text(line, "sku_id", path=path, required=False)
        shop_sku = text(line, "shop_sku", path=path, required=False)
        item = OrderItem(
            item_id=item_id or shop_sku,
            model_id=model_id if item_id else "",
            seller_sku=text(line, "sku", path=path, required=False).strip(),
            name=text(line, "name", path=path, required=False),
            quantity=1,
            unit_price=money(line, "paid_price", currency, path=path),
            original_price=money(line, "item_price", currency, path=path),
            line_id=text(line, "order_item_id", path=path),
        )
        if not item.item_id:
            raise bad(path + "product_id")
        key = (item.item_id, item.model_id, item.seller_sku, item.unit_price)
        grouped.setdefault(key, []).append(item)
    return tuple(replace(same[0], quantity=len(same)) for same in grouped.values())


COUNTRY_CODES = {
    **dict.fromkeys(("vn", "vietnam", "viet nam", "việt nam"), "VN"),
    **dict.fromkeys(("th", "thailand", "ประเทศไทย", "ไทย"), "TH"),
}


def _address(value: Any) -> Address | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise bad("address_shipping")

    def part(name: str) -> str:
        return text(value, name, path="address_shipping.", required=False).strip()

    name = " ".join(p for p in (part("first_name"), part("last_name")) if p)
    street = [part(f"address{n}") for n in range(1, 6)]
    return Address(
        name=name,
        phone=part("phone"),
        full_address=", ".join(p for p in [*street, part("city")] if p),
        region=COUNTRY_CODES.get(part("country").casefold(), ""),
        province=part("city"),
        district=part("address4"),
        ward=part("address5"),
        postcode=part("post_code"),
    )


# -- products ---------------------------------------------------------------------------------


def listing_rows(product: Mapping[str, Any]) -> list[ListingData]:
    """ListingData for every SKU of one `/products/get` product."""
    item_id = str(product.get("item_id", ""))
    attributes = product.get("attributes") or {}
    name = str(attributes.get("name") or "") if isinstance(attributes, Mapping) else ""
    live = str(product.get("status") or "").lower() in ("active", "live")
    rows = []
    for sku in product.get("skus") or []:
        if not isinstance(sku, Mapping):
            continue
        warehouses = [
            w for w in sku.get("multiWarehouseInventories") or [] if isinstance(w, Mapping)
        ]
        if warehouses:
            stock: int | None = sum(int(w.get("sellableQuantity") or 0) for w in warehouses)
            location = str(warehouses[0].get("warehouseCode") or "")
        else:
            value = sku.get("quantity")
            stock = int(value) if isinstance(value, int | str) and str(value).isdigit() else None
            location = ""
        price = sku.get("price")
        rows.append(
            ListingData(
                item_id=item_id,
                model_id=str(sku.get("SkuId", "")),
                seller_sku=str(sku.get("SellerSku") or "").strip(),
                name=name,
                price=Decimal(str(price)) if price not in (None, "") else None,
                stock=stock,
                promotion_reserve=0,  # not in the list answer; learnt from a refused update
                active=live and str(sku.get("Status") or "active").lower() == "active",
                location_id=location if len(warehouses) > 1 else "",
                raw=sku,
            )
        )
    return rows


# -- push messages ----------------------------------------------------------------------------


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """A push (§2.7 envelope) as a WebhookEvent: type 0 names an order (one message per line:
        the engine fetches the order once), type 1 is a product's QC status (the publication naming
    that item reads its review again), type 8 says the token ends at `auth_expiry_time`."""
    data = _json_object(body)
    kind_code = data.get("message_type")
    if isinstance(kind_code, bool) or not isinstance(kind_code, int):
        raise bad("message_type")
    inner = data.get("data")
    if not isinstance(inner, Mapping):
        raise bad("data")
    kind = PUSH_KINDS.get(kind_code, "other")
    shop = data.get("seller_id") or inner.get("seller_id") or ""
    event: dict[str, Any] = {"kind": kind, "shop_id": str(shop), "raw": data}
    if kind == "order":
        event["external_id"] = text(inner, "trade_order_id", path="data.").strip()
        if not event["external_id"]:
            raise bad("data.trade_order_id")
        event["status"] = text(inner, "order_status", path="data.", required=False)
        if inner.get("status_update_time"):
            event["updated_at"] = epoch(inner["status_update_time"], "data.status_update_time")
    elif kind == "authorization_expiring" and inner.get("auth_expiry_time"):
        event["updated_at"] = epoch(inner["auth_expiry_time"], "data.auth_expiry_time")
    elif kind == "listing_review":  # QC status of a product: {"itemId", "status", "reason"}
        item = inner.get("itemId", inner.get("item_id"))
        if isinstance(item, bool) or item in (None, ""):
            raise bad("data.itemId")
        event["external_id"] = str(item).strip()
        event["status"] = text(inner, "status", path="data.", required=False)
    return WebhookEvent(**event)


def _json_object(body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("bad_field", "the body is not JSON", field="body") from None
    if not isinstance(data, dict):
        raise bad("body", "the body is not a JSON object")
    return data
