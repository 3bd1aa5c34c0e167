"""Shopee JSON -> our dataclasses (no HTTP): order details (get_order_detail with every optional
field of marketplaces.md §1.5), push messages (§1.7) and items/models (§1.6).

Anything missing or of the wrong type raises PayloadError("bad_field", field=<dotted name>),
so the one order is quarantined with the field staff must look at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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

PRECISION = {"VND": 0, "IDR": 0, "THB": 2, "SGD": 2, "MYR": 2, "PHP": 2}
COD_METHODS = frozenset({"COD", "CASH ON DELIVERY", "CASH_ON_DELIVERY"})
PUSH_KINDS = {
    1: "authorized",
    2: "deauthorized",
    3: "order",
    4: "tracking",
    8: "reserved_stock",  # a promotion's reserved stock changed (the listings pull reads it)
    12: "authorization_expiring",
}


def bad(field: str, message: str = "") -> PayloadError:
    return PayloadError("bad_field", message or f"{field} is missing or not valid", field=field)


def text(raw: Mapping[str, Any], name: str, *, path: str = "", required: bool = True) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(path + name)
    return str(value)


def integer(raw: Mapping[str, Any], name: str, *, path: str = "") -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(path + name)
    return value


def moment(raw: Mapping[str, Any], name: str, *, path: str = "") -> datetime:
    value = integer(raw, name, path=path)
    if value <= 0:
        raise bad(path + name)
    return datetime.fromtimestamp(value, tz=UTC)


def money(raw: Mapping[str, Any], name: str, currency: str, *, path: str = "") -> Decimal:
    """A JSON number in `currency`, exact at the currency's precision (VND 0, THB 2)."""
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad(path + name)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise bad(path + name) from None
    if not amount.is_finite() or amount < 0:
        raise bad(path + name)
    exponent = Decimal(1).scaleb(-PRECISION.get(currency, 2))
    exact = amount.quantize(exponent)
    if exact != amount:
        raise bad(path + name, f"{path}{name} has more decimals than {currency} allows")
    return exact


def parse_order(raw: Mapping[str, Any]) -> OrderData:
    """One entry of get_order_detail's `order_list` as OrderData."""
    if not isinstance(raw, Mapping):
        raise bad("order")
    currency = text(raw, "currency")
    if not currency:
        raise bad("currency")
    lines = raw.get("item_list")
    if not isinstance(lines, list) or not lines:
        raise bad("item_list")
    payment_method = text(raw, "payment_method", required=False)
    cod = payment_method.strip().upper() in COD_METHODS
    if not payment_method and raw.get("cod") is True:
        cod = True
    pay_time = raw.get("pay_time")
    return OrderData(
        external_id=_order_sn(raw),
        status=text(raw, "order_status"),
        created_at=moment(raw, "create_time"),
        updated_at=moment(raw, "update_time"),
        currency=currency,
        total=money(raw, "total_amount", currency),
        shipping_fee=_shipping_fee(raw, currency),
        cod=cod,
        buyer_id=text(raw, "buyer_user_id", required=False),
        buyer_username=text(raw, "buyer_username", required=False),
        address=_address(raw.get("recipient_address")),
        items=tuple(_item(line, index, currency) for index, line in enumerate(lines)),
        paid_at=moment(raw, "pay_time") if pay_time not in (None, 0) else None,
        note=text(raw, "note", required=False),
        cancel_reason=text(raw, "cancel_reason", required=False),
        tracking_number=text(raw, "tracking_number", required=False),
        raw=raw,
    )


def _order_sn(raw: Mapping[str, Any]) -> str:
    order_sn = text(raw, "order_sn")
    if not order_sn.strip():
        raise bad("order_sn")
    return order_sn


def _shipping_fee(raw: Mapping[str, Any], currency: str) -> Decimal:
    for name in ("actual_shipping_fee", "estimated_shipping_fee"):
        if raw.get(name) not in (None, ""):
            return money(raw, name, currency)
    return money({"fee": 0}, "fee", currency)


def _address(value: Any) -> Address | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise bad("recipient_address")
    path = "recipient_address."

    def part(name: str) -> str:
        return text(value, name, path=path, required=False)

    return Address(
        name=part("name"),
        phone=part("phone"),
        full_address=part("full_address"),
        region=part("region"),
        province=part("state") or part("city"),
        district=part("district"),
        ward=part("town"),
        postcode=part("zipcode"),
    )


def _item(line: Any, index: int, currency: str) -> OrderItem:
    path = f"item_list[{index}]."
    if not isinstance(line, Mapping):
        raise bad(f"item_list[{index}]")
    quantity = integer(line, "model_quantity_purchased", path=path)
    if quantity < 1:
        raise bad(path + "model_quantity_purchased")
    model_id = text(line, "model_id", path=path)
    return OrderItem(
        item_id=text(line, "item_id", path=path),
        model_id="" if model_id == "0" else model_id,
        seller_sku=(
            text(line, "model_sku", path=path, required=False)
            or text(line, "item_sku", path=path, required=False)
        ).strip(),
        name=text(line, "item_name", path=path, required=False),
        quantity=quantity,
        unit_price=money(line, "model_discounted_price", currency, path=path),
        original_price=money(line, "model_original_price", currency, path=path),
        line_id=text(line, "order_item_id", path=path, required=False),
    )


