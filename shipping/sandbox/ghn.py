"""A local Giao Hàng Nhanh (GHN) API v2 server for tests and the offline demo.

Speaks /work/shared/api/carriers_einvoice.md section A: the API under /shiip/public-api
(`Token` header on every call, `ShopId` on shop calls), the `{code, message, data}` envelope with
HTTP 400 + `code_message` errors, master data for four provinces (ghn_data.py), services, fee,
lead time, create (client_order_code unique per client), detail, soc, switch-status, update, print
tokens and the print pages under /a5/public-api/, and PascalCase callbacks to the registered URL
with GHN's retries (compressed in time). Test control and fault switches: /_sandbox/ (see
ghn_control.py) or the Python methods below.

    python -m shipping.sandbox.ghn --port 8711 [--callback URL] [--retry-interval 5]

In tests: `with GhnSandbox() as sb: ...` (a free port on 127.0.0.1); `sb.base_url` is the API
base for CarrierConfig, `sb.token` and `sb.shop_id` the seeded account.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Background, HttpSandbox

from . import ghn_data as md
from .ghn_callbacks import CallbackSender, Delivery
from .ghn_state import (
    FAIL_REASON,
    PATHS,
    STATUSES,
    ApiError,
    Client,
    Parcel,
    PrintToken,
    Request,
    Shop,
    callback_payload,
)

API_PREFIX = "/shiip/public-api"
PRINT_PREFIX = "/a5/public-api"
DEFAULT_TOKEN = "sandbox-ghn-token-0001"
DEFAULT_CLIENT_ID = 2509992
DEFAULT_SHOP_ID = 885
CODE_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXY346789"


@dataclass
class Fault:
    kind: str  # "slow" | "error"
    times: int  # calls left; -1 = until cleared
    path: str = ""  # an API path ("/v2/shipping-order/create"); "" = any
    seconds: float = 0.0
    status: int = 500


class GhnSandbox(HttpSandbox):
    thread_name = "ghn-sandbox"

    def __init__(
        self,
        *,
        callback_url: str = "",
        retries: int = 10,
        retry_interval: float = 0.2,
        status_auth: int = 401,
        seed: bool = True,
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = timedelta(0)
        self.callback_url = callback_url
        self.status_auth = status_auth
        self.clients: dict[str, Client] = {}
        self.shops: dict[int, Shop] = {}
        self.parcels: dict[str, Parcel] = {}
        self.references: dict[tuple[int, str], str] = {}  # (client id, client_order_code)
        self.print_tokens: dict[str, PrintToken] = {}
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._serial = 0
        self.sender = CallbackSender(retries=retries, interval=retry_interval)
        self.token, self.shop_id = DEFAULT_TOKEN, DEFAULT_SHOP_ID
        if seed:
            self.add_client(DEFAULT_CLIENT_ID, DEFAULT_TOKEN)
            self.add_shop(
                DEFAULT_SHOP_ID,
                DEFAULT_CLIENT_ID,
                name="Shop CRM Sandbox",
                phone="0909123456",
                address="12 Nguyễn Huệ",
                district_id=1442,
                ward_code="20103",
            )

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .ghn_http import make_handler

        return make_handler(self)

    def background(self) -> list[Background]:
        return [self.sender]

    @property
    def root_url(self) -> str:
        return self.origin

    @property
    def base_url(self) -> str:
        """The API base to configure (like https://online-gateway.ghn.vn/shiip/public-api)."""
        return self.root_url + API_PREFIX

    # -- clock --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += timedelta(seconds=seconds)

    # -- accounts -----------------------------------------------------------------------------
    def add_client(self, client_id: int, token: str) -> None:
        with self.lock:
            self.clients[token] = Client(client_id, token)

    def add_shop(
        self,
        shop_id: int,
        client_id: int,
        *,
        name: str,
        phone: str,
        address: str,
        district_id: int,
        ward_code: str,
    ) -> None:
        if md.WARD_BY_CODE[ward_code].district_id != district_id:
            raise ValueError(f"ward {ward_code} is not in district {district_id}")
        with self.lock:
            self.shops[shop_id] = Shop(
                shop_id, client_id, name, phone, address, district_id, ward_code
            )

    def expire_token(self, token: str | None = None) -> None:
        """The token stops working (401) until restore_token()."""
        with self.lock:
            self.clients[token or self.token].expired = True

    def restore_token(self, token: str | None = None) -> None:
        with self.lock:
            self.clients[token or self.token].expired = False

    def check_token(self, req: Request) -> None:
        client = self.clients.get(req.headers.get("token", ""))
        if client is None:
            raise ApiError(self.status_auth, "Token is not valid!", "USER_ERR_AUTH")
        if client.expired:
            raise ApiError(self.status_auth, "Token is expired!", "USER_ERR_AUTH")
        req.client = client

    def check_shop(self, req: Request, value: Any) -> Shop:
        try:
            shop = self.shops.get(int(str(value).strip()))
        except ValueError:
            shop = None
        if shop is None or req.client is None or shop.client_id != req.client.client_id:
            raise ApiError(400, f"ShopID is invalid: {value}", "SHOP_NOT_FOUND")
        req.shop = shop
        return shop

    # -- faults -------------------------------------------------------------------------------
    def slow(self, seconds: float, *, times: int = 1, path: str = "") -> None:
        """The next `times` API calls (to `path`, or any) are handled, then answered late."""
        with self.lock:
            self.faults.append(Fault("slow", times, path, seconds=seconds))

    def fail(self, status: int = 500, *, times: int = 1, path: str = "") -> None:
        """The next `times` API calls (to `path`, or any) answer `status` and do nothing: 500
        with a JSON body, 502/503/504 with a gateway's HTML page, 3xx a redirect to the live
        host."""
        with self.lock:
            self.faults.append(Fault("error", times, path, status=status))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            for client in self.clients.values():
                client.expired = False

    def take_fault(self, kind: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == kind and fault.path in ("", path) and fault.times != 0:
                    if fault.times > 0:
                        fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
            return None

    # -- parcels ------------------------------------------------------------------------------
    def _code(self) -> str:
        self._serial += 1
        n, out = self._serial * 7_919_007 + 104_729, ""
        for _ in range(6):
            n, digit = divmod(n, len(CODE_ALPHABET))
            out += CODE_ALPHABET[digit]
        return "GA" + out

    def new_print_token(self) -> str:
        return secrets.token_hex(4) + "-a1bf-11ea-b421-" + secrets.token_hex(6)

    def parcel_by_reference(self, client_id: int, reference: str) -> Parcel | None:
        code = self.references.get((client_id, reference))
        return self.parcels[code] if code else None

    def add_parcel(self, req: Request, q: dict[str, Any], reference: str) -> Parcel:
        assert req.client is not None
        assert req.shop is not None
        code, now = self._code(), self.now()
        fields = self._fields(req.body, q, req.shop)
        to = md.DISTRICT_BY_ID[q["to"][0]]
        hub = int(q["to"][1][-2:], 16) % 100
        sort_code = f"{to.id % 1000}-{to.code[-1]}-{hub:02d}-A{len(self.parcels) % 9 + 1}"
        parcel = Parcel(
            order_code=code,
            client_id=req.client.client_id,
            shop_id=req.shop.shop_id,
            client_order_code=reference,
            sort_code=sort_code,
            fields=fields,
            service_id=q["service_id"],
            service_type_id=q["service_type_id"],
            fee=q["fee"],
            expected=md.expected_delivery(now, md.lead_days(q["service_type_id"], q["zone"])),
            created=now,
            updated=now,
        )
        parcel.log.append({"status": parcel.status, "updated_date": md.iso_z(now)})
        self.parcels[code] = parcel
        if reference:
            self.references[(parcel.client_id, reference)] = code
        self._callback(parcel, "create")
        return parcel

    @staticmethod
    def _fields(body: dict[str, Any], q: dict[str, Any], shop: Shop) -> dict[str, Any]:
        weight, length, width, height = q["size"]
        fields = dict(body)
        fields.update(
            to_district_id=q["to"][0],
            to_ward_code=q["to"][1],
            from_district_id=q["from"][0],
            from_ward_code=q["from"][1],
            from_name=body.get("from_name") or shop.name,
            from_phone=body.get("from_phone") or shop.phone,
            from_address=body.get("from_address") or shop.address,
            weight=weight,
            length=length,
            width=width,
            height=height,
            converted_weight=md.converted_weight(weight, length, width, height),
            payment_type_id=int(body["payment_type_id"]),
            cod_amount=int(body.get("cod_amount") or 0),
            insurance_value=int(body.get("insurance_value") or 0),
        )
        return fields

    def apply_update(self, parcel: Parcel, changes: dict[str, Any], q: dict[str, Any]) -> None:
        shop = self.shops[parcel.shop_id]
        old_cod, old_weight = parcel.fields["cod_amount"], parcel.fields["weight"]
        old_fee = parcel.total_fee
        parcel.fields = self._fields({**parcel.fields, **changes}, q, shop)
        parcel.fee, parcel.updated = q["fee"], self.now()
        parcel.service_id, parcel.service_type_id = q["service_id"], q["service_type_id"]
        if parcel.fields["cod_amount"] != old_cod:
            self._callback(parcel, "update_cod")
        if parcel.fields["weight"] != old_weight:
            self._callback(parcel, "update_weight")
        if parcel.total_fee != old_fee:
            self._callback(parcel, "update_fee")

    def move(self, parcel: Parcel, status: str, *, reason: str = "", reason_code: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.lock:
            parcel.status, parcel.updated = status, self.now()
            if status == "delivery_fail" and not reason:
                reason_code, reason = FAIL_REASON
            parcel.reason, parcel.reason_code = reason, reason_code
            parcel.log.append({"status": status, "updated_date": md.iso_z(parcel.updated)})
            self._callback(parcel, "switch_status")

    def _callback(self, parcel: Parcel, kind: str) -> None:
        if self.callback_url:
            self.sender.send(self.callback_url, self.callback_body(parcel.order_code, kind))

    def callback_body(self, order_code: str, kind: str = "switch_status") -> bytes:
        """The callback GHN would POST now for this parcel (tests can post it themselves)."""
        with self.lock:
            payload = callback_payload(self.parcels[order_code], kind, self.now())
        return json.dumps(payload, ensure_ascii=False).encode()

    # -- test control -------------------------------------------------------------------------
    def set_status(self, order_code: str, status: str, *, reason: str = "") -> None:
        """Any documented status, no rule checked; emits the switch_status callback."""
        with self.lock:
            self.move(self.parcels[order_code], status, reason=reason)

    def advance(self, order_code: str, path: str = "happy", until: str = "") -> list[str]:
        """Walk the parcel along PATHS[path] from its current status (to `until`, or the end);
        one callback per step. Returns the statuses it went through."""
        steps = PATHS[path]
        with self.lock:
            parcel = self.parcels[order_code]
            if parcel.status not in steps:
                raise ValueError(f"{order_code} is {parcel.status}, not on the {path} path")
            end = steps.index(until) if until else len(steps) - 1
            walked = list(steps[steps.index(parcel.status) + 1 : end + 1])
            for status in walked:
                self.move(parcel, status)
            return walked

    def configure(self, **options: Any) -> None:
        with self.lock:
            for name, value in options.items():
                if name == "callback_url":
                    self.callback_url = str(value or "")
                elif name == "retries":
                    self.sender.retries = int(value)
                elif name == "retry_interval":
                    self.sender.interval = float(value)
                elif name == "status_auth":
                    self.status_auth = int(value)
                else:
                    raise ValueError(f"unknown option {name}")

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.sender.deliveries)

    def flush_callbacks(self, timeout: float = 5.0) -> bool:
        return self.sender.flush(timeout)

    def call_count(self, path: str | None = None) -> int:
        with self.lock:
            return sum(1 for p, _ in self.calls if path is None or p == path)


if __name__ == "__main__":
    from .ghn_cli import main

    main()
