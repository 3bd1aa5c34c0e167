"""TikTok sandbox: HTTP routing, the envelope, and the JSON control API under /_sandbox/.

Control (HTTP 200 `{"ok": true, "result": ...}` or 400 `{"ok": false, "error": "..."}`):
    POST /_sandbox/<action> with the method's keyword arguments as a JSON object, for
        add_app, add_shop, add_product, authorize, place_order, malformed_order,
        set_order_status, request_cancellation, revoke_shop, warn_expiry, expire_access_token,
        set_promotion_lock, set_product_status, advance, configure, flush_webhooks, reset_calls;
        and for listings (tiktok_listings): configure_listings (audit, audit_seconds,
        reject_reason, create_zero_quantity) and audit_product (product_id, approve, reason)
    GET  /_sandbox/state     -> shops (with ciphers), products (SKU stock/price), orders
    GET  /_sandbox/calls     -> {total, counts: {path: n}, rate_limited: n}
    GET  /_sandbox/webhooks  -> {deliveries: [{kind, attempt, status, ok}], pending, dropped}
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from common.sandbox import SandboxHandler, bind

from . import tiktok_api as api
from . import tiktok_calls as calls
from .tiktok_listing_audit import LISTING_CONTROL, LISTING_ROUTES
from .tiktok_listings import is_multipart, parse_multipart
from .tiktok_state import BAD_PARAM, INTERNAL, ApiError

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

Handler = Callable[["TikTokSandbox", api.Call], dict[str, Any]]
# (method, path pattern) -> (handler, shop call?)
ROUTES: list[tuple[str, re.Pattern[str], Handler, bool]] = [
    ("GET", re.compile(r"/authorization/202309/shops"), api.authorized_shops, False),
    ("POST", re.compile(r"/order/202309/orders/search"), calls.orders_search, True),
    ("GET", re.compile(r"/order/202309/orders"), calls.orders_detail, True),
    ("POST", re.compile(r"/product/202309/products/search"), calls.products_search, True),
    ("GET", re.compile(r"/product/202309/products/\d+"), calls.product_get, True),
    (
        "POST",
        re.compile(r"/product/202309/products/\d+/inventory/update"),
        calls.inventory_update,
        True,
    ),
    ("POST", re.compile(r"/product/202309/products/\d+/prices/update"), calls.prices_update, True),
]
ROUTES[:0] = LISTING_ROUTES  # listing calls (marketplaces.md 7.3), their product reads first
AUTH_ROUTES: dict[str, Handler] = {
    "/api/v2/token/get": api.token_get,
    "/api/v2/token/refresh": api.token_refresh,
}
CONTROL_ACTIONS = frozenset(
    {
        "add_app",
        "add_shop",
        "add_product",
        "authorize",
        "place_order",
        "malformed_order",
        "set_order_status",
        "request_cancellation",
        "revoke_shop",
        "warn_expiry",
        "expire_access_token",
        "set_promotion_lock",
        "set_product_status",
        "advance",
        "configure",
        "flush_webhooks",
        "reset_calls",
    }
)


def envelope(code: int = 0, message: str = "Success", data: Any = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"code": code, "message": message}
    answer["request_id"] = secrets.token_hex(12)
    if data is not None:
        answer["data"] = data
    return answer


def handle(sb: TikTokSandbox, call: api.Call) -> tuple[int, dict[str, Any]]:
    try:
        if call.path in AUTH_ROUTES:
            if call.method != "GET":
                raise ApiError(BAD_PARAM, "Use GET.", 405)
            with sb.lock:
                return 200, envelope(data=AUTH_ROUTES[call.path](sb, call))
        route = next((r for r in ROUTES if r[0] == call.method and r[1].fullmatch(call.path)), None)
        if route is None:
            return 404, envelope(BAD_PARAM, f"Unknown API {call.method} {call.path}.")
        _method, _pattern, handler, shop = route
        if is_multipart(call):  # image upload: the body is not signed
            call.body, call.raw = parse_multipart(call), b""
        elif call.raw.strip():
            body = json.loads(call.raw)
            if not isinstance(body, dict):
                raise ApiError(BAD_PARAM, "The body must be a JSON object.", 400)
            call.body = body
        with sb.lock:
            api.check(sb, call, shop=shop)
            api.check_rate(sb, call)
            return 200, envelope(data=handler(sb, call))
    except ApiError as error:
        return error.status, envelope(error.code, error.message)
    except ValueError as error:
        return 400, envelope(BAD_PARAM, f"Invalid request: {error}.")
    except (KeyError, TypeError, AttributeError) as error:
        return 500, envelope(INTERNAL, f"Internal error: {type(error).__name__}.")


def control(
    sb: TikTokSandbox, method: str, path: str, params: dict[str, list[str]], raw: bytes
) -> tuple[int, dict[str, Any]]:
    action = path.removeprefix("/_sandbox/")
    try:
        if method == "GET":
            return 200, {"ok": True, **_read(sb, action)}
        if action in LISTING_CONTROL:  # configure_listings, audit_product
            kwargs = json.loads(raw) if raw.strip() else {}
            return 200, {"ok": True, "result": LISTING_CONTROL[action](sb, **kwargs)}
        if action not in CONTROL_ACTIONS:
            raise ValueError(f"unknown action {action}")
        kwargs = json.loads(raw) if raw.strip() else {}
        if not isinstance(kwargs, dict):
            raise ValueError("the body must be a JSON object")
        if "lines" in kwargs:
            kwargs["lines"] = [(str(p), str(s), int(q)) for p, s, q in kwargs["lines"]]
        result = getattr(sb, action)(**kwargs)
    except (ValueError, KeyError, TypeError) as error:
        return 400, {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return 200, {"ok": True, "result": result}


def _read(sb: TikTokSandbox, what: str) -> dict[str, Any]:
    with sb.lock:
        if what == "state":
            return {
                "now": sb.now(),
                "shops": [vars(s) for s in sb.shops.values()],
                "products": [calls.product_json(sb, p) for p in sb.products.values()],
                "orders": [
                    {"id": o.order_id, "shop_id": o.shop_id, "status": o.status}
                    for o in sb.orders.values()
                ],
            }
        if what == "calls":
            return {
                "total": sb.call_count(),
                "counts": sb.call_counts(),
                "rate_limited": sb.call_count(status=429),
            }
        if what == "webhooks":
            rows = [
                {"kind": d.kind, "attempt": d.attempt, "status": d.status, "ok": d.ok}
                for d in sb.deliveries
            ]
            return {
                "deliveries": rows,
                "pending": sb.sender.pending(),
                "dropped": len(sb.sender.dropped),
            }
    raise ValueError(f"unknown reader {what}")


class TikTokHandler(SandboxHandler):
    sandbox: TikTokSandbox
    server_version = "TikTokShopSandbox/1.0"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        raw = self._read()
        if url.path.startswith("/_sandbox/"):
            self._json(*control(self.sandbox, method, url.path, params, raw))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        call = api.Call(method, url.path, params, raw, headers)
        if url.path == "/oauth/authorize":
            self._authorize(call)
            return
        status, answer = handle(self.sandbox, call)
        with self.sandbox.lock:
            self.sandbox.calls.append((url.path, params, call.body, status))
        self._json(status, answer)

    def _authorize(self, call: api.Call) -> None:
        chosen = None
        if call.method == "POST":
            chosen = parse_qs(call.raw.decode(errors="replace")).get("shop_id", [])
        try:
            with self.sandbox.lock:
                status, headers, body = api.authorize_page(self.sandbox, call, chosen)
        except ApiError as error:
            self._json(error.status, envelope(error.code, error.message))
            return
        self._send(status, headers, body)


def make_handler(sb: TikTokSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(TikTokHandler, sb)
