"""Shopee sandbox: HTTP routing, the envelope and error statuses."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from common.sandbox import SandboxHandler, bind

from . import shopee_auth as auth
from . import shopee_items as items
from . import shopee_listings as listings
from . import shopee_orders as orders
from . import shopee_products as products
from .shopee_control import control
from .shopee_state import ApiError, Reply, Request

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

Handler = Callable[["ShopeeSandbox", Request], Any]
# path -> (handler, shop API? (None: either sign), answer where: "response" | "top" | "both")
ROUTES: dict[str, tuple[Handler, bool | None, str]] = {
    "/api/v2/auth/token/get": (auth.token_get, False, "top"),
    "/api/v2/auth/access_token/get": (auth.access_token_get, False, "top"),
    "/api/v2/shop/get_shop_info": (auth.get_shop_info, True, "both"),
    "/api/v2/push/get_lost_push_message": (auth.get_lost_push_message, False, "response"),
    "/api/v2/push/confirm_consumed_lost_push_message": (
        auth.confirm_consumed_lost_push_message,
        False,
        "response",
    ),
    "/api/v2/order/get_order_list": (orders.get_order_list, True, "response"),
    "/api/v2/order/get_order_detail": (orders.get_order_detail, True, "response"),
    "/api/v2/order/get_shipment_list": (orders.get_shipment_list, True, "response"),
    "/api/v2/order/cancel_order": (orders.cancel_order, True, "response"),
    "/api/v2/logistics/get_shipping_parameter": (orders.get_shipping_parameter, True, "response"),
    "/api/v2/logistics/ship_order": (orders.ship_order, True, "response"),
    "/api/v2/logistics/get_tracking_number": (orders.get_tracking_number, True, "response"),
    "/api/v2/product/get_item_list": (products.get_item_list, True, "response"),
    "/api/v2/product/get_item_base_info": (products.get_item_base_info, True, "response"),
    "/api/v2/product/get_model_list": (products.get_model_list, True, "response"),
    "/api/v2/product/update_stock": (products.update_stock, True, "response"),
    "/api/v2/product/update_price": (products.update_price, True, "response"),
    "/api/v2/shop/get_warehouse_detail": (products.get_warehouse_detail, True, "response"),
    "/api/v2/product/get_category": (listings.get_category, True, "response"),
    "/api/v2/product/get_attribute_tree": (listings.get_attribute_tree, True, "response"),
    "/api/v2/product/get_brand_list": (listings.get_brand_list, True, "response"),
    "/api/v2/product/get_item_limit": (listings.get_item_limit, True, "response"),
    "/api/v2/logistics/get_channel_list": (listings.get_channel_list, True, "response"),
    "/api/v2/media_space/upload_image": (listings.upload_image, None, "response"),
    "/api/v2/product/add_item": (items.add_item, True, "response"),
    "/api/v2/product/init_tier_variation": (items.init_tier_variation, True, "response"),
    "/api/v2/product/update_item": (items.update_item, True, "response"),
    "/api/v2/product/get_item_violation_info": (items.get_item_violation_info, True, "response"),
}


def _status(sb: ShopeeSandbox, error: ApiError) -> int:
    return {"auth": sb.status_auth, "rate": sb.status_rate_limit}.get(error.kind, sb.status_other)


def _envelope(error: str = "", message: str = "", warning: str = "") -> dict[str, Any]:
    return {
        "request_id": secrets.token_hex(16),
        "error": error,
        "message": message,
        "warning": warning,
    }


def handle_api(sb: ShopeeSandbox, req: Request) -> tuple[int, dict[str, Any]]:
    route = ROUTES.get(req.path)
    if route is None:
        return 404, _envelope("error_not_found", f"Unknown api {req.path}.")
    handler, shop, where = route
    if shop is None:  # upload_image: the doc says public, the SDKs sign it for the shop
        shop = bool(req.params.get("access_token"))
    with sb.lock:
        try:
            auth.check_signature(sb, req, shop=shop)
            auth.check_rate_limit(sb, req)
            answer = handler(sb, req)
        except ApiError as error:
            return _status(sb, error), _envelope(error.error, error.message)
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            message = f"Wrong parameters, detail: {type(error).__name__} {error}."
            return sb.status_other, _envelope("error_param", message)
    reply = answer if isinstance(answer, Reply) else Reply(answer)
    payload = _envelope(warning=reply.warning)
    if where in ("top", "both"):
        payload.update(reply.response)
    if where in ("response", "both"):
        payload["response"] = reply.response
    return 200, payload


class ShopeeHandler(SandboxHandler):
    """Routes /_sandbox/ (control), the auth page and /api/v2/ calls of one sandbox."""

    sandbox: ShopeeSandbox
    server_version = "ShopeeSandbox/1.0"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        raw = self._read()
        if url.path.startswith("/_sandbox/"):
            status, payload = control(self.sandbox, method, url.path, params, raw)
            self._json(status, payload)
        elif url.path == auth.AUTH_PATH:
            self._auth_page(method, params, raw)
        else:
            self._api(method, url.path, params, raw)

    def _api(self, method: str, path: str, params: dict[str, list[str]], raw: bytes) -> None:
        sb = self.sandbox
        files: list[tuple[str, str, bytes]] = []
        content_type = self.headers.get("Content-Type") or ""
        if content_type.startswith("multipart/form-data"):
            body: Any = {}
            for name, filename, data in multipart_parts(content_type, raw):
                if filename is None:
                    params.setdefault(name, []).append(data.decode(errors="replace"))
                else:
                    files.append((name, filename, data))
        else:
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                body = None
        with sb.lock:
            sb.calls.append((path, params, body))
        if not isinstance(body, dict):
            payload = _envelope("error_param", "Wrong parameters, detail: body is not JSON.")
            self._json(sb.status_other, payload)
            return
        self._json(*handle_api(sb, Request(method, path, params, body, files=files)))

    def _auth_page(self, method: str, params: dict[str, list[str]], raw: bytes) -> None:
        sb = self.sandbox
        with sb.lock:
            sb.calls.append((auth.AUTH_PATH, params, None))
        chosen = None
        if method == "POST":
            form = parse_qs(raw.decode(errors="replace"))
            chosen = (form.get("shop_id") or [""])[0]
        req = Request(method, auth.AUTH_PATH, params, {})
        try:
            with sb.lock:
                status, headers, body = auth.auth_page(sb, req, chosen)
        except ApiError as error:
            self._json(_status(sb, error), _envelope(error.error, error.message))
            return
        self._send(status, headers, body)


def multipart_parts(content_type: str, raw: bytes) -> list[tuple[str, str | None, bytes]]:
    """(field name, file name or None, bytes) of each part of a multipart/form-data body."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    parts: list[tuple[str, str | None, bytes]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(data, bytes):
            parts.append((name, part.get_filename(), data))
    return parts


def make_handler(sb: ShopeeSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(ShopeeHandler, sb)
