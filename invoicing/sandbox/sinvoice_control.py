"""S-Invoice sandbox: the JSON control API under /_sandbox/ (tests, the demo, benchmarks).

Every call answers `{"ok": true, ...}` (HTTP 200) or `{"ok": false, "error": "..."}` (HTTP 400);
POST bodies are JSON objects, GET readers take query parameters.

    POST /_sandbox/fault          {kind: "slow"|"error"|"expired_token"|"validation",
                                   count?: 1, path?: "", delay?: 2.0, status?: 500,
                                   code?: "ERR", message?: "..."}
    POST /_sandbox/clear_faults   {}
    POST /_sandbox/expire_tokens  {}  -> {expired}
    POST /_sandbox/advance        {seconds}  -> {now}
    POST /_sandbox/configure      {token_ttl?, expires_in_as_text?, file_delay?, tax_code_delay?,
                                   number_delay?, allow_cancel?, not_found_style?,
                                   business_http_status?, preview_requires_basic?,
                                   pascal_keys?, string_numbers?, single_zip?,
                                   not_ready_style?, issue_date_match?}
    POST /_sandbox/add_account    {username, password, tax_code,
                                   templates?: [[templateCode, invoiceSeries, name], ...]}
    POST /_sandbox/reset_calls    {}
    GET  /_sandbox/invoices       -> {invoices: [{transactionUuid, supplierTaxCode, invoiceNo,
                                      templateCode, state, adjustmentType, originalInvoiceId,
                                      issueDate, codeOfTax, paid}]}
    GET  /_sandbox/payloads[?operation=createInvoice]  -> {payloads: [...]}
    GET  /_sandbox/calls          -> {total, counts: {operation: n}}
    GET  /_sandbox/state          -> {now, accounts, faults, options}

Faults apply to the next `count` calls whose path contains `path`: "slow" answers after
`delay` seconds (the work is done first, so a client that timed out finds the invoice),
"error" answers HTTP `status` with an HTML page, "expired_token" expires the caller's token and
answers 401, "validation" answers `{errorCode: code, description: message}`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from common.sandbox import control_call

from .sinvoice import OPTIONS, Fault

if TYPE_CHECKING:
    from .sinvoice import SInvoiceSandbox

Params = dict[str, list[str]]


def plain(value: Any) -> Any:
    """JSON-ready: Decimal as int when whole, else as its exact text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _fault(sb: SInvoiceSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    fields = ("kind", "count", "delay", "status", "path", "code", "message")
    sb.add_fault(Fault(**{k: data[k] for k in fields if k in data}))
    return {}


def _account(sb: SInvoiceSandbox, data: dict[str, Any], _: Params) -> dict[str, Any]:
    templates = data.get("templates")
    sb.add_account(
        str(data["username"]),
        str(data["password"]),
        str(data["tax_code"]),
        [(str(a), str(b), str(c)) for a, b, c in templates] if templates is not None else None,
    )
    return {}


def _invoices(sb: SInvoiceSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    with sb.lock:
        rows = [
            {
                "transactionUuid": i.key,
                "supplierTaxCode": i.supplier,
                "invoiceNo": i.invoice_no,
                "templateCode": i.template,
                "state": i.state,
                "adjustmentType": i.adjustment_type,
                "originalInvoiceId": i.original_no,
                "issueDate": i.issued_ms,
                "codeOfTax": sb.code_of_tax(i) or None,
                "paid": i.paid,
            }
            for i in sb.invoices.values()
        ]
    return {"invoices": rows}


def _state(sb: SInvoiceSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    with sb.lock:
        return {
            "now": sb.now(),
            "accounts": [
                {"username": a.username, "tax_code": a.tax_code, "templates": a.templates}
                for a in sb.accounts.values()
            ],
            "faults": [vars(f) for f in sb.faults],
            "options": {name: getattr(sb, name) for name in OPTIONS},
        }


def _advance(sb: SInvoiceSandbox, seconds: float) -> dict[str, Any]:
    sb.advance(seconds)
    return {"now": sb.now()}


def _reset(sb: SInvoiceSandbox) -> dict[str, Any]:
    with sb.lock:
        sb.calls.clear()
        sb.received.clear()
    return {}


Action = Callable[["SInvoiceSandbox", dict[str, Any], Params], Any]
POST_ACTIONS: dict[str, Action] = {
    "fault": _fault,
    "clear_faults": lambda sb, d, _: sb.clear_faults(),
    "expire_tokens": lambda sb, d, _: {"expired": sb.expire_tokens()},
    "advance": lambda sb, d, _: _advance(sb, float(d["seconds"])),
    "configure": lambda sb, d, _: sb.configure(**d),
    "add_account": _account,
    "reset_calls": lambda sb, d, _: _reset(sb),
}
GET_ACTIONS: dict[str, Action] = {
    "invoices": _invoices,
    "payloads": lambda sb, d, p: {
        "payloads": plain(sb.payloads((p.get("operation") or ["createInvoice"])[0]))
    },
    "calls": lambda sb, d, _: {"total": sum(sb.calls.values()), "counts": dict(sb.calls)},
    "state": _state,
}


def control(
    sb: SInvoiceSandbox, method: str, path: str, params: Params, raw: bytes
) -> tuple[int, dict[str, Any]]:
    return control_call(sb, method, path, params, raw, post=POST_ACTIONS, get=GET_ACTIONS)
