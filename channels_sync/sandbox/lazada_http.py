"""Lazada sandbox: HTTP routing, the consent page, signature/timestamp/token checks, the per-API
QPS limiter and the envelopes (marketplaces.md §2.2-§2.4)."""

from __future__ import annotations

import html
import json
import secrets
import time
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from common.sandbox import SandboxHandler, bind

from . import lazada_api as api
from . import lazada_catalog as catalog
from . import lazada_listings as listings
from .lazada_control import control
from .lazada_state import ApiError, sign

if TYPE_CHECKING:
    from .lazada import LazadaSandbox

AUTHORIZE = "/oauth/authorize"
# API path (no /rest) -> (handler, needs a seller's access token?)
ROUTES: dict[str, tuple[Callable[..., Any], bool]] = {
    "/auth/token/create": (api.token_create, False),
    "/auth/token/refresh": (api.token_refresh, False),
    "/seller/get": (api.seller_get, True),
    "/orders/get": (api.orders_get, True),
    "/order/get": (api.order_get, True),
    "/order/items/get": (api.order_items_get, True),
    "/orders/items/get": (api.orders_items_get, True),
    "/product/stock/sellable/update": (partial(api.stock_update, delta=False), True),
    "/product/stock/sellable/adjust": (partial(api.stock_update, delta=True), True),
    "/product/price_quantity/update": (api.price_update, True),
    # publishing (lazada_catalog, lazada_listings); the product reads add the listing fields
    "/category/tree/get": (catalog.category_tree, True),
    "/category/attributes/get": (catalog.category_attributes, True),
    "/category/brands/query": (catalog.brands_query, True),
    "/image/migrate": (catalog.image_migrate, True),
    "/product/create": (listings.product_create, True),
    "/product/update": (listings.product_update, True),
    "/product/deactivate": (listings.product_deactivate, True),
    "/products/get": (listings.products_get, True),
    "/product/item/get": (listings.product_item_get, True),
}
# multipart calls: the file fields are not signed and go to the handler apart
FILE_ROUTES: dict[str, Callable[..., Any]] = {"/image/upload": catalog.image_upload}


def check(sb: LazadaSandbox, path: str, p: dict[str, str], seller: bool) -> int | None:
    """Signature, timestamp, token and rate limit; the caller's seller id (seller APIs)."""
    for name in ("app_key", "timestamp", "sign_method", "sign"):
        if not p.get(name):
            raise ApiError("MissingParameter", f"Missing required parameter: {name}")
    app = sb.apps.get(p["app_key"])
    if app is None:
        raise ApiError("InvalidAppKey", "The specified app key is invalid")
    stamp = p["timestamp"]
    if not stamp.isdigit() or abs(int(stamp) - sb.now() * 1000) > sb.timestamp_skew * 1000:
        raise ApiError("InvalidTimestamp", "timestamp is invalid or too far from now (ms)")
    if not secrets.compare_digest(sign(app.app_secret, path, p), p["sign"]):
        raise ApiError(
            "IncompleteSignature", "The request signature does not conform to lazada standards"
        )
    seller_id = None
    if seller:
        token = sb.access_tokens.get(p.get("access_token", ""))
        if token is None or token.expires_at < sb.now() or token.app_key != app.app_key:
            raise ApiError("IllegalAccessToken", "The specified access token is invalid or expired")
        seller_id = token.seller_id
    _limit(sb, f"{app.app_key}:{seller_id or ''}", path)
    return seller_id


def _limit(sb: LazadaSandbox, caller: str, path: str) -> None:
    if sb.qps_per_api is None:
        return
    key, now = (caller, path), time.monotonic()
    if sb.banned.get(key, 0) > now:
        raise _throttled(sb)
    window = [t for t in sb.windows.get(key, []) if t > now - 1.0]
    if len(window) >= sb.qps_per_api:
        sb.banned[key] = now + 1.0
        sb.windows[key] = window
        raise _throttled(sb)
    window.append(now)
    sb.windows[key] = window


def _throttled(sb: LazadaSandbox) -> ApiError:
    """`ApiCallLimit` (a 1-second ban) or, with throttle_code "E901", "request is too
    frequent" (§2.4: both mean back off)."""
    if sb.throttle_code == "E901":
        return ApiError("E901", "The request is too frequent, please try again later")
    return ApiError("ApiCallLimit", "The request has exceeded the limit (banned for 1 s)")


