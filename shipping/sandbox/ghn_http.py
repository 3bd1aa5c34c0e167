"""GHN sandbox: HTTP routing, token and shop checks, the envelope, fault switches and the print
pages (HTML, like GHN's printA5 / print80x80 / print52x70)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from common.sandbox import SandboxHandler, bind

from . import ghn_api as api
from .ghn_control import control
from .ghn_state import ApiError, Parcel, Request

if TYPE_CHECKING:
    from .ghn import GhnSandbox

Handler = Callable[["GhnSandbox", Request], Any]
# path -> (handler, ShopId header required?)
ROUTES: dict[str, tuple[Handler, bool]] = {
    "/master-data/province": (api.provinces, False),
    "/master-data/district": (api.districts, False),
    "/master-data/ward": (api.wards, False),
    "/v2/shipping-order/available-services": (api.available_services, False),
    "/v2/shipping-order/fee": (api.fee, True),
    "/v2/shipping-order/leadtime": (api.leadtime, False),
    "/v2/shipping-order/create": (api.create, True),
    "/v2/shipping-order/detail": (api.detail, False),
    "/v2/shipping-order/detail-by-client-code": (api.detail_by_client_code, False),
    "/v2/shipping-order/update": (api.update, True),
    "/v2/shipping-order/soc": (api.soc, True),
    "/v2/switch-status/cancel": (api.cancel, True),
    "/v2/switch-status/return": (api.return_order, True),
    "/v2/switch-status/storing": (api.redeliver, True),
    "/v2/a5/gen-token": (api.gen_token, False),
}
RETURN_PATH = "/v2/switch-status/return"
PAPERS = {"printA5": "A5", "print80x80": "80x80", "print52x70": "52x70"}
GATEWAY_PAGE = (
    "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center></body></html>"
)


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 200, "message": "Success", "data": data}


def handle_api(sb: GhnSandbox, req: Request) -> tuple[int, dict[str, Any]]:
    route = ROUTES.get(req.path)
    if route is None:
        return 404, {"code": 404, "message": "code=404, message=Not Found", "data": None}
    handler, shop_call = route
    with sb.lock:
        try:
            sb.check_token(req)
            shop = req.headers.get("shopid", "")
            if req.path == RETURN_PATH:  # its doc page (GHN#72) names the header shop_id
                shop = shop or req.headers.get("shop_id", "")
            if shop_call or shop:
                sb.check_shop(req, shop)
            data = handler(sb, req)
        except ApiError as error:
            return error.status, error.body()
    if req.path == "/v2/shipping-order/create":
        notice = f"Tạo đơn hàng thành công. Mã đơn hàng: {data['order_code']}"
        return 200, {**envelope(data), "code_message_value": "", "message_display": notice}
    return 200, envelope(data)


class GhnHandler(SandboxHandler):
    sandbox: GhnSandbox
    server_version = "GhnSandbox/1.0"
    json_type = "application/json; charset=utf-8"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self._read()
        if url.path.startswith("/_sandbox/"):
            status, payload = control(self.sandbox, method, url.path, query, raw)
            self._json(status, payload)
        elif url.path.startswith("/a5/public-api/"):
            self._print(url.path.removeprefix("/a5/public-api/"), query)
        else:
            from .ghn import API_PREFIX

            self._api(method, url.path.removeprefix(API_PREFIX), query, raw)

    def _api(self, method: str, path: str, query: dict[str, str], raw: bytes) -> None:
        sb = self.sandbox
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        with sb.lock:
            sb.calls.append((path, body if isinstance(body, dict) else {}))
        failure = sb.take_fault("error", path)
        if failure is not None:
            self._gateway_error(failure.status, path)
            return
        if not isinstance(body, dict):
            message = "code=400, message=Syntax error: the body is not a JSON object"
            self._json(400, ApiError(400, message).body())
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = handle_api(sb, Request(method, path, query, headers, body))
        slow = sb.take_fault("slow", path)
        if slow is not None:
            time.sleep(slow.seconds)
        self._json(status, payload)

    def _gateway_error(self, status: int, path: str) -> None:
        if 300 <= status < 400:
            location = f"https://online-gateway.ghn.vn/shiip/public-api{path}"
            self._send(status, {"Location": location}, b"")
            return
        if status == 500:
            body = {"code": 500, "message": "Internal Server Error", "data": None}
            self._json(500, body)
            return
        title = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable"}.get(
            status, f"{status} Gateway Time-out"
        )
        page = GATEWAY_PAGE.format(title).encode()
        self._send(status, {"Content-Type": "text/html"}, page)

    def _print(self, name: str, query: dict[str, str]) -> None:
        sb = self.sandbox
        with sb.lock:
            sb.calls.append((f"/a5/public-api/{name}", dict(query)))
            token = sb.print_tokens.get(query.get("token", ""))
            if name not in PAPERS or token is None or token.expires < sb.now():
                error = ApiError(400, "Token không hợp lệ hoặc đã hết hạn (token not found)")
                self._json(400, error.body())
                return
            parcels = [sb.parcels[code] for code in token.order_codes]
        page = label_page(parcels, PAPERS[name]).encode()
        self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page)


def label_page(parcels: list[Parcel], paper: str) -> str:
    """One label per parcel: order code, sort code, receiver, COD, content."""
    labels = []
    for p in parcels:
        f = {k: escape(str(v)) for k, v in p.fields.items() if isinstance(v, str | int)}
        labels.append(
            '<section class="label">'
            f"<h1>GHN {escape(p.order_code)}</h1>"
            f'<p class="sort">{escape(p.sort_code)}</p>'
            f"<p>Từ: {f.get('from_name', '')} - {f.get('from_phone', '')}</p>"
            f"<p>Đến: {f.get('to_name', '')} - {f.get('to_phone', '')}</p>"
            f"<p>{f.get('to_address', '')}</p>"
            f"<p>Thu hộ (COD): {int(p.fields.get('cod_amount') or 0):,} VND</p>"
            f"<p>Nội dung: {f.get('content', '')}</p>"
            f"<p>Mã KH: {escape(p.client_order_code)}</p>"
            "</section>"
        )
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>GHN {paper}</title>'
        f'</head><body class="paper-{paper}">' + "".join(labels) + "</body></html>"
    )


def make_handler(sb: GhnSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(GhnHandler, sb)
