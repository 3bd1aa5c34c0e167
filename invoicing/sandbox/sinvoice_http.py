"""S-Invoice sandbox: HTTP routing, sign-in and the token check (cookie `access_token`,
`Authorization: Bearer`, or HTTP Basic), JSON and form-urlencoded bodies (form fields are read
from the query string and the body, C.3), the error shapes and the injected faults."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from decimal import Decimal
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from common.sandbox import SandboxHandler, bind

from . import sinvoice_api as api
from .sinvoice import API_PREFIX, Account
from .sinvoice_control import control
from .sinvoice_validate import ApiError, BadRequest

if TYPE_CHECKING:
    from .sinvoice import SInvoiceSandbox

Operation = Callable[["SInvoiceSandbox", api.Request], dict[str, Any]]
# operation -> (service, handler, form-urlencoded, takes {taxCode} in the path)
ROUTES: dict[str, tuple[str, Operation, bool, bool]] = {
    "createInvoice": ("InvoiceWS", api.create_invoice, False, True),
    "createInvoiceDraftPreview": ("InvoiceUtilsWS", api.preview, False, True),
    "getInvoiceRepresentationFile": ("InvoiceUtilsWS", api.representation_file, False, False),
    "searchInvoiceByTransactionUuid": ("InvoiceWS", api.search_by_uuid, True, False),
    "cancelTransactionInvoice": ("InvoiceWS", api.cancel, True, False),
    "updatePaymentStatus": ("InvoiceWS", api.payment_status(True), True, False),
    "cancelPaymentStatus": ("InvoiceWS", api.payment_status(False), True, False),
    "getAllInvoiceTemplates": ("InvoiceUtilsWS", api.templates, False, False),
}
UNAUTHORIZED = {"code": 401, "message": "Unauthorized", "data": "Chưa đăng nhập hoặc sai thông tin"}
EXPIRED = {"error": "invalid_token", "error_description": "Access token expired"}
Answer = tuple[int, dict[str, Any]]
RECEIVED_KEPT = 10_000


def bad_request(detail: str) -> Answer:
    return 400, {"code": 400, "message": "Bad Request", "data": detail}


def login(sb: SInvoiceSandbox, raw: bytes, content_type: str) -> Answer:
    if "json" not in content_type.lower():  # C.2: JSON {username, password}
        return bad_request("Content-Type phải là application/json")
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return bad_request("Dữ liệu đăng nhập không hợp lệ")
    with sb.lock:
        sb.calls["login"] += 1
    token = sb.login(str(body.get("username") or ""), str(body.get("password") or ""))
    if token is None:
        return 401, {**UNAUTHORIZED, "data": "Sai tên đăng nhập hoặc mật khẩu"}
    expires: int | str = str(sb.token_ttl) if sb.expires_in_as_text else sb.token_ttl
    answer = {"access_token": token, "token_type": "bearer", "expires_in": expires}
    return 200, answer


def credentials(sb: SInvoiceSandbox, headers: Any) -> tuple[Account | None, str, str]:
    """(account, "", token) or (None, reason, token) from the cookie, Bearer or Basic."""
    token = ""
    try:
        cookie = SimpleCookie(headers.get("Cookie", ""))
        token = cookie["access_token"].value if "access_token" in cookie else ""
    except CookieError:
        token = ""
    authorization = headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if not token and scheme.lower() == "bearer":
        token = value.strip()
    if token:
        account, reason = sb.account_for_token(token)
        return account, reason, token
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, "unknown", ""
        username, _, password = pair.partition(":")
        return sb.account_for_basic(username, password), "unknown", ""
    return None, "missing", ""


def parse_path(path: str) -> tuple[str, str, str] | None:
    """(service, operation, tail) of `[/services/einvoiceapplication/api]/InvoiceAPI/S/op[/x]`."""
    path = path.removeprefix(API_PREFIX)
    parts = path.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "InvoiceAPI":
        return None
    return parts[1], parts[2], "/".join(parts[3:])


def read_fields(raw: bytes, query: str, content_type: str, form: bool) -> dict[str, Any]:
    if form:
        fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if raw:
            if "json" in content_type:
                raise BadRequest("Content-Type phải là application/x-www-form-urlencoded")
            posted = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
            fields.update({k: v[0] for k, v in posted.items()})
        return fields
    if "json" not in content_type.lower():  # C.4: these endpoints take JSON
        raise BadRequest("Content-Type phải là application/json")
    try:
        body = json.loads(raw, parse_float=Decimal) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("JSON không hợp lệ") from None
    if not isinstance(body, dict):
        raise BadRequest("Nội dung yêu cầu phải là một đối tượng JSON")
    return body


def handle(sb: SInvoiceSandbox, method: str, url: str, headers: Any, raw: bytes) -> Answer:
    parts = urlsplit(url)
    route = parse_path(parts.path)
    if route is None or route[1] not in ROUTES or ROUTES[route[1]][0] != route[0]:
        return 404, {"code": 404, "message": "Not Found", "data": parts.path}
    _, operation, tail = route
    _, handler, form, with_tax = ROUTES[operation]
    if method != "POST" or bool(tail) != with_tax:
        return 405 if method != "POST" else 404, {"code": 405, "message": "Not Allowed"}
    account, reason, token = credentials(sb, headers)
    if token and operation == "createInvoiceDraftPreview" and sb.preview_requires_basic:
        account, reason = None, "missing"  # this account's preview takes Basic only
    if account is None:
        return 401, dict(EXPIRED if reason == "expired" else UNAUTHORIZED)
    try:
        fields = read_fields(raw, parts.query, headers.get("Content-Type", ""), form)
    except BadRequest as error:
        return bad_request(str(error))
    with sb.lock:
        sb.calls[operation] += 1
        sb.received.append((operation, fields))
        if len(sb.received) > RECEIVED_KEPT:  # a long demo keeps the recent ones
            del sb.received[: len(sb.received) - RECEIVED_KEPT]
        try:
            return 200, handler(sb, api.Request(operation, tail, account, fields))
        except ApiError as error:
            answer = {"errorCode": error.code, "description": error.description, "result": None}
            return sb.business_http_status, answer
        except BadRequest as error:
            return bad_request(str(error))


def styled(sb: SInvoiceSandbox, value: Any, *, top: bool = True) -> Any:
    """The answer in the shapes the doc says vary: PascalCase keys, numbers as strings."""
    if isinstance(value, dict):
        return {
            (k[:1].upper() + k[1:] if sb.pascal_keys else k): styled(sb, v, top=False)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [styled(sb, v, top=False) for v in value]
    if sb.string_numbers and isinstance(value, int) and not isinstance(value, bool) and not top:
        return str(value)
    return value


class SInvoiceHandler(SandboxHandler):
    sandbox: SInvoiceSandbox
    server_version = "SInvoiceSandbox/1.0"
    json_type = "application/json;charset=UTF-8"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self._read()
        sb = self.sandbox
        if url.path.startswith("/_sandbox/"):
            self._json(*control(sb, method, url.path, parse_qs(url.query), raw))
            return
        fault = sb.take_fault(url.path)
        if fault is not None and fault.kind != "slow":
            self._fault(fault.kind, fault.status, fault.code, fault.message)
            return
        if url.path == "/auth/login" and method == "POST":
            status, answer = login(sb, raw, self.headers.get("Content-Type", ""))
        else:
            status, answer = handle(sb, method, self.path, self.headers, raw)
        if fault is not None:  # slow: the work is done, the answer comes late
            time.sleep(fault.delay)
        self._json(status, styled(sb, answer))

    def _fault(self, kind: str, status: int, code: str, message: str) -> None:
        if kind == "expired_token":
            _, _, token = credentials(self.sandbox, self.headers)
            if token:
                self.sandbox.expire_tokens(token)
            self._json(401, dict(EXPIRED))
        elif kind == "validation":
            self._json(
                self.sandbox.business_http_status,
                {"errorCode": code, "description": message, "result": None},
            )
        else:
            page = b"<html><body><h1>Service Unavailable</h1></body></html>"
            self._send(status, "text/html", page)


def make_handler(sb: SInvoiceSandbox) -> type[BaseHTTPRequestHandler]:
    return bind(SInvoiceHandler, sb)
