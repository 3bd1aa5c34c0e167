"""MISA sandbox: HTTP routing under /api/v3 (with the /code prefix), the Bearer +
CompanyTaxCode check, the two-layer envelope, injected faults, the draft PDF link and the
control API.

Control API (JSON in and out, no auth):
    GET  /_sandbox/state            {"invoices": [status item + "Payload"], "emails": [...],
                                     "counters": {symbol: last number}, "calls": [path...]}
    GET  /_sandbox/received         every invoice body publishhsm received, in order
    POST /_sandbox/fault            {"kind": "slow"|"error"|"expired_token"|"validation",
                                     "count": 1, "delay": 2.0, "status": 500, "path": "publishhsm",
                                     "code": "InvalidData", "message": "..."}
    POST /_sandbox/config           any of {"token_ttl", "code_delay", "file_delay",
                                     "xml_in_zip", "string_numbers", "expired_http_status",
                                     "key_case": "pascal"|"camel", "duplicate_ref": "same"|"error",
                                     "publish_delay", "publish_body": "wrapped"|"flat"}
    POST /_sandbox/clock            {"advance": seconds}
    POST /_sandbox/expire-tokens    {}
    POST /_sandbox/reset            {}
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from common.sandbox import SandboxHandler, bind

from . import misa_api as api
from .misa_pdf import invoice_pdf
from .misa_validate import ApiError

if TYPE_CHECKING:
    from .misa import MisaSandbox

API_PREFIX = "/api/v3"
DRAFT_PREFIX = "/invoicepublished/linkview/"
Handler = Callable[["MisaSandbox", api.Request, str], Any]
# path (lowercase, without /code) -> (method, handler, needs a token)
# /code is routed only before the paths D.3 marks [/code] and the refid lookup (MISA's own
# page has both); anywhere else it is 404, as on a server written from the doc.
CODED = frozenset(
    {
        "/itg/invoicepublishing/publishhsm",
        "/itg/invoicepublished/downloadinvoice",
        "/itg/invoicepublished/invoicestatus",
        "/itg/invoicepublished/cancel",
        "/invoicepublished/invoice-status/refid",
    }
)
ROUTES: dict[str, tuple[str, Handler, bool]] = {
    "/auth/token": ("POST", lambda sb, req, tax: api.sign_in(sb, req), False),
    "/auth/refreshtoken": ("POST", lambda sb, req, tax: sb.issue_token(), True),
    "/itg/invoicepublishing/templates": ("GET", lambda sb, req, tax: api.templates(sb, req), True),
    "/itg/invoicepublishing/publishhsm": ("POST", api.publish, True),
    "/itg/invoicepublishing/invoicelinkview": ("POST", api.link_view, True),
    "/itg/invoicepublished/downloadinvoice": ("POST", lambda sb, r, t: api.download(sb, r), True),
    "/itg/invoicepublished/invoicestatus": ("POST", lambda sb, r, t: api.status(sb, r), True),
    "/invoicepublished/invoice-status/refid": (
        "POST",
        lambda sb, r, t: api.status_by_ref(sb, r),
        True,
    ),
    "/itg/invoicepublished/cancel": ("POST", lambda sb, r, t: api.cancel(sb, r), True),
    "/itg/emails": ("POST", lambda sb, r, t: api.emails(sb, r), True),
}
SETTINGS = frozenset(
    {
        "token_ttl",
        "code_delay",
        "file_delay",
        "xml_in_zip",
        "string_numbers",
        "expired_http_status",
        "key_case",
        "duplicate_ref",
        "publish_delay",
        "publish_body",
    }
)
RAW_DATA = {"/auth/token", "/auth/refreshtoken", "/itg/invoicepublishing/invoicelinkview"}


def envelope(data: Any = None, *, code: str = "", errors: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "Success": not code,
        "ErrorCode": code or None,
        "Errors": list(errors),
        "Data": data,
        "CustomData": None,
    }


def dumps(value: Any) -> str:
    """JSON with Decimal written as an exact number."""
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _tax_code(sb: MisaSandbox, headers: Any) -> tuple[int, dict[str, Any]] | str:
    """The company's tax code, or the refusal of the token."""
    token = str(headers.get("Authorization", "")).removeprefix("Bearer ").strip()
    state = sb.token_state(token)
    if state == "expired":
        return sb.expired_http_status, envelope(
            code="TokenExpiredCode", errors=("Token đã hết hạn, vui lòng đăng nhập lại",)
        )
    if state != "valid":
        return 401, envelope(code="UnAuthorize", errors=("Token không hợp lệ",))
    company = str(headers.get("CompanyTaxCode", ""))
    if company not in {key[1] for key in sb.accounts}:
        return 200, envelope(
            code="InvalidCompanyTaxCode", errors=(f"CompanyTaxCode '{company}' không hợp lệ",)
        )
    return company


