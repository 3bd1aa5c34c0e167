"""Lazada sandbox: the API handlers (marketplaces.md §2.2, §2.5, §2.6). Each takes the sandbox,
the caller's seller id (None for the token API) and the request's params (query, form and JSON
body together), and returns the `data` of the success envelope or raises ApiError."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from .lazada_state import ApiError, Order, Product, Sku, Token, iso, money, new_token

if TYPE_CHECKING:
    from .lazada import LazadaSandbox

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
ORDER_LIMIT, ITEMS_BATCH, PRODUCT_LIMIT, SKU_MAX = 100, 50, 50, 50
FILTERS = ("all", "live", "inactive", "deleted", "pending", "rejected", "sold-out")


# -- tokens -----------------------------------------------------------------------------------


def token_create(sb: LazadaSandbox, p: dict[str, str]) -> dict[str, Any]:
    code = p.get("code", "")
    grant = sb.codes.get(code)
    if grant is None or grant.used or grant.expires_at < sb.now() or grant.app_key != p["app_key"]:
        raise ApiError("InvalidCode", "Invalid authorization code")
    grant.used = True
    return _issue(sb, grant.app_key, grant.seller_id, list_key="country_user_info")


def token_refresh(sb: LazadaSandbox, p: dict[str, str]) -> dict[str, Any]:
    old = p.get("refresh_token", "")
    token = sb.refresh_tokens.get(old)
    if token is None or token.expires_at < sb.now() or token.app_key != p["app_key"]:
        raise ApiError("IllegalRefreshToken", "The specified refresh token is invalid or expired")
    keep = None if sb.rotate_refresh_token else old
    if sb.rotate_refresh_token:
        del sb.refresh_tokens[old]
    return _issue(sb, token.app_key, token.seller_id, list_key="country_user_info_list", keep=keep)


def _issue(
    sb: LazadaSandbox, app_key: str, seller_id: int, *, list_key: str, keep: str | None = None
) -> dict[str, Any]:
    now = sb.now()
    access = new_token()
    sb.access_tokens[access] = Token(app_key, seller_id, now + sb.access_token_ttl)
    refresh = keep or new_token()
    if keep is None:
        sb.refresh_tokens[refresh] = Token(app_key, seller_id, now + sb.refresh_token_ttl)
    seller = sb.sellers[seller_id]
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": sb.access_token_ttl,
        "refresh_expires_in": int(sb.refresh_tokens[refresh].expires_at - now),
        "country": seller.country.lower(),
        "account": f"seller{seller_id}@sandbox.test",
        "account_platform": "seller_center",
        list_key: [
            {
                "country": seller.country.lower(),
                "seller_id": str(seller_id),
                "user_id": str(seller_id + 1),
                "short_code": f"VN{seller_id}",
            }
        ],
    }


def seller_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    seller = sb.sellers[seller_id]
    return {
        "seller_id": seller_id,
        "name": seller.name,
        "country": seller.country,
        "short_code": f"VN{seller_id}",
        "status": "ACTIVE",
    }


# -- orders -----------------------------------------------------------------------------------


def _date(p: dict[str, str], name: str) -> float | None:
    value = p.get(name)
    if value in (None, ""):
        return None
    if not DATE.match(value):
        raise ApiError("E017", f"Invalid date format of {name}: YYYY-MM-DDTHH:mm:ss+HH:MM")
    return datetime.fromisoformat(value).timestamp()


def _int(p: dict[str, str], name: str, default: int, code: str, top: int | None) -> int:
    raw = p.get(name, str(default))
    if not raw.lstrip("-").isdigit() or int(raw) < 0 or (top is not None and int(raw) > top):
        raise ApiError(code, f"Invalid {name}: {raw}")
    return int(raw)


def orders_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    created_after, update_after = _date(p, "created_after"), _date(p, "update_after")
    if created_after is None and update_after is None:
        raise ApiError("MissingParameter", "created_after or update_after is required")
    created_before, update_before = _date(p, "created_before"), _date(p, "update_before")
    limit = _int(p, "limit", ORDER_LIMIT, "E019", ORDER_LIMIT)
    offset = _int(p, "offset", 0, "E014", None)
    status = p.get("status", "")
    sort_by = p.get("sort_by", "created_at")
    if sort_by not in ("created_at", "updated_at"):
        raise ApiError("E036", f"Invalid sort_by {sort_by}")
    rows = [o for o in sb.orders.values() if o.seller_id == seller_id]
    if created_after is not None:
        rows = [o for o in rows if o.created >= created_after]
    if created_before is not None:
        rows = [o for o in rows if o.created < created_before]
    if update_after is not None:
        rows = [o for o in rows if int(o.updated) >= update_after]
    if update_before is not None:
        rows = [o for o in rows if int(o.updated) < update_before]
    if status:
        rows = [o for o in rows if status in o.statuses()]
    key = (
        (lambda o: (o.created, o.order_id))
        if sort_by == "created_at"
        else (lambda o: (int(o.updated), o.order_id))
    )
    rows.sort(key=key, reverse=p.get("sort_direction", "DESC").upper() == "DESC")
    page = rows[offset : offset + limit]
    return {"count": len(page), "countTotal": len(rows), "orders": [header(sb, o) for o in page]}


def header(sb: LazadaSandbox, order: Order) -> dict[str, Any]:
    country = sb.sellers[order.seller_id].country
    price = sum((sb.products[x.item_id].sku(x.sku_id).price for x in order.lines), Decimal(0))  # type: ignore[union-attr]
    return {
        "order_id": order.order_id,
        "order_number": order.order_id,
        "created_at": iso(order.created, country),
        "updated_at": iso(order.updated, country),
        "price": money(price),
        "shipping_fee": money(order.shipping_fee),
        "payment_method": order.payment_method,
        "customer_first_name": order.customer[0],
        "customer_last_name": order.customer[1],
        "items_count": len(order.lines),
        "statuses": order.statuses(),
        "address_shipping": dict(order.address),
        "remarks": order.remarks,
        "warehouse_code": order.lines[0].warehouse if order.lines else "",
    }


def _items(sb: LazadaSandbox, order: Order) -> list[dict[str, Any]]:
    country = sb.sellers[order.seller_id].country
    out = []
    for line in order.lines:
        product = sb.products[line.item_id]
        sku = product.sku(line.sku_id)
        assert sku is not None
        row = {
            "order_item_id": line.order_item_id,
            "order_id": order.order_id,
            "product_id": line.item_id,
            "sku_id": line.sku_id,
            "sku": sku.seller_sku,
            "shop_sku": f"{line.item_id}_{country}-{line.sku_id}",
            "name": product.name,
            "variation": "",
            "item_price": money(sku.price),
            "paid_price": money(sku.special_price or sku.price),
            "currency": sb.sellers[order.seller_id].currency,
            "status": line.status,
            "reason": line.reason,
            "tracking_code": line.tracking_code,
            "shipment_provider": "LEX VN" if line.tracking_code else "",
            "package_id": f"FP{line.order_item_id}",
            "warehouse_code": line.warehouse,
            "updated_at": iso(line.updated, country),
        }
        if order.defect:
            row.pop(order.defect["field"], None)
        out.append(row)
    return out


def _order(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> Order:
    raw = p.get("order_id", "")
    if not raw.isdigit():
        raise ApiError("MissingParameter", "order_id is required")
    order = sb.orders.get(int(raw))
    if order is None or order.seller_id != seller_id:
        raise ApiError("E016", f"Order {raw} not found")
    return order


def order_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    return header(sb, _order(sb, seller_id, p))


def order_items_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> list[Any]:
    return _items(sb, _order(sb, seller_id, p))


def orders_items_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> list[Any]:
    try:
        ids = json.loads(p.get("order_ids", ""))
    except ValueError:
        raise ApiError("MissingParameter", "order_ids must be a list like [1,2]") from None
    if not isinstance(ids, list) or not ids:
        raise ApiError("MissingParameter", "order_ids must be a list like [1,2]")
    if len(ids) > ITEMS_BATCH:
        raise ApiError("E019", f"At most {ITEMS_BATCH} order_ids")
    found = [sb.orders.get(int(i)) for i in ids if str(i).isdigit()]
    return [
        {"order_id": o.order_id, "order_number": o.order_id, "order_items": _items(sb, o)}
        for o in found
        if o is not None and o.seller_id == seller_id
    ]


# -- products ---------------------------------------------------------------------------------


def _product(sb: LazadaSandbox, product: Product) -> dict[str, Any]:
    return {
        "item_id": product.item_id,
        "status": product.status,
        "created_time": str(int(product.created * 1000)),
        "updated_time": str(int(product.updated * 1000)),
        "attributes": {"name": product.name},
        "skus": [_sku(product, s) for s in product.skus],
    }


def _sku(product: Product, sku: Sku) -> dict[str, Any]:
    return {
        "SkuId": sku.sku_id,
        "SellerSku": sku.seller_sku,
        "ShopSku": f"{product.item_id}-{sku.sku_id}",
        "Status": sku.status,
        "quantity": sku.total(),
        "Available": sku.total(),
        "price": float(sku.price),
        "special_price": float(sku.special_price) if sku.special_price else 0,
        "multiWarehouseInventories": [
            {
                "warehouseCode": code,
                "quantity": qty,
                "sellableQuantity": qty,
                "totalQuantity": qty,
                "occupyQuantity": 0,
                "withholdQuantity": 0,
            }
            for code, qty in sku.sellable.items()
        ],
    }


def products_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    name = p.get("filter", "")
    if name not in FILTERS:
        raise ApiError("MissingParameter", "filter is required (all, live, inactive, ...)")
    limit = _int(p, "limit", 10, "E019", PRODUCT_LIMIT)
    offset = _int(p, "offset", 0, "E014", sb.product_offset_max)
    rows = sorted(
        (x for x in sb.products.values() if x.seller_id == seller_id), key=lambda x: x.item_id
    )
    windows = _windows(p)
    rows = [x for x in rows if _in_windows(windows, x)]
    status = {"live": "Active", "inactive": "InActive", "deleted": "Deleted"}
    status.update(pending="Pending QC", rejected="Rejected")
    if name == "sold-out":
        rows = [x for x in rows if all(s.total() == 0 for s in x.skus)]
    elif name != "all":
        rows = [x for x in rows if x.status == status[name]]
    wanted = p.get("sku_seller_list")
    if wanted:
        skus = set(json.loads(wanted))
        rows = [x for x in rows if any(s.seller_sku in skus for s in x.skus)]
    return {
        "total_products": len(rows),
        "products": [_product(sb, x) for x in rows[offset : offset + limit]],
    }


def _windows(p: dict[str, str]) -> list[tuple[str, float | None, float | None]]:
    """`create_after`/`create_before`/`update_after`/`update_before` (ISO 8601, E017 when
    malformed) as (create|update, on or after, strictly before)."""
    return [(n, _date(p, f"{n}_after"), _date(p, f"{n}_before")) for n in ("create", "update")]


def _in_windows(windows: list[tuple[str, float | None, float | None]], product: Product) -> bool:
    for name, after, before in windows:
        moment = int(product.created if name == "create" else product.updated)
        if (after is not None and moment < after) or (before is not None and moment >= before):
            return False
    return True


def product_item_get(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> dict[str, Any]:
    product = sb.products.get(int(p.get("item_id") or 0))
    if product is None or product.seller_id != seller_id:
        raise ApiError("E016", "Product not found")
    return _product(sb, product)


# -- XML updates ------------------------------------------------------------------------------


def _sku_rows(
    sb: LazadaSandbox, seller_id: int, payload: str
) -> list[tuple[ET.Element, Sku | None]]:
    try:
        root = ET.fromstring(payload)  # noqa: S314 - a local test server; expat has no DTD fetching
    except ET.ParseError:
        raise ApiError("MissingParameter", "payload is not valid XML") from None
    nodes = root.findall("./Product/Skus/Sku")
    if not nodes:
        raise ApiError("MissingParameter", "payload has no <Sku>")
    if len(nodes) > SKU_MAX:
        raise ApiError("E204", f"Too many SKUs in one request (at most {SKU_MAX})")
    if sb.service_timeout_over is not None and len(nodes) > sb.service_timeout_over:
        raise ApiError("ServiceTimeout", "The request has failed due to timeout", "SYSTEM")
    rows = []
    for node in nodes:
        item, sku_id, seller_sku = (
            node.findtext(n) or "" for n in ("ItemId", "SkuId", "SellerSku")
        )
        product = sb.products.get(int(item)) if item.isdigit() else None
        found = product.sku(int(sku_id)) if product and sku_id.isdigit() else None
        if found is None and seller_sku:
            found = next(
                (
                    s
                    for x in sb.products.values()
                    if x.seller_id == seller_id
                    for s in x.skus
                    if s.seller_sku == seller_sku
                ),
                None,
            )
        if product is not None and product.seller_id != seller_id:
            found = None
        rows.append((node, found))
    return rows


def _quantity(text: str | None) -> int:
    if text is None or not text.strip().lstrip("-").isdigit():
        raise ValueError(text)
    return int(text)


def stock_update(sb: LazadaSandbox, seller_id: int, p: dict[str, str], *, delta: bool) -> None:
    """Absolute (`delta` False) or relative sellable quantities; a SKU whose result would go
    below its campaign lock (or below 0) is refused with 501 and a per-SKU detail."""
    detail: list[dict[str, Any]] = []
    changes: list[tuple[Sku, dict[str, int]]] = []
    for node, sku in _sku_rows(sb, seller_id, p.get("payload", "")):
        who = {
            "item_id": node.findtext("ItemId") or "",
            "sku_id": node.findtext("SkuId") or "",
            "seller_sku": node.findtext("SellerSku") or "",
        }
        if sku is None:
            detail.append({**who, "field": "SkuId", "message": "SKU not found"})
            continue
        try:
            wanted = _wanted(node, sku, delta)
        except ValueError:
            detail.append({**who, "field": "SellableQuantity", "message": "Invalid quantity"})
            continue
        total = sum({**sku.sellable, **wanted}.values())
        if min(wanted.values()) < 0:
            message = "SellableQuantity cannot be negative"
            detail.append({**who, "field": "SellableQuantity", "message": message})
            continue
        if total < sku.campaign_lock:
            detail.append(
                {
                    **who,
                    "field": "SellableQuantity",
                    "message": (
                        f"SellableQuantity {total} is lower than the campaign locked quantity "
                        f"{sku.campaign_lock}"
                    ),
                }
            )
            continue
        changes.append((sku, wanted))
    if not detail or sb.partial_apply:
        for sku, wanted in changes:
            sku.sellable.update(wanted)
    if detail:
        raise ApiError("501", "Update failed for some SKUs", detail=detail)


def _wanted(node: ET.Element, sku: Sku, delta: bool) -> dict[str, int]:
    per = node.findall("./MultiWarehouseInventories/MultiWarehouseInventory")
    pairs = (
        [
            (w.findtext("WarehouseCode") or "", _quantity(w.findtext("SellableQuantity")))
            for w in per
        ]
        if per
        else [
            (next(iter(sku.sellable), "dropshipping"), _quantity(node.findtext("SellableQuantity")))
        ]
    )
    return {code: (sku.sellable.get(code, 0) + q if delta else q) for code, q in pairs}


def price_update(sb: LazadaSandbox, seller_id: int, p: dict[str, str]) -> None:
    detail = []
    for node, sku in _sku_rows(sb, seller_id, p.get("payload", "")):
        who = {"item_id": node.findtext("ItemId") or "", "sku_id": node.findtext("SkuId") or ""}
        try:
            price = Decimal((node.findtext("Price") or "").strip())
        except InvalidOperation:
            price = Decimal(-1)
        if sku is None or not price.is_finite() or price <= 0:
            detail.append({**who, "field": "Price", "message": "SKU not found or bad price"})
            continue
        sku.price = price
    if detail:
        raise ApiError("501", "Update failed for some SKUs", detail=detail)
