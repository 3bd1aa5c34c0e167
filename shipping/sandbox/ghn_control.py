"""GHN sandbox: the JSON control API under /_sandbox/ (tests, the demo, benchmarks).

Every call answers `{"ok": true, ...}` (HTTP 200) or `{"ok": false, "error": "..."}` (HTTP 400,
404 for an unknown call); POST bodies are JSON objects, GET readers take query parameters.

    POST /_sandbox/advance        {order_code, path?: "happy"|"failed_delivery"|"return",
                                   until?: status}          -> {statuses: [...], status}
    POST /_sandbox/set_status     {order_code, status, reason?}  -> {status}
    POST /_sandbox/configure      {callback_url?, retries?, retry_interval?, status_auth?}
    POST /_sandbox/slow           {seconds, times?: 1, path?: "/v2/shipping-order/create"}
    POST /_sandbox/fail           {status?: 500, times?: 1, path?}
    POST /_sandbox/expire_token   {token?}   (default: the seeded token)
    POST /_sandbox/restore_token  {token?}
    POST /_sandbox/clear_faults   {}         (also restores expired tokens)
    POST /_sandbox/add_client     {client_id, token}
    POST /_sandbox/add_shop       {shop_id, client_id, name, phone, address, district_id,
                                   ward_code}
    POST /_sandbox/advance_clock  {seconds}  -> {now}
    POST /_sandbox/flush_callbacks {timeout?: 5}  -> {flushed}
    GET  /_sandbox/parcels        -> {parcels: [{order_code, client_order_code, shop_id, status,
                                      total_fee, cod_amount}]}
    GET  /_sandbox/parcel?order_code=  -> {parcel: <the detail object>}
    GET  /_sandbox/callbacks      -> {deliveries: [{url, attempt, status, ok, body}], pending}
    GET  /_sandbox/calls[?path=]  -> {count}
    GET  /_sandbox/state          -> {now, token, shop_id, callback_url, base_url}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.sandbox import control_call

if TYPE_CHECKING:
    from .ghn import GhnSandbox

Params = dict[str, str]
Action = Callable[["GhnSandbox", dict[str, Any], Params], Any]


def _advance(sb: GhnSandbox, d: dict[str, Any], _: Params) -> dict[str, Any]:
    code = str(d["order_code"])
    walked = sb.advance(code, str(d.get("path", "happy")), str(d.get("until", "")))
    return {"statuses": walked, "status": sb.parcels[code].status}


def _set_status(sb: GhnSandbox, d: dict[str, Any], _: Params) -> dict[str, Any]:
    code = str(d["order_code"])
    sb.set_status(code, str(d["status"]), reason=str(d.get("reason", "")))
    return {"status": sb.parcels[code].status}


def _add_shop(sb: GhnSandbox, d: dict[str, Any], _: Params) -> None:
    sb.add_shop(
        int(d["shop_id"]),
        int(d["client_id"]),
        name=str(d["name"]),
        phone=str(d["phone"]),
        address=str(d["address"]),
        district_id=int(d["district_id"]),
        ward_code=str(d["ward_code"]),
    )


def _parcels(sb: GhnSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    with sb.lock:
        return {
            "parcels": [
                {
                    "order_code": p.order_code,
                    "client_order_code": p.client_order_code,
                    "shop_id": p.shop_id,
                    "status": p.status,
                    "total_fee": p.total_fee,
                    "cod_amount": p.fields.get("cod_amount", 0),
                }
                for p in sb.parcels.values()
            ]
        }


def _parcel(sb: GhnSandbox, _: dict[str, Any], params: Params) -> dict[str, Any]:
    from .ghn_api import detail_json

    with sb.lock:
        return {"parcel": detail_json(sb.parcels[params["order_code"]])}


def _callbacks(sb: GhnSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    return {
        "deliveries": [
            {
                "url": d.url,
                "attempt": d.attempt,
                "status": d.status,
                "ok": d.ok,
                "body": d.body.decode(),
            }
            for d in sb.deliveries
        ],
        "pending": sb.sender.pending,
    }


def _state(sb: GhnSandbox, _: dict[str, Any], __: Params) -> dict[str, Any]:
    return {
        "now": sb.now().isoformat(),
        "token": sb.token,
        "shop_id": sb.shop_id,
        "callback_url": sb.callback_url,
        "base_url": sb.base_url,
    }


def _advance_clock(sb: GhnSandbox, d: dict[str, Any], _: Params) -> dict[str, Any]:
    sb.advance_clock(float(d["seconds"]))
    return {"now": sb.now().isoformat()}


POST_ACTIONS: dict[str, Action] = {
    "advance": _advance,
    "set_status": _set_status,
    "configure": lambda sb, d, _: sb.configure(**d),
    "slow": lambda sb, d, _: sb.slow(
        float(d["seconds"]), times=int(d.get("times", 1)), path=str(d.get("path", ""))
    ),
    "fail": lambda sb, d, _: sb.fail(
        int(d.get("status", 500)), times=int(d.get("times", 1)), path=str(d.get("path", ""))
    ),
    "expire_token": lambda sb, d, _: sb.expire_token(d.get("token")),
    "restore_token": lambda sb, d, _: sb.restore_token(d.get("token")),
    "clear_faults": lambda sb, d, _: sb.clear_faults(),
    "add_client": lambda sb, d, _: sb.add_client(int(d["client_id"]), str(d["token"])),
    "add_shop": _add_shop,
    "advance_clock": _advance_clock,
    "flush_callbacks": lambda sb, d, _: {"flushed": sb.flush_callbacks(float(d.get("timeout", 5)))},
}
GET_ACTIONS: dict[str, Action] = {
    "parcels": _parcels,
    "parcel": _parcel,
    "callbacks": _callbacks,
    "calls": lambda sb, _, p: {"count": sb.call_count(p.get("path"))},
    "state": _state,
}


def control(
    sb: GhnSandbox, method: str, path: str, params: Params, raw: bytes
) -> tuple[int, dict[str, Any]]:
    return control_call(sb, method, path, params, raw, post=POST_ACTIONS, get=GET_ACTIONS)