# -- push messages ------------------------------------------------------------------------------


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """A push body (§1.7 envelope) as a WebhookEvent. Codes 3/4 name an order (`ordersn`,
    `status` in pushes); 1/2 carry the shop in `data.shop_id`; 12 lists the shops in
    `data.shop_expire_soon` (shop_id is set when exactly one) and `updated_at` is when the
    authorisation ends (`expire_before`)."""
    data = _json_object(body)
    code = data.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        raise bad("code")
    inner = data.get("data")
    if isinstance(inner, str):  # lost-push messages carry `data` as JSON text
        inner = _json_object(inner)
    if not isinstance(inner, Mapping):
        raise bad("data")
    kind = PUSH_KINDS.get(code, "other")
    shop = data.get("shop_id") or inner.get("shop_id") or ""
    event: dict[str, Any] = {"kind": kind, "shop_id": str(shop), "raw": data}
    if kind in ("order", "tracking"):
        event["external_id"] = text(inner, "ordersn", path="data.")
        event["status"] = text(inner, "status", path="data.", required=False)
        if kind == "order" and inner.get("update_time"):
            event["updated_at"] = moment(inner, "update_time", path="data.")
    elif kind == "authorization_expiring":
        shops = inner.get("shop_expire_soon") or []
        if not isinstance(shops, list):
            raise bad("data.shop_expire_soon")
        if not shop and len(shops) == 1:
            event["shop_id"] = str(shops[0])
        if inner.get("expire_before"):
            event["updated_at"] = moment(inner, "expire_before", path="data.")
    return WebhookEvent(**event)


def expiring_shop_ids(event: WebhookEvent) -> list[str]:
    """Every shop a code-12 push names (one push may list several)."""
    inner = event.raw.get("data")
    if isinstance(inner, str):
        inner = _json_object(inner)
    shops = inner.get("shop_expire_soon") if isinstance(inner, Mapping) else None
    listed = [str(s) for s in shops] if isinstance(shops, list) else []
    return listed or ([event.shop_id] if event.shop_id else [])


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


# -- items and models ---------------------------------------------------------------------------


def listing_rows(
    base: Mapping[str, Any], models: Mapping[str, Any] | None, fallback_currency: str
) -> list[ListingData]:
    """ListingData for one item of get_item_base_info (+ its get_model_list answer)."""
    item_id = str(base.get("item_id", ""))
    name = str(base.get("item_name") or "")
    active = base.get("item_status") == "NORMAL"
    if not base.get("has_model") or models is None:
        return [
            _listing(
                item_id, "", str(base.get("item_sku") or ""), name, active, base, fallback_currency
            )
        ]
    tiers = models.get("tier_variation") or []
    rows = []
    for model in models.get("model") or []:
        options = _options(tiers, model.get("tier_index") or [])
        rows.append(
            _listing(
                item_id,
                str(model.get("model_id", "")),
                str(model.get("model_sku") or base.get("item_sku") or ""),
                f"{name} - {options}" if options else name,
                active and model.get("model_status", "MODEL_NORMAL") == "MODEL_NORMAL",
                model,
                fallback_currency,
            )
        )
    return rows


def _options(tiers: Sequence[Any], indexes: Sequence[Any]) -> str:
    names = []
    for tier, index in zip(tiers, indexes, strict=False):
        option_list = tier.get("option_list") or [] if isinstance(tier, Mapping) else []
        if isinstance(index, int) and 0 <= index < len(option_list):
            names.append(str(option_list[index].get("option") or ""))
    return ", ".join(n for n in names if n)


def _listing(
    item_id: str,
    model_id: str,
    sku: str,
    name: str,
    active: bool,
    source: Mapping[str, Any],
    fallback_currency: str,
) -> ListingData:
    """`source` holds price_info and stock_info_v2 (the model, or a no-variant item)."""
    price = None
    prices = source.get("price_info") or []
    if prices and isinstance(prices[0], Mapping):
        currency = str(prices[0].get("currency") or fallback_currency)
        price = money(prices[0], "original_price", currency, path="price_info.")
    stock_info = source.get("stock_info_v2") or {}
    seller = [row for row in stock_info.get("seller_stock") or [] if isinstance(row, Mapping)]
    summary = stock_info.get("summary_info") or {}
    locations = [str(row["location_id"]) for row in seller if row.get("location_id")]
    return ListingData(
        item_id=item_id,
        model_id=model_id,
        seller_sku=sku.strip(),
        name=name,
        price=price,
        stock=sum(int(row.get("stock") or 0) for row in seller) if seller else None,
        promotion_reserve=int(summary.get("total_reserved_stock") or 0),
        active=active,
        location_id=locations[0] if locations else "",
        raw=source,
    )
