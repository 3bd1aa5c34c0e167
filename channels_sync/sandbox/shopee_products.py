"""Shopee sandbox: product, stock, price and warehouse endpoints (marketplaces.md section 1.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .shopee_state import ApiError, Item, Model, Request, Shop, price_info, stock_info

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
BATCH_MAX = 50
RESERVE_REASON = "Stock can not be less than the reserved promotion stock."


def _item(sb: ShopeeSandbox, req: Request, item_id: int) -> Item:
    item = sb.items.get(item_id)
    if item is None or item.shop_id != req.shop_id:
        raise ApiError("error_item_not_found", f"Item {item_id} is not found.")
    return item


def get_item_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    offset, size = req.integer("offset", 0), req.integer("page_size")
    if not 1 <= size <= 100 or offset < 0:
        raise ApiError("error_param", "Wrong parameters, detail: page_size should be in [1, 100].")
    statuses = req.items("item_status")
    if not statuses or any(s not in ITEM_STATUSES for s in statuses):
        raise ApiError("error_param", "Wrong parameters, detail: item_status is invalid.")
    time_from = req.integer("update_time_from", 0)
    time_to = req.integer("update_time_to", 2**62)
    rows = [
        item
        for item in sorted(sb.items.values(), key=lambda x: x.item_id)
        if item.shop_id == req.shop_id
        and item.status in statuses
        and time_from <= item.update_time <= time_to
    ]
    page = rows[offset : offset + size]
    more = offset + size < len(rows)
    return {
        "item": [
            {"item_id": x.item_id, "item_status": x.status, "update_time": x.update_time}
            for x in page
        ],
        "total_count": len(rows),
        "has_next_page": more,
        "next_offset": offset + size if more else 0,
    }


def _ids(req: Request, name: str) -> list[int]:
    raw = req.items(name)
    if not 1 <= len(raw) <= BATCH_MAX or not all(x.isdigit() for x in raw):
        raise ApiError(
            "error_param", f"Wrong parameters, detail: {name} size should be in [1, 50]."
        )
    return [int(x) for x in raw]


def get_item_base_info(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    from .shopee_items import settle_reviews

    settle_reviews(sb)
    shop = sb.shops[req.shop_id]
    found = [sb.items[i] for i in _ids(req, "item_id_list") if i in sb.items]
    return {"item_list": [_base_info(shop, x) for x in found if x.shop_id == req.shop_id]}


def _base_info(shop: Shop, item: Item) -> dict[str, Any]:
    info: dict[str, Any] = {
        "item_id": item.item_id,
        "category_id": item.extra.get("category_id", 100001),
        "item_name": item.name,
        "item_sku": item.item_sku,
        "item_status": item.status,
        "create_time": item.create_time,
        "update_time": item.update_time,
        "has_model": item.has_model,
    }
    if "description" in item.extra:
        info["description"] = item.extra["description"]
        info["image"] = {"image_id_list": item.extra["image_id_list"], "image_url_list": []}
    if not item.has_model:
        model = item.models[0]
        info["price_info"] = price_info(shop.currency, model.price)
        info["stock_info_v2"] = stock_info(shop, model.reserved, model.stock)
    return info


def get_model_list(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    item = _item(sb, req, req.integer("item_id"))
    shop = sb.shops[req.shop_id]
    if not item.has_model:
        return {"tier_variation": [], "model": []}
    tiers = item.extra.get("tier_variation") or [
        {"name": "Variation", "option_list": [{"option": m.model_sku} for m in item.models]}
    ]
    return {
        "tier_variation": tiers,
        "model": [
            {
                "model_id": m.model_id,
                "model_sku": m.model_sku,
                "model_status": m.status,
                "tier_index": m.tier_index if m.tier_index is not None else [index],
                "price_info": price_info(shop.currency, m.price),
                "stock_info_v2": stock_info(shop, m.reserved, m.stock),
            }
            for index, m in enumerate(item.models)
        ],
    }


def update_stock(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    item, entries = _entries_of(sb, req, "stock_list")
    shop = sb.shops[req.shop_id]
    success: list[dict[str, Any]] = []
    failure: list[dict[str, Any]] = []
    for entry in entries:
        model_id = entry.get("model_id", 0) if isinstance(entry, dict) else None
        model = item.model(model_id) if isinstance(model_id, int) else None
        if model is None:
            failure.append({"model_id": model_id, "failed_reason": "Model is not found."})
            continue
        writes, reason = _stock_writes(shop, model, entry.get("seller_stock"))
        if reason:
            failure.append({"model_id": model_id, "failed_reason": reason})
            continue
        for location, stock in writes.items():
            model.stock[location] = stock
            done: dict[str, Any] = {"model_id": model_id, "stock": stock}
            if location:
                done["location_id"] = location
            success.append(done)
    if success:
        item.update_time = int(sb.now())
    return {"success_list": success, "failure_list": failure}


def _stock_writes(shop: Shop, model: Model, seller_stock: Any) -> tuple[dict[str, int], str]:
    """The (location -> stock) writes of one model, or a reason to refuse them all."""
    if not isinstance(seller_stock, list) or not seller_stock:
        return {}, "seller_stock is required."
    writes: dict[str, int] = {}
    for row in seller_stock:
        stock = row.get("stock") if isinstance(row, dict) else None
        location = str(row.get("location_id") or "") if isinstance(row, dict) else ""
        if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
            return {}, "stock should be a non-negative integer."
        if shop.warehouses and location not in shop.warehouses:
            return {}, f"location_id {location!r} is not a warehouse of this shop."
        if not shop.warehouses and location:
            return {}, "location_id is only for multi-warehouse shops."
        writes[location] = stock
    total = sum({**model.stock, **writes}.values())
    if total < model.reserved:
        return {}, RESERVE_REASON
    return writes, ""


def _entries_of(sb: ShopeeSandbox, req: Request, name: str) -> tuple[Item, list[Any]]:
    item_id = req.body.get("item_id")
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise ApiError("error_param", "Wrong parameters, detail: item_id is required.")
    entries = req.body.get(name)
    if not isinstance(entries, list) or not 1 <= len(entries) <= BATCH_MAX:
        raise ApiError(
            "error_param", f"Wrong parameters, detail: {name} size should be in [1, 50]."
        )
    return _item(sb, req, item_id), entries


def update_price(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    item, entries = _entries_of(sb, req, "price_list")
    success: list[dict[str, Any]] = []
    failure: list[dict[str, Any]] = []
    for entry in entries:
        model_id = entry.get("model_id", 0) if isinstance(entry, dict) else None
        model = item.model(model_id) if isinstance(model_id, int) else None
        price = entry.get("original_price") if isinstance(entry, dict) else None
        if model is None:
            failure.append({"model_id": model_id, "failed_reason": "Model is not found."})
        elif not isinstance(price, int | float) or isinstance(price, bool) or price <= 0:
            failure.append({"model_id": model_id, "failed_reason": "original_price is invalid."})
        else:
            model.price = price
            success.append({"model_id": model_id, "original_price": price})
    if success:
        item.update_time = int(sb.now())
    return {"success_list": success, "failure_list": failure}


def get_warehouse_detail(sb: ShopeeSandbox, req: Request) -> list[dict[str, Any]]:
    shop = sb.shops[req.shop_id]
    if not shop.warehouses:
        raise ApiError("warehouse.error_not_in_whitelist", "Shop is not in the whitelist.")
    return [
        {
            "warehouse_id": index + 1,
            "warehouse_name": f"Warehouse {location}",
            "location_id": location,
            "address_id": index + 1,
            "region": shop.region,
            "state": "",
            "city": "",
            "district": "",
            "town": "",
            "address": f"Sandbox warehouse {location}",
            "zipcode": "",
        }
        for index, location in enumerate(shop.warehouses)
    ]