def _error(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": error.kind,
        "code": error.code,
        "message": error.message,
        "request_id": secrets.token_hex(8),
    }
    if error.detail is not None:
        body["detail"] = error.detail
    return body


def handle_api(
    sb: LazadaSandbox, path: str, p: dict[str, str], files: dict[str, bytes] | None = None
) -> tuple[int, dict[str, Any]]:
    route = ROUTES.get(path)
    if files is not None:
        route = (partial(FILE_ROUTES[path], files=files), True) if path in FILE_ROUTES else None
    if route is None:
        return sb.error_http_status, _error(ApiError("InvalidApiPath", f"Unknown api {path}"))
    handler, seller = route
    with sb.lock:
        sb.calls.append((path, dict(p)))
        try:
            seller_id = check(sb, path, p, seller)
            data = handler(sb, p) if not seller else handler(sb, seller_id, p)
        except ApiError as error:
            return sb.error_http_status, _error(error)
        except (KeyError, ValueError, TypeError) as error:
            bad = ApiError("MissingParameter", f"Invalid parameters: {type(error).__name__}")
            return sb.error_http_status, _error(bad)
    if not seller:  # the token answers are top level
        return 200, {"code": "0", **data, "request_id": secrets.token_hex(8)}
    return 200, {"code": "0", "data": data, "request_id": secrets.token_hex(8)}


class LazadaHandler(SandboxHandler):
    sandbox: LazadaSandbox
    server_version = "LazadaSandbox/1.0"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self._read()
        if url.path.startswith("/_sandbox/"):
            self._json(*control(self.sandbox, method, url.path, query, raw))
        elif url.path == AUTHORIZE:
            self._consent(method, query, raw)
        elif url.path == "/rest/seller/get" and not self.sandbox.seller_api:
            self._send(404, "text/plain", b"Not Found")  # a server built from the doc alone
        elif url.path.startswith("/rest/") and self._kind() == "multipart/form-data":
            fields, files = catalog.multipart(self.headers.get("Content-Type") or "", raw)
            path = url.path[len("/rest") :]
            self._json(*handle_api(self.sandbox, path, {**query, **fields}, files))
        elif url.path.startswith("/rest/"):
            self._json(
                *handle_api(self.sandbox, url.path[len("/rest") :], self._params(query, raw))
            )
        else:
            self._json(404, _error(ApiError("InvalidApiPath", f"Unknown path {url.path}")))

    def _kind(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _params(self, query: dict[str, str], raw: bytes) -> dict[str, str]:
        """Query, form body and JSON body together (the signature covers their union)."""
        params = dict(query)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = raw.decode("utf-8", errors="replace")
        if kind == "application/json" and text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
                )
        elif text:
            params.update(parse_qsl(text, keep_blank_values=True))
        return params

    def _consent(self, method: str, query: dict[str, str], raw: bytes) -> None:
        """The seller's consent: pick a seller (or the auto one), back to redirect_uri."""
        sb = self.sandbox
        form = dict(parse_qsl(raw.decode(errors="replace"))) if method == "POST" else {}
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if query.get("response_type") != "code" or client_id not in sb.apps or not redirect_uri:
            self._send(400, "text/plain", b"response_type=code, client_id and redirect_uri needed")
            return
        chosen = form.get("seller_id") or (
            str(sb.auto_authorize_seller_id) if sb.auto_authorize_seller_id else ""
        )
        if chosen.isdigit() and int(chosen) in sb.sellers:
            code = sb.authorize(client_id, int(chosen))
            back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
            joiner = "&" if "?" in redirect_uri else "?"
            self.send_response(302)
            self.send_header("Location", redirect_uri + joiner + urlencode(back))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        options = "".join(
            f'<option value="{s.seller_id}">{html.escape(s.name)} ({s.country})</option>'
            for s in sb.sellers.values()
        )
        page = (
            "<!doctype html><title>Lazada sandbox</title><h1>Authorize app "
            f"{html.escape(client_id)}</h1><form method=post><select name=seller_id>{options}"
            "</select><button>Authorize</button></form>"
        )
        self._send(200, "text/html; charset=utf-8", page.encode())


def make_handler(sb: LazadaSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(LazadaHandler, sb)
