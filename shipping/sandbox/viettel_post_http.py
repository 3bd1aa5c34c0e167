"""Viettel Post sandbox: HTTP routing, the `Token` check, the envelope, faults and the print
page."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from common.sandbox import SandboxHandler, bind

from . import viettel_post_api as api
from .viettel_post_control import control

if TYPE_CHECKING:
    from .viettel_post import ViettelPostSandbox

Handler = Callable[["ViettelPostSandbox", api.Request], api.Reply]
TRACKING_PATH = "/api/setting/listOrderTrackingVTP3"
PRINT_PATH = "/DigitalizePrint/report.do"
# path -> (method, handler, needs a token): B.2 "all other calls" carry the Token header,
# master data included.
ROUTES: dict[str, tuple[str, Handler, bool]] = {
    "/v2/user/Login": ("POST", api.login, False),
    "/v2/user/ownerconnect": ("POST", api.owner_connect, False),
    "/v2/categories/listProvinceById": ("GET", api.provinces, True),
    "/v2/categories/listProvince": ("GET", api.provinces, True),
    "/v2/categories/listDistrict": ("GET", api.districts, True),
    "/v2/categories/listWards": ("GET", api.wards, True),
    "/v2/categories/listService": ("POST", api.list_services, True),
    "/v2/order/getPriceAll": ("POST", api.price_all, True),
    "/v2/order/getPrice": ("POST", api.price, True),
    "/v2/order/createOrder": ("POST", api.create_order, True),
    "/v2/order/UpdateOrder": ("POST", api.update_order, True),
    "/v2/order/edit": ("POST", api.edit_order, True),
    "/v2/order/printing-code": ("POST", api.printing_code, True),
    TRACKING_PATH: ("GET", api.tracking, True),
}
PAPER_TYPES = {"1": "A5", "2": "A6", "100": "A7", "1001": "A7"}
EXPIRED = {
    "status": 401,
    "error": True,
    "message": "Token đã hết hạn, vui lòng đăng nhập lại",
    "messageKey": "EXPIRED_TOKEN",
    "data": None,
}


UNSUPPORTED = {
    "status": 415,
    "error": "Unsupported Media Type",
    "message": "Content-Type must be application/json",
}


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def envelope(status: int, message: str, data: Any = None, key: str = "") -> dict[str, Any]:
    body = {"status": status, "error": status != 200, "message": message, "data": data}
    if key:
        body["messageKey"] = key
    return body


def _token_error(sb: ViettelPostSandbox, token: str) -> dict[str, Any] | None:
    state = sb.token_state(token) if token else "unknown"
    if state == "expired":
        return dict(EXPIRED)
    if state == "unknown":
        return envelope(401, "Token không hợp lệ", key="INVALID_TOKEN")
    return None


def handle_api(sb: ViettelPostSandbox, req: api.Request) -> tuple[int, dict[str, Any] | list[Any]]:
    """(HTTP status, answer): HTTP 200 with the envelope, also for business errors; a refused
    token answers HTTP `sb.auth_http_status` (200 by default)."""
    route = ROUTES.get(req.path)
    if route is None or route[0] != req.method:
        return 200, envelope(404, f"Không tìm thấy API {req.method} {req.path}")
    _, handler, needs_token = route
    if needs_token:
        refused = _token_error(sb, req.token)
        if refused is not None:
            return sb.auth_http_status, refused
    with sb.lock:
        try:
            reply = handler(sb, req)
        except api.ApiError as error:
            status = error.status or sb.business_status
            return 200, envelope(status, error.message, key=error.key)
    if reply.bare:
        return 200, list(reply.data)
    return 200, {**envelope(200, reply.message, reply.data), **reply.extra}


def label_page(sb: ViettelPostSandbox, params: dict[str, str]) -> tuple[int, str]:
    """The print page: an HTML label per waybill of a valid print code."""
    paper = PAPER_TYPES.get(params.get("type", ""))
    with sb.lock:
        entry = sb.print_codes.get(params.get("bill", ""))
        if paper is None or entry is None or entry[1] <= sb.now():
            return 404, "<html><body><p>Mã in không hợp lệ hoặc đã hết hạn</p></body></html>"
        parcels = [sb.parcels[n] for n in entry[0] if n in sb.parcels]
    labels = "".join(
        f'<section class="label"><h1>{html.escape(p.order_number)}</h1>'
        f"<p>{html.escape(str(p.body.get('RECEIVER_FULLNAME', '')))}</p>"
        f"<p>{html.escape(str(p.body.get('RECEIVER_ADDRESS', '')))}</p>"
        f"<p>COD: {int(p.body.get('MONEY_COLLECTION') or 0)}</p>"
        f"<p>Mã đơn: {html.escape(p.reference)}</p></section>"
        for p in parcels
    )
    page = (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>Viettel Post {paper}</title></head>"
        f'<body class="paper-{paper}">{labels}</body></html>'
    )
    return 200, page


class ViettelPostHandler(SandboxHandler):
    sandbox: ViettelPostSandbox
    server_version = "ViettelPostSandbox/1.0"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self._read()
        sb = self.sandbox
        if url.path.startswith("/_sandbox/"):
            self._json(*control(sb, method, url.path, parse_qs(url.query), raw))
            return
        with sb.lock:
            sb.calls.append(url.path)
        if self._fault(url.path):
            return
        if url.path == PRINT_PATH:
            status, page = label_page(sb, params)
            self._send(status, "text/html; charset=utf-8", page.encode())
            return
        if method == "POST" and not _is_json(self.headers.get("Content-Type", "")):
            self._json(415, UNSUPPORTED)  # what a JSON-only server answers, not the envelope
            return
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._json(200, envelope(sb.business_status, "Dữ liệu gửi lên không hợp lệ"))
            return
        token = self.headers.get("Token", "")
        request = api.Request(method, url.path, params, body, token)
        self._json(*handle_api(sb, request))

    def _fault(self, path: str) -> bool:
        """Applies a pending fault: True when it answered the call itself."""
        fault = self.sandbox.take_fault(path)
        if fault is None:
            return False
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return False
        if fault.kind == "expired_token":
            self._json(self.sandbox.auth_http_status, dict(EXPIRED))
            return True
        page = b"<html><body><h1>Service Unavailable</h1></body></html>"
        self._send(fault.status, "text/html", page)
        return True


def make_handler(sb: ViettelPostSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(ViettelPostHandler, sb)
