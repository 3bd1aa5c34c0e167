"""Viettel Post sandbox: the JSON control API under /_sandbox/ (tests and the demo).

Every call answers `{"ok": true, ...}` (HTTP 200) or `{"ok": false, "error": "..."}` (HTTP 400,
404 for an unknown call); POST bodies are JSON objects, GET readers take query parameters.

    POST /_sandbox/status      {order_number, status, note?, location?}  -> {status}
                               one ORDER_STATUS (B.8), and its webhook
    POST /_sandbox/scenario    {order_number, scenario}  -> {statuses: [...]}
                               "deliver" 100..501, "fail" ..500 506 505, "return" ..505 515
                               502 504, "redeliver" 508 500 501 (from where the parcel stands)
    POST /_sandbox/step        {}  -> {moved: [[order_number, status], ...]}
                               every open parcel one status (the demo tick, see step_all)
    POST /_sandbox/webhook     {url, token, duplicate?, retry_delays?: [seconds, ...]}
    POST /_sandbox/replay      {order_number}   the latest webhook once more
    POST /_sandbox/fault       {kind: "slow"|"error"|"expired_token", count?: 1, delay?: 2.0,
                                status?: 500, path?: ""}   the next `count` matching calls
    POST /_sandbox/clear_faults {}
    POST /_sandbox/expire_tokens {}  -> {expired}   every issued token expires
    POST /_sandbox/add_account {username, password}
    POST /_sandbox/configure   {initial_status?, string_numbers?, location_key?,
                                business_status?, auth_http_status?}
    POST /_sandbox/advance     {seconds}  -> {now}
    POST /_sandbox/flush_webhooks {timeout?}  -> {flushed}
    GET  /_sandbox/parcels     -> {parcels: [{order_number, reference, status, returning}]}
    GET  /_sandbox/parcel?order_number=  -> {parcel: {..., body, fees, steps}}
    GET  /_sandbox/webhooks    -> {deliveries: [{url, body, attempt, status, ok}]}
    GET  /_sandbox/calls       -> {total, counts: {path: n}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.sandbox import control_call

if TYPE_CHECKING:
    from .viettel_post import ViettelPostSandbox

Params = dict[str, list[str]]
Action = Callable[["ViettelPostSandbox", dict[str, Any], Params], Any]
CONFIGURABLE = (
    "initial_status",
    "string_numbers",
    "location_key",
    "business_status",
    "auth_http_status",
)


def _status(sb: ViettelPostSandbox, d: dict[str, Any], _: Params) -> dict[str, Any]:
    parcel = sb.set_status(
        str(d["order_number"]),
        int(d["status"]),
        note=str(d.get("note", "")),
        location=str(d.get("location", "")),
    )
    return {"status": parcel.status}


def _fault(sb: ViettelPostSandbox, d: dict[str, Any], _: Params) -> None:
    from .viettel_post import Fault

    sb.add_fault(
        Fault(
            str(d["kind"]),
            int(d.get("count", 1)),
            float(d.get("delay", 2.0)),
            int(d.get("status", 500)),
            str(d.get("path", "")),
        )
    )


def _configure(sb: ViettelPostSandbox, d: dict[str, Any], _: Params) -> None:
    unknown = set(d) - set(CONFIGURABLE)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    with sb.lock:
        for name, value in d.items():
            setattr(sb, name, value)


def _parcel_row(sb: ViettelPostSandbox, number: str, full: bool) -> dict[str, Any]:
    p = sb.parcels[number]
    row: dict[str, Any] = {
        "order_number": p.order_number,
        "reference": p.reference,
        "status": p.status,
        "returning": p.returning,
    }
    if full:
        row["body"], row["fees"] = p.body, p.fees
        row["steps"] = [{"status": s.status, "at": s.at, "note": s.note} for s in p.steps]
    return row


def _parcels(sb: ViettelPostSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    with sb.lock:
        return {"parcels": [_parcel_row(sb, n, False) for n in sb.parcels]}


def _one_parcel(sb: ViettelPostSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    with sb.lock:
        return {"parcel": _parcel_row(sb, params["order_number"][0], True)}


def _webhooks(sb: ViettelPostSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    return {
        "deliveries": [
            {
                "url": d.url,
                "body": d.body.decode(),
                "attempt": d.attempt,
                "status": d.status,
                "ok": d.ok,
            }
            for d in sb.deliveries
        ]
    }


def _advance(sb: ViettelPostSandbox, d: dict[str, Any], _: Params) -> dict[str, Any]:
    sb.advance(float(d["seconds"]))
    return {"now": sb.now()}


POST_ACTIONS: dict[str, Action] = {
    "status": _status,
    "scenario": lambda sb, d, _: {
        "statuses": sb.run_scenario(str(d["order_number"]), str(d["scenario"]))
    },
    "webhook": lambda sb, d, _: sb.configure_webhook(
        str(d["url"]),
        str(d.get("token", "")),
        duplicate=bool(d.get("duplicate", False)),
        retry_delays=d.get("retry_delays"),
    ),
    "step": lambda sb, d, _: {"moved": [list(m) for m in sb.step_all()]},
    "replay": lambda sb, d, _: sb.replay(str(d["order_number"])),
    "fault": _fault,
    "clear_faults": lambda sb, d, _: sb.clear_faults(),
    "expire_tokens": lambda sb, d, _: {"expired": sb.expire_tokens()},
    "add_account": lambda sb, d, _: sb.add_account(str(d["username"]), str(d["password"])),
    "configure": _configure,
    "advance": _advance,
    "flush_webhooks": lambda sb, d, _: {"flushed": sb.flush_webhooks(float(d.get("timeout", 5)))},
}
GET_ACTIONS: dict[str, Action] = {
    "parcels": _parcels,
    "parcel": _one_parcel,
    "webhooks": _webhooks,
    "calls": lambda sb, d, _: {"total": len(sb.calls), "counts": sb.call_counts()},
}


def control(
    sb: ViettelPostSandbox, method: str, path: str, params: Params, raw: bytes
) -> tuple[int, dict[str, Any]]:
    return control_call(sb, method, path, params, raw, post=POST_ACTIONS, get=GET_ACTIONS)