def handle_api(sb: MisaSandbox, req: api.Request, headers: Any) -> tuple[int, dict[str, Any]]:
    route = ROUTES.get(req.path)
    if route is None or route[0] != req.method or (req.coded and req.path not in CODED):
        return 404, envelope(code="NotFound", errors=(f"Không tìm thấy {req.method} {req.path}",))
    _, handler, needs_token = route
    tax_code = ""
    if needs_token:
        checked = _tax_code(sb, headers)
        if not isinstance(checked, str):
            return checked
        tax_code = checked
    with sb.lock:
        try:
            data = handler(sb, req, tax_code)
        except ApiError as error:
            return 200, envelope(code=error.code, errors=(error.message,))
    if req.created:  # the series stay busy while MISA "signs" (InvoiceNumberNotContinuous)
        time.sleep(sb.publish_delay)
        with sb.lock:
            for symbol in req.created:
                sb.busy[symbol] -= 1
    if req.path not in RAW_DATA:
        data = dumps(data)
    return 200, envelope(data)


def control(sb: MisaSandbox, method: str, path: str, raw: bytes) -> tuple[int, Any]:
    from .misa import Fault

    body = json.loads(raw) if raw.strip() else {}
    with sb.lock:
        if method == "GET" and path == "/_sandbox/state":
            invoices = [
                {**api.status_item(sb, inv), "Payload": inv.payload} for inv in sb.invoices.values()
            ]
            return 200, {
                "invoices": invoices,
                "emails": sb.emails,
                "counters": sb.counters,
                "calls": sb.calls,
            }
        if method == "GET" and path == "/_sandbox/received":
            return 200, sb.received
        if method != "POST":
            return 404, {"error": "unknown"}
        if path == "/_sandbox/fault":
            fault = Fault(**body)
            sb.faults.append(fault)
            return 200, asdict(fault)
        if path == "/_sandbox/config":
            for name, value in body.items():
                if name not in SETTINGS:
                    return 400, {"error": f"unknown setting {name}"}
                setattr(sb, name, value)
            return 200, {"ok": True}
        if path == "/_sandbox/clock":
            sb.clock_offset += float(body.get("advance", 0))
            return 200, {"now": sb.now()}
        if path == "/_sandbox/expire-tokens":
            sb.expire_tokens()
            return 200, {"ok": True}
        if path == "/_sandbox/reset":
            sb.reset()
            return 200, {"ok": True}
    return 404, {"error": "unknown"}


class MisaHandler(SandboxHandler):
    sandbox: MisaSandbox
    server_version = "MisaSandbox/1.0"

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self._read()
        sb = self.sandbox
        if url.path.startswith("/_sandbox/"):
            status, answer = control(sb, method, url.path, raw)
            self._send(status, "application/json", dumps(answer).encode())
            return
        if url.path.startswith(DRAFT_PREFIX) and method == "GET":
            draft = sb.drafts.get(url.path.removeprefix(DRAFT_PREFIX))
            if draft is None:
                self._send(404, "text/plain", b"not found")
            else:
                self._send(200, "application/pdf", invoice_pdf(draft))
            return
        with sb.lock:
            sb.calls.append(url.path)
        fault = sb.take_fault(url.path)
        if fault is not None and fault.kind == "error":
            self._send(fault.status, "text/html", b"<html><body>Service Unavailable</body></html>")
            return
        if fault is not None and fault.kind == "expired_token":
            with sb.lock:
                sb.expire_tokens()
        status, answer = self._api(method, url.path, url.query, raw, fault)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)  # processed, but the answer comes too late
        if sb.key_case == "camel":
            answer = {key[:1].lower() + key[1:]: value for key, value in answer.items()}
        self._send(status, "application/json; charset=utf-8", dumps(answer).encode())

    def _api(
        self, method: str, path: str, query: str, raw: bytes, fault: Any
    ) -> tuple[int, dict[str, Any]]:
        if not path.lower().startswith(API_PREFIX):
            return 404, envelope(code="NotFound", errors=(path,))
        path = path[len(API_PREFIX) :].lower()
        coded = path.startswith("/code/")
        path = path.removeprefix("/code")
        if raw and "json" not in str(self.headers.get("Content-Type", "")):
            return 415, envelope(code="UnsupportedMediaType", errors=("Content-Type phải là JSON",))
        try:
            body = json.loads(raw, parse_float=Decimal) if raw.strip() else None
        except ValueError:
            return 400, envelope(code="InvalidData", errors=("JSON không hợp lệ",))
        if fault is not None and fault.kind == "validation":
            if isinstance(body, list) and path.endswith("publishhsm"):
                item = {"ErrorCode": fault.code, "ErrorData": fault.message}
                rows = [{"RefID": b.get("RefID"), **item} for b in body if isinstance(b, dict)]
                return 200, envelope(json.dumps(rows, ensure_ascii=False))
            return 200, envelope(code=fault.code, errors=(fault.message,))
        params = {k.lower(): v[0] for k, v in parse_qs(query).items()}
        req = api.Request(method, path, coded, params, body, self._origin())
        return handle_api(self.sandbox, req, self.headers)

    def _origin(self) -> str:
        address = self.server.server_address
        assert isinstance(address, tuple)
        return f"http://{self.headers.get('Host') or f'{address[0]}:{address[1]}'}"


def make_handler(sandbox: MisaSandbox) -> type[MisaHandler]:
    return bind(MisaHandler, sandbox)
