"""Shopee sandbox: the JSON control API under /_sandbox/ (for the demo and benchmarks).

Every call answers `{"ok": true, ...}` (HTTP 200) or `{"ok": false, "error": "..."}` (HTTP 400);
POST bodies are JSON objects, GET readers take query parameters.

    POST /_sandbox/add_partner        {partner_id, partner_key, callback_url?}
    POST /_sandbox/add_shop           {shop_id, name, region, warehouses?}
    POST /_sandbox/add_item           {shop_id, item_sku, name, models? | price, stock,
                                       reserved_promotion_stock?}  -> {item_id, model_ids}
    POST /_sandbox/place_order        {shop_id, lines: [[item_id, model_id, qty]], status?,
                                       payment_method?, create_time?, buyer_username?, ...}
                                      or {orders: [{...}, ...]}  -> {order_sn_list, failed}
    POST /_sandbox/malformed_order    {shop_id, lines, defect?, field?}  -> {order_sn}
    POST /_sandbox/set_order_status   {order_sn, status}
    POST /_sandbox/set_tracking       {order_sn, tracking_no}
    POST /_sandbox/set_reserve        {item_id, model_id?, reserved_promotion_stock}
    POST /_sandbox/revoke_shop        {shop_id}      (also warn_expiry, expire_access_token)
    POST /_sandbox/authorize          {partner_id, shop_id}  -> {code}
    POST /_sandbox/advance            {seconds}  -> {now}
    POST /_sandbox/configure          {callback_url?, rate_limit_per_second?, burst?,
                                       push_duplicate?, auto_authorize_shop_id?, auto_tracking?}
    POST /_sandbox/flush_pushes       {timeout?}  -> {flushed}
    POST /_sandbox/reset_calls        {}
    POST /_sandbox/publishing         {brand_mandatory?, dimension_mandatory?, option_limit?,
                                       tier_delay?, review? ("none"|"review"|"reject"),
                                       review_seconds?, review_reason?}  (listing creation)
    POST /_sandbox/review_item        {item_id, approve, reason?}  (ends an item's review)
    GET  /_sandbox/stock?item_id=&model_id=[&location_id=]  -> {stock, price}
    GET  /_sandbox/items?shop_id=     -> {items: [{item_id, item_sku, models: [...]}]}
    GET  /_sandbox/orders?shop_id=    -> {orders: [{order_sn, status, update_time}]}
    GET  /_sandbox/calls[?path=]      -> {total, counts: {path: n}} (or {count} with path)
    GET  /_sandbox/pushes             -> {deliveries: [...], lost: n}
    GET  /_sandbox/state              -> {now, partners, shops}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.sandbox import control_call

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

Params = dict[str, list[str]]
ORDER_KEYS = (
    "status",
    "payment_method",
    "create_time",
    "buyer_username",
    "buyer_user_id",
    "recipient",
    "note",
    "message_to_seller",
)


def _one(sb: ShopeeSandbox, data: dict[str, Any]) -> str:
    lines = [(int(a), int(b), int(c)) for a, b, c in data["lines"]]
    extra = {k: data[k] for k in ORDER_KEYS if k in data}
    return sb.place_order(int(data["shop_id"]), lines, **extra)


def _place(sb: ShopeeSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    batch = data.get("orders", [data])
    created, failed = [], []
    for index, spec in enumerate(batch):
        try:
            created.append(_one(sb, spec))
        except (KeyError, ValueError, TypeError) as error:
            failed.append({"index": index, "error": str(error)})
    return {"order_sn_list": created, "failed": failed}


def _add_item(sb: ShopeeSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    item_id, model_ids = sb.add_item(
        int(data["shop_id"]),
        str(data["item_sku"]),
        str(data["name"]),
        data.get("models"),
        price=data.get("price", 0),
        stock=data.get("stock", 0),
        reserved_promotion_stock=int(data.get("reserved_promotion_stock", 0)),
    )
    return {"item_id": item_id, "model_ids": model_ids}


def _stock(sb: ShopeeSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    item_id = int(params["item_id"][0])
    model_id = int((params.get("model_id") or ["0"])[0])
    location = params["location_id"][0] if params.get("location_id") else None
    return {
        "stock": sb.item_stock(item_id, model_id, location),
        "price": sb.item_price(item_id, model_id),
    }


def _items(sb: ShopeeSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    shop_id = int((params.get("shop_id") or ["0"])[0])
    with sb.lock:
        return {
            "items": [
                {
                    "item_id": item.item_id,
                    "item_sku": item.item_sku,
                    "name": item.name,
                    "models": [
                        {
                            "model_id": m.model_id,
                            "model_sku": m.model_sku,
                            "price": m.price,
                            "stock": dict(m.stock),
                            "reserved_promotion_stock": m.reserved,
                        }
                        for m in item.models
                    ],
                }
                for item in sb.items.values()
                if not shop_id or item.shop_id == shop_id
            ]
        }


def _orders(sb: ShopeeSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    shop_id = int((params.get("shop_id") or ["0"])[0])
    with sb.lock:
        return {
            "orders": [
                {
                    "order_sn": o.order_sn,
                    "shop_id": o.shop_id,
                    "status": o.status,
                    "create_time": o.create_time,
                    "update_time": o.update_time,
                }
                for o in sb.orders.values()
                if not shop_id or o.shop_id == shop_id
            ]
        }


def _calls(sb: ShopeeSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    path = params["path"][0] if params.get("path") else None
    if path:
        return {"count": sb.call_count(path)}
    return {"total": sb.call_count(), "counts": sb.call_counts()}


def _pushes(sb: ShopeeSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    deliveries = [
        {
            "url": d.url,
            "code": d.code,
            "body": d.body.decode(),
            "status": d.status,
            "ok": d.ok,
            "empty_body": d.empty_body,
        }
        for d in sb.deliveries
    ]
    return {"deliveries": deliveries, "lost": len(sb.lost)}


def _state(sb: ShopeeSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    with sb.lock:
        return {
            "now": sb.now(),
            "partners": [p.partner_id for p in sb.partners.values()],
            "shops": [
                {
                    "shop_id": s.shop_id,
                    "name": s.name,
                    "region": s.region,
                    "warehouses": s.warehouses,
                }
                for s in sb.shops.values()
            ],
        }


def _shop_action(name: str) -> Callable[[ShopeeSandbox, dict[str, Any], Params], Any]:
    def run(sb: ShopeeSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
        getattr(sb, name)(int(data["shop_id"]))
        return {}

    return run


PUBLISHING_OPTIONS = (
    "brand_mandatory",
    "dimension_mandatory",
    "option_limit",
    "tier_delay",
    "review",
    "review_seconds",
    "review_reason",
)


def _publishing(sb: ShopeeSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    unknown = sorted(set(data) - set(PUBLISHING_OPTIONS))
    if unknown:
        raise ValueError(f"unknown publishing options {unknown}")
    with sb.lock:
        for name, value in data.items():
            setattr(sb.publishing, name, value)
    return {}


def _review(sb: ShopeeSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    from .shopee_items import review_item

    review_item(
        sb, int(data["item_id"]), approve=bool(data["approve"]), reason=str(data.get("reason", ""))
    )
    return {}


def _advance(sb: ShopeeSandbox, seconds: float) -> dict[str, Any]:
    sb.advance(seconds)
    return {"now": sb.now()}


Action = Callable[["ShopeeSandbox", dict[str, Any], Params], Any]
POST_ACTIONS: dict[str, Action] = {
    "add_partner": lambda sb, d, _: sb.add_partner(
        int(d["partner_id"]), str(d["partner_key"]), d.get("callback_url")
    ),
    "add_shop": lambda sb, d, _: sb.add_shop(
        int(d["shop_id"]), str(d["name"]), str(d.get("region", "VN")), d.get("warehouses")
    ),
    "add_item": _add_item,
    "place_order": _place,
    "malformed_order": lambda sb, d, _: {
        "order_sn": sb.malformed_order(
            int(d["shop_id"]),
            [(int(a), int(b), int(c)) for a, b, c in d["lines"]],
            defect=str(d.get("defect", "missing_field")),
            field=str(d.get("field", "item_list.model_quantity_purchased")),
        )
    },
    "set_reserve": lambda sb, d, _: sb.set_reserve(
        int(d["item_id"]), int(d.get("model_id", 0)), int(d["reserved_promotion_stock"])
    ),
    "set_order_status": lambda sb, d, _: sb.set_order_status(str(d["order_sn"]), str(d["status"])),
    "set_tracking": lambda sb, d, _: sb.set_tracking(str(d["order_sn"]), str(d["tracking_no"])),
    "revoke_shop": _shop_action("revoke_shop"),
    "warn_expiry": _shop_action("warn_expiry"),
    "expire_access_token": _shop_action("expire_access_token"),
    "authorize": lambda sb, d, _: {"code": sb.authorize(int(d["partner_id"]), int(d["shop_id"]))},
    "advance": lambda sb, d, _: _advance(sb, float(d["seconds"])),
    "configure": lambda sb, d, _: sb.configure(**d),
    "flush_pushes": lambda sb, d, _: {"flushed": sb.flush_pushes(float(d.get("timeout", 5)))},
    "reset_calls": lambda sb, d, _: sb.reset_calls(),
    "publishing": _publishing,
    "review_item": _review,
}
GET_ACTIONS: dict[str, Action] = {
    "stock": _stock,
    "items": _items,
    "orders": _orders,
    "calls": _calls,
    "pushes": _pushes,
    "state": _state,
}


def control(
    sb: ShopeeSandbox, method: str, path: str, params: Params, raw: bytes
) -> tuple[int, dict[str, Any]]:
    return control_call(sb, method, path, params, raw, post=POST_ACTIONS, get=GET_ACTIONS)
