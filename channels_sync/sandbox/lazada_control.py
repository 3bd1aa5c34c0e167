"""Lazada sandbox: the JSON control API under /_sandbox/ (demo, benchmarks, other processes).

Every call answers `{"ok": true, ...}` (HTTP 200) or `{"ok": false, "error": "..."}` (HTTP 400);
POST bodies are JSON objects, GET readers take query parameters.

    POST /_sandbox/add_app            {app_key, app_secret, callback_url?}
    POST /_sandbox/add_seller         {seller_id, name, country}
    POST /_sandbox/add_product        {seller_id, name, skus: [{seller_sku, price, stock,
                                       campaign_lock?}]}  -> {item_id, sku_ids}
    POST /_sandbox/place_order        {seller_id, lines: [[item_id, sku_id, qty]], status?,
                                       payment_method?, shipping_fee?} or {orders: [...]}
                                      -> {order_ids, failed}
    POST /_sandbox/malformed_order    {seller_id, lines, field?}  -> {order_id}
    POST /_sandbox/set_status         {order_id, status, line_ids?, reason?}
    POST /_sandbox/set_campaign_lock  {item_id, sku_id, quantity}
    POST /_sandbox/authorize          {app_key, seller_id}  -> {code}
    POST /_sandbox/revoke             {seller_id}   (also warn_expiry, expire_access_token)
    POST /_sandbox/advance            {seconds}  -> {now}
    POST /_sandbox/configure          {callback_url?, qps_per_api?, push_duplicates?, ...}
    POST /_sandbox/flush_pushes       {timeout?}  -> {flushed}
    POST /_sandbox/reset_calls        {}
    POST /_sandbox/publishing, /_sandbox/qc_finish   listings (lazada_listings)
    GET  /_sandbox/stock?item_id=&sku_id=  -> {sellable, price}
    GET  /_sandbox/orders?seller_id=  -> {orders: [{order_id, statuses, lines}]}
    GET  /_sandbox/products?seller_id=  -> {products: [{item_id, seller_id, name, status,
                                       skus: [{sku_id, seller_sku, sellable, price}]}]}
    GET  /_sandbox/calls              -> {total, counts}
    GET  /_sandbox/pushes             -> {deliveries: [...], given_up: n}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.sandbox import control_call

from .lazada_listings import CONTROL as LISTING_CONTROL

if TYPE_CHECKING:
    from .lazada import LazadaSandbox

Query = dict[str, str]
Action = Callable[["LazadaSandbox", dict[str, Any], Query], Any]
ORDER_KEYS = ("status", "payment_method", "shipping_fee", "remarks")


def _lines(data: dict[str, Any]) -> list[tuple[int, int, int]]:
    return [(int(a), int(b), int(c)) for a, b, c in data["lines"]]


def _place(sb: LazadaSandbox, data: dict[str, Any], _: Query) -> dict[str, Any]:
    created, failed = [], []
    for index, spec in enumerate(data.get("orders", [data])):
        try:
            extra = {k: spec[k] for k in ORDER_KEYS if k in spec}
            created.append(sb.place_order(int(spec["seller_id"]), _lines(spec), **extra))
        except (KeyError, ValueError, TypeError) as error:
            failed.append({"index": index, "error": str(error)})
    return {"order_ids": created, "failed": failed}


def _add_product(sb: LazadaSandbox, data: dict[str, Any], _: Query) -> dict[str, Any]:
    item_id, sku_ids = sb.add_product(int(data["seller_id"]), str(data["name"]), data["skus"])
    return {"item_id": item_id, "sku_ids": sku_ids}


def _stock(sb: LazadaSandbox, _: dict[str, Any], query: Query) -> dict[str, Any]:
    item_id, sku_id = int(query["item_id"]), int(query["sku_id"])
    return {"sellable": sb.sellable(item_id, sku_id), "price": str(sb.price(item_id, sku_id))}


def _orders(sb: LazadaSandbox, _: dict[str, Any], query: Query) -> dict[str, Any]:
    seller = int(query.get("seller_id") or 0)
    with sb.lock:
        rows = [
            {
                "order_id": o.order_id,
                "statuses": o.statuses(),
                "lines": [[x.order_item_id, x.status] for x in o.lines],
            }
            for o in sb.orders.values()
            if not seller or o.seller_id == seller
        ]
    return {"orders": rows}


def _products(sb: LazadaSandbox, _: dict[str, Any], query: Query) -> dict[str, Any]:
    seller = int(query.get("seller_id") or 0)
    with sb.lock:
        rows = [
            {
                "item_id": p.item_id,
                "seller_id": p.seller_id,
                "name": p.name,
                "status": p.status,
                "skus": [
                    {
                        "sku_id": s.sku_id,
                        "seller_sku": s.seller_sku,
                        "sellable": s.total(),
                        "price": str(s.price),
                    }
                    for s in p.skus
                ],
            }
            for p in sb.products.values()
            if not seller or p.seller_id == seller
        ]
    return {"products": rows}


def _pushes(sb: LazadaSandbox, _: dict[str, Any], __: Query) -> dict[str, Any]:
    rows = [
        {
            "message_type": d.message_type,
            "body": d.body.decode(),
            "attempt": d.attempt,
            "status": d.status,
            "ok": d.ok,
        }
        for d in sb.deliveries
    ]
    return {"deliveries": rows, "given_up": len(sb.given_up)}


def _seller_action(name: str) -> Action:
    def run(sb: LazadaSandbox, data: dict[str, Any], _: Query) -> dict[str, Any]:
        getattr(sb, name)(int(data["seller_id"]))
        return {}

    return run


def _advance(sb: LazadaSandbox, seconds: float) -> dict[str, Any]:
    sb.advance(seconds)
    return {"now": sb.now()}


POST_ACTIONS: dict[str, Action] = {
    "add_app": lambda sb, d, _: sb.add_app(
        str(d["app_key"]), str(d["app_secret"]), d.get("callback_url")
    ),
    "add_seller": lambda sb, d, _: sb.add_seller(
        int(d["seller_id"]), str(d["name"]), str(d.get("country", "VN"))
    ),
    "add_product": _add_product,
    "place_order": _place,
    "malformed_order": lambda sb, d, _: {
        "order_id": sb.malformed_order(
            int(d["seller_id"]), _lines(d), field=str(d.get("field", "paid_price"))
        )
    },
    "set_status": lambda sb, d, _: sb.set_status(
        int(d["order_id"]), str(d["status"]), line_ids=d.get("line_ids"), reason=d.get("reason", "")
    ),
    "set_campaign_lock": lambda sb, d, _: sb.set_campaign_lock(
        int(d["item_id"]), int(d["sku_id"]), int(d["quantity"])
    ),
    "authorize": lambda sb, d, _: {"code": sb.authorize(str(d["app_key"]), int(d["seller_id"]))},
    "revoke": _seller_action("revoke"),
    "warn_expiry": _seller_action("warn_expiry"),
    "expire_access_token": _seller_action("expire_access_token"),
    "advance": lambda sb, d, _: _advance(sb, float(d["seconds"])),
    "configure": lambda sb, d, _: sb.configure(**d),
    "flush_pushes": lambda sb, d, _: {"flushed": sb.flush_pushes(float(d.get("timeout", 5)))},
    "reset_calls": lambda sb, d, _: sb.reset_calls(),
    **LISTING_CONTROL,  # publishing, qc_finish (lazada_listings)
}
GET_ACTIONS: dict[str, Action] = {
    "stock": _stock,
    "orders": _orders,
    "products": _products,
    "calls": lambda sb, _d, _q: {"total": sb.call_count(), "counts": sb.call_counts()},
    "pushes": _pushes,
}


def control(
    sb: LazadaSandbox, method: str, path: str, query: Query, raw: bytes
) -> tuple[int, dict[str, Any]]:
    return control_call(sb, method, path, query, raw, post=POST_ACTIONS, get=GET_ACTIONS)
