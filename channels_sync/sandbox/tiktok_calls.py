"""TikTok sandbox: orders, products, inventory and prices (marketplaces.md §3.5 and §3.6)."""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .tiktok_api import Call, page_size, page_start, page_token
from .tiktok_state import (
    BAD_PARAM,
    BAD_PRICE,
    PRODUCT_NOT_ACTIVE,
    PRODUCT_NOT_FOUND,
    PROMOTION_LOCK,
    QUANTITY_RANGE,
    TOO_MANY_SKUS,
    UNKNOWN_SKU,
    WAREHOUSES_INCOMPLETE,
    ApiError,
    Order,
    Product,
)

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

HIDDEN_ADDRESS = ("UNPAID", "ON_HOLD")


def _scope(call: Call) -> str:
    """What a page token belongs to: the search and its filters."""
    text = json.dumps([call.path, call.body, call.query("sort_order")], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _int_filter(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(BAD_PARAM, f"{name} must be a Unix timestamp.", 400)
    return value


# -- orders ---------------------------------------------------------------------------------------


def order_json(sb: TikTokSandbox, order: Order) -> dict[str, Any]:
    status = sb.detail_cancel_status if order.status == "CANCELLED" else order.status
    lines = []
    total = Decimal(0)
    for unit in order.units:
        product = sb.products[unit.product_id]
        sku = product.sku(unit.sku_id)
        assert sku is not None
        total += Decimal(sku.price)
        lines.append(
            {
                "id": unit.line_id,
                "sku_id": sku.sku_id,
                "product_id": product.product_id,
                "seller_sku": sku.seller_sku,
                "product_name": product.title,
                "sku_name": ", ".join(sku.options),
                "sale_price": sku.price,
                "original_price": sku.price,
                "display_status": status,
                "package_id": f"P{order.order_id}",
                "is_gift": False,
            }
        )
    if sb.line_quantity_field:
        lines = _with_quantity(lines)
    currency = sb.shops[order.shop_id].currency
    data: dict[str, Any] = {
        "id": order.order_id,
        "status": status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "paid_time": order.paid_time,
        "user_id": order.user_id,
        "buyer_message": order.buyer_message,
        "payment": {
            "currency": currency,
            "sub_total": _text(total),
            "shipping_fee": order.shipping_fee,
            "seller_discount": "0",
            "platform_discount": "0",
            "total_amount": _text(total + Decimal(order.shipping_fee)),
            "original_total_product_price": _text(total),
        },
        "line_items": lines,
        "packages": [{"id": f"P{order.order_id}"}],
        "warehouse_id": order.units[0].warehouse_id if order.units else "",
        "is_cod": order.is_cod,
        "cancel_reason": order.cancel_reason,
        "shipping_type": "TIKTOK",
    }
    if order.status not in HIDDEN_ADDRESS:
        data["recipient_address"] = copy.deepcopy(order.recipient)
    if order.defect:
        _spoil(data, order.defect["field"])
    return data


def _with_quantity(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The other reading of §3.5 [UNV]: one row per SKU carrying the number of units."""
    rows: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = rows.setdefault(line["sku_id"], {**line, "quantity": 0})
        row["quantity"] += 1
    return list(rows.values())


def _spoil(data: dict[str, Any], field: str) -> None:
    if field == "bad_price":
        for line in data["line_items"]:
            line["sale_price"] = "abc"
        data["payment"]["total_amount"] = "abc"
        return
    head, _, rest = field.partition(".")
    target = data.get(head)
    if not rest:
        data.pop(head, None)
    elif isinstance(target, list):
        for entry in target:
            entry.pop(rest, None)
    elif isinstance(target, dict):
        target.pop(rest, None)


def orders_search(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    size, start = page_size(call), page_start(sb, call, _scope(call))
    assert call.shop is not None
    bounds = {n: _int_filter(call.body, n) for n in ("update_time_ge", "update_time_lt")}
    bounds.update({n: _int_filter(call.body, n) for n in ("create_time_ge", "create_time_lt")})
    wanted = call.body.get("order_status")
    found = []
    for order in sb.orders.values():
        if order.shop_id != call.shop.shop_id:
            continue
        if wanted and order.status != wanted:
            continue
        if not _within(order.update_time, bounds["update_time_ge"], bounds["update_time_lt"]):
            continue
        if not _within(order.create_time, bounds["create_time_ge"], bounds["create_time_lt"]):
            continue
        found.append(order)
    descending = call.query("sort_order", "ASC") == "DESC"
    found.sort(key=lambda o: (o.update_time, o.order_id), reverse=descending)
    page = found[start : start + size]
    more = start + size < len(found)
    return {
        "orders": [order_json(sb, o) for o in page],
        "next_page_token": page_token(sb, _scope(call), start + size) if more else "",
        "total_count": len(found),
    }


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value < high)


def orders_detail(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    assert call.shop is not None
    ids = [i for i in call.query("ids").split(",") if i]
    if not ids or len(ids) > 50:
        raise ApiError(BAD_PARAM, "ids must name 1 to 50 orders.", 400)
    shop_id = call.shop.shop_id
    orders = [sb.orders[i] for i in ids if i in sb.orders and sb.orders[i].shop_id == shop_id]
    return {"orders": [order_json(sb, o) for o in orders]}


# -- products -------------------------------------------------------------------------------------


def product_json(sb: TikTokSandbox, product: Product) -> dict[str, Any]:
    currency = sb.shops[product.shop_id].currency
    return {
        "id": product.product_id,
        "title": product.title,
        "status": product.status,
        "create_time": product.create_time,
        "update_time": product.update_time,
        "skus": [
            {
                "id": s.sku_id,
                "seller_sku": s.seller_sku,
                "price": {
                    "sale_price": s.price,
                    "currency": currency,
                    "tax_exclusive_price": s.price,
                },
                "inventory": [{"warehouse_id": w, "quantity": q} for w, q in s.stock.items()],
                "sales_attributes": [
                    {"id": str(i + 1), "name": f"Option {i + 1}", "value_name": o}
                    for i, o in enumerate(s.options)
                ],
            }
            for s in product.skus
        ],
    }


def products_search(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    size, start = page_size(call), page_start(sb, call, _scope(call))
    assert call.shop is not None
    status = call.body.get("status")
    skus = call.body.get("seller_skus") or []
    if not isinstance(skus, list) or len(skus) > 10:
        raise ApiError(BAD_PARAM, "seller_skus takes at most 10 SKUs.", 400)
    times = {
        (n, e): _int_filter(call.body, f"{n}_time_{e}e")
        for n in ("create", "update")
        for e in ("g", "l")
    }
    found = [
        p
        for p in sb.products.values()
        if p.shop_id == call.shop.shop_id
        and (p.status == status if status else p.status != "DELETED")
        and (not skus or any(s.seller_sku in skus for s in p.skus))
        and _between(p.create_time, times["create", "g"], times["create", "l"])
        and _between(p.update_time, times["update", "g"], times["update", "l"])
    ]
    found.sort(key=lambda p: p.product_id)
    reachable = found[: sb.search_reach]
    page = reachable[start : start + size]
    more = start + size < len(reachable)
    return {
        "products": [product_json(sb, p) for p in page],
        "next_page_token": page_token(sb, _scope(call), start + size) if more else "",
        "total_count": len(found),
    }


def _between(value: int, low: int | None, high: int | None) -> bool:
    """`*_ge` / `*_le`: both ends included."""
    return (low is None or value >= low) and (high is None or value <= high)


def _product(sb: TikTokSandbox, call: Call) -> Product:
    assert call.shop is not None
    product_id = call.path.split("/")[4]
    product = sb.products.get(product_id)
    if product is None or product.shop_id != call.shop.shop_id:
        raise ApiError(PRODUCT_NOT_FOUND, "The product does not exist.", 200)
    return product


def product_get(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    return product_json(sb, _product(sb, call))


def _sku_entries(call: Call) -> list[dict[str, Any]]:
    skus = call.body.get("skus")
    if not isinstance(skus, list) or not skus or not all(isinstance(s, dict) for s in skus):
        raise ApiError(BAD_PARAM, "skus is required.", 400)
    if len(skus) > 100:
        raise ApiError(TOO_MANY_SKUS, "A call updates at most 100 SKUs.", 200)
    return skus


def inventory_update(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    """Partial success: the valid SKUs are written, the others listed in `errors`."""
    product = _product(sb, call)
    entries = _sku_entries(call)
    if product.status != "ACTIVATE":
        raise ApiError(PRODUCT_NOT_ACTIVE, "Inventory is updated for active products only.", 200)
    errors = []
    for entry in entries:
        problem = _inventory_problem(sb, product, entry)
        if problem is not None:
            code, message = problem
            detail = {"sku_id": str(entry.get("id", "")), "extra_errors": []}
            errors.append({"code": code, "message": message, "detail": detail})
            continue
        sku = product.sku(str(entry["id"]))
        assert sku is not None
        before = sum(sku.stock.values())
        for place in entry["inventory"]:
            sku.stock[str(place["warehouse_id"])] = place["quantity"]
        product.update_time = int(sb.now())
        sb.inventory_changed(product.shop_id, product.product_id, sku.sku_id, before)
    return {"errors": errors} if errors else {}


def _inventory_problem(
    sb: TikTokSandbox, product: Product, entry: dict[str, Any]
) -> tuple[int, str] | None:
    sku = product.sku(str(entry.get("id", "")))
    if sku is None:
        return UNKNOWN_SKU, "The SKU does not belong to the product."
    places = entry.get("inventory")
    if not isinstance(places, list) or not all(isinstance(p, dict) for p in places):
        return WAREHOUSES_INCOMPLETE, "inventory is required."
    named = [str(p.get("warehouse_id", "")) for p in places]
    if sorted(named) != sorted(sku.stock):
        return WAREHOUSES_INCOMPLETE, "Every warehouse of the SKU must be listed once."
    lowest = 0 if sb.allow_zero_quantity else 1
    for place in places:
        quantity = place.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            return QUANTITY_RANGE, "quantity must be an integer."
        if not lowest <= quantity <= 99_999:
            return QUANTITY_RANGE, f"quantity must be between {lowest} and 99999."
    total = sum(int(p["quantity"]) for p in places)
    if total < sku.promotion_lock:
        return (
            PROMOTION_LOCK,
            "The SKU is in a promotion: its stock cannot go below the locked quantity.",
        )
    return None


def prices_update(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    """All or nothing: an unknown SKU or a bad price refuses the call."""
    product = _product(sb, call)
    entries = _sku_entries(call)
    currency = sb.shops[product.shop_id].currency
    plan = []
    for entry in entries:
        sku = product.sku(str(entry.get("id", "")))
        if sku is None:
            raise ApiError(UNKNOWN_SKU, "The SKU does not belong to the product.", 200)
        price = entry.get("price")
        if not isinstance(price, dict):
            raise ApiError(BAD_PRICE, "price is required.", 200)
        try:
            amount = Decimal(str(price.get("amount")))
        except InvalidOperation:
            raise ApiError(BAD_PRICE, "price.amount is not a number.", 200) from None
        if not amount.is_finite() or amount <= 0 or price.get("currency") != currency:
            raise ApiError(BAD_PRICE, f"price must be a positive amount in {currency}.", 200)
        plan.append((sku, _text(amount)))
    for sku, amount_text in plan:
        sku.price = amount_text
    product.update_time = int(sb.now())
    return {}


def _text(amount: Decimal) -> str:
    return format(amount.normalize(), "f") if amount else "0"
