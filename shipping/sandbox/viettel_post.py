"""A local Viettel Post partner API v2 server for tests and the offline demo.

Speaks the protocol of /work/shared/api/carriers_einvoice.md section B: Login -> ownerconnect
token pair, the `Token` header (an expired one answers `messageKey: "EXPIRED_TOKEN"`), the
envelope `{status, error, message, data}` with HTTP 200 even on business errors, getPriceAll as
a bare array, createOrder with numeric waybills and duplicate ORDER_NUMBER rejection
(CHECK_UNIQUE), UpdateOrder TYPE rules, printing-code + the print page, the tracking pull
(listOrderTrackingVTP3) and `{DATA, TOKEN}` webhooks with ORDER_STATUSDATE in ICT. As strict as
the doc: the Token on every call but Login/ownerconnect (master data too), JSON request bodies
(HTTP 415 otherwise) and the request fields of prices and orders (viettel_post_checks.py).

API under /v2/, tracking under /api/setting/, labels under /DigitalizePrint/report.do; the test
control API under /_sandbox/ (viettel_post_control.py). In tests:

    with ViettelPostSandbox.running() as vtp:
        adapter = ViettelPostAdapter(CarrierConfig(base_url=vtp.api_base, ...))

Demo (viettel_post_cli.py): python -m shipping.sandbox.viettel_post --port 8702
    [--webhook URL --webhook-token T] [--advance-every SECONDS] [--auto-confirm]
"""

from __future__ import annotations

import json
import secrets
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import Background, Fault, FaultQueue, HttpSandbox, SandboxClock

from . import viettel_post_data as data
from .viettel_post_push import Callback, CallbackSender, Delivery

ICT = timezone(timedelta(hours=7))
USERNAME = "0987654321"
PASSWORD = "vtp-sandbox-pass"
DAY = 86400.0


@dataclass
class Step:
    status: int
    at: float
    note: str = ""
    location: str = ""


@dataclass
class Parcel:
    order_number: str  # the waybill
    reference: str  # ORDER_NUMBER the merchant sent
    body: dict[str, Any]
    fees: dict[str, int]
    steps: list[Step] = field(default_factory=list)
    returning: bool = False

    @property
    def status(self) -> int:
        return self.steps[-1].status


class ViettelPostSandbox(HttpSandbox, SandboxClock, FaultQueue[Fault]):
    thread_name = "vtp-sandbox"

    def __init__(  # the [UNV] points of the doc are options
        self,
        *,
        initial_status: int = -100,
        short_token_ttl: float = 3600.0,
        long_token_ttl: float = 365 * DAY,
        business_status: int = 400,
        auth_http_status: int = 200,
        string_numbers: bool = False,
        location_key: str = "LOCALION_CURRENTLY",
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2),
        webhook_timeout: float = 2.0,
    ) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.initial_status = initial_status
        self.short_token_ttl, self.long_token_ttl = short_token_ttl, long_token_ttl
        self.business_status = business_status
        self.auth_http_status = auth_http_status
        self.string_numbers = string_numbers
        self.location_key = location_key
        self.accounts: dict[str, str] = {USERNAME: PASSWORD}
        self.short_tokens: dict[str, float] = {}
        self.long_tokens: dict[str, tuple[str, float]] = {}
        self.parcels: dict[str, Parcel] = {}
        self.print_codes: dict[str, tuple[list[str], float]] = {}
        self.faults: list[Fault] = []
        self.webhook_url = ""
        self.webhook_token = ""
        self.webhook_duplicate = False
        self.calls: list[str] = []
        self._waybill = 10345381600
        self._sender = CallbackSender(timeout=webhook_timeout, retry_delays=webhook_retry_delays)

    # -- server -------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        from .viettel_post_http import make_handler

        return make_handler(self)

    def background(self) -> list[Background]:
        return [self._sender]

    @property
    def base_url(self) -> str:
        return self.origin

    @property
    def api_base(self) -> str:
        """What CarrierConfig.base_url takes (the production one is .../v2 too)."""
        return f"{self.base_url}/v2"

    # -- accounts and tokens ------------------------------------------------------------------
    def add_account(self, username: str, password: str) -> None:
        with self.lock:
            self.accounts[username] = password

    def login(self, username: str, password: str) -> str | None:
        with self.lock:
            if not username or self.accounts.get(username) != password:
                return None
            token = "vtp-short-" + secrets.token_hex(16)
            self.short_tokens[token] = self.now() + self.short_token_ttl
            return token

    def owner_connect(self, short_token: str, username: str, password: str) -> str | None:
        with self.lock:
            if self.short_tokens.get(short_token, 0) <= self.now():
                return None
            if self.accounts.get(username) != password:
                return None
            token = "vtp-long-" + secrets.token_hex(24)
            self.long_tokens[token] = (username, self.now() + self.long_token_ttl)
            return token

    def token_state(self, token: str) -> str:
        """ "ok", "expired" or "unknown" for a long-term (or short) token."""
        with self.lock:
            if token in self.long_tokens:
                return "ok" if self.long_tokens[token][1] > self.now() else "expired"
            if token in self.short_tokens:
                return "ok" if self.short_tokens[token] > self.now() else "expired"
            return "unknown"

    def expire_tokens(self) -> int:
        """Every issued token expires now (renewal: Login + ownerconnect again)."""
        with self.lock:
            past = self.now() - 1
            self.long_tokens = {t: (u, past) for t, (u, _) in self.long_tokens.items()}
            self.short_tokens = dict.fromkeys(self.short_tokens, past)
            return len(self.long_tokens)

    # -- parcels ------------------------------------------------------------------------------
    def next_waybill(self) -> str:
        with self.lock:
            self._waybill += 1
            return str(self._waybill)

    def step_time(self, parcel: Parcel) -> float:
        """Each status a minute after the previous at least, so ORDER_STATUSDATE orders them."""
        last = parcel.steps[-1].at if parcel.steps else 0.0
        return max(float(int(self.now())), last + 60)

    def add_parcel(self, parcel: Parcel, note: str = "") -> None:
        with self.lock:
            self.parcels[parcel.order_number] = parcel
            self.set_status(parcel.order_number, self.initial_status, note=note)

    def find_parcels(self, number: str) -> list[Parcel]:
        """Parcels by waybill, or by the merchant's reference (oldest first)."""
        with self.lock:
            if number in self.parcels:
                return [self.parcels[number]]
            return [p for p in self.parcels.values() if p.reference == number]

    def set_status(
        self, order_number: str, status: int, *, note: str = "", location: str = ""
    ) -> Parcel:
        """Moves a parcel to `status` and sends the webhook."""
        if status not in data.STATUS_NAMES:
            raise ValueError(f"unknown ORDER_STATUS {status}")
        with self.lock:
            parcel = self.parcels[order_number]
            if status in data.RETURN_STATUSES:
                parcel.returning = True
            place = location or _office(parcel, status)
            parcel.steps.append(Step(status, self.step_time(parcel), note, place))
            self._emit(parcel)
            return parcel

    def run_scenario(self, order_number: str, scenario: str) -> list[int]:
        """Moves a parcel along a control scenario from where it stands; the statuses set."""
        path = data.SCENARIOS.get(scenario)
        if path is None:
            raise ValueError(f"unknown scenario {scenario}")
        with self.lock:
            current = self.parcels[order_number].status
            start = path.index(current) + 1 if current in path else 0
            notes = {506: "Khách không nghe máy, hẹn giao lại", 505: "Khách từ chối nhận hàng"}
            for status in path[start:]:
                self.set_status(order_number, status, note=notes.get(status, ""))
            return list(path[start:])

    def step_all(self) -> list[tuple[str, int]]:
        """Moves every open parcel one status (the demo's clock tick): most along "deliver",
        one in five (by waybill) to a failed delivery and 505, where it waits for the shop's
        redeliver (TYPE 3) or return (TYPE 2). New (-100) and finished parcels stay."""
        moved = []
        with self.lock:
            for parcel in list(self.parcels.values()):
                path = data.SCENARIOS[_demo_path(parcel)]
                if parcel.status not in path or parcel.status in (path[-1], 505):
                    continue
                following = path[path.index(parcel.status) + 1]
                self.set_status(parcel.order_number, following)
                moved.append((parcel.order_number, following))
        return moved

    # -- webhooks -----------------------------------------------------------------------------
    def configure_webhook(
        self, url: str, token: str, *, duplicate: bool = False, retry_delays: Any = None
    ) -> None:
        with self.lock:
            self.webhook_url, self.webhook_token = url, token
            self.webhook_duplicate = duplicate
            if retry_delays is not None:
                self._sender.retry_delays = tuple(float(x) for x in retry_delays)

    def item(self, parcel: Parcel, step: Step) -> dict[str, Any]:
        """One status of a parcel as the webhook's DATA and the tracking answer carry it."""
        body, fees = parcel.body, parcel.fees
        return {
            "ORDER_NUMBER": parcel.order_number,
            "ORDER_REFERENCE": parcel.reference,
            "ORDER_STATUSDATE": _local(step.at),
            "ORDER_STATUS": self.number(step.status),
            "STATUS_NAME": data.STATUS_NAMES[step.status],
            self.location_key: step.location,
            "NOTE": step.note,
            "MONEY_COLLECTION": self.number(body.get("MONEY_COLLECTION", 0)),
            "MONEY_FEECOD": self.number(fees["MONEY_COLLECTION_FEE"]),
            "MONEY_TOTAL": self.number(fees["MONEY_TOTAL"]),
            "MONEY_TOTALFEE": self.number(fees["MONEY_TOTAL_FEE"]),
            "EXPECTED_DELIVERY": f"Khoảng {max(1, fees['KPI_HT'] // 24)} ngày làm việc",
            "EXPECTED_DELIVERY_DATE": _local(parcel.steps[0].at + fees["KPI_HT"] * 3600),
            "PRODUCT_WEIGHT": self.number(body.get("PRODUCT_WEIGHT", 0)),
            "ORDER_SERVICE": body.get("ORDER_SERVICE", ""),
            "ORDER_PAYMENT": self.number(body.get("ORDER_PAYMENT", 1)),
            "RECEIVER_FULLNAME": body.get("RECEIVER_FULLNAME", ""),
            "EMPLOYEE_NAME": "Nguyễn Văn Bưu Tá" if step.status >= 104 else "",
            "EMPLOYEE_PHONE": "0971000111" if step.status >= 104 else "",
            "IS_RETURNING": parcel.returning,
        }

    def number(self, value: Any) -> Any:
        return str(value) if self.string_numbers else value

    def webhook_body(self, order_number: str, token: str | None = None) -> bytes:
        """The callback body of the parcel's latest status, `{"DATA": {...}, "TOKEN": ...}`
        (for tests that post it to a view themselves)."""
        with self.lock:
            parcel = self.parcels[order_number]
            secret = self.webhook_token if token is None else token
            envelope = {"DATA": self.item(parcel, parcel.steps[-1]), "TOKEN": secret}
            return json.dumps(envelope, ensure_ascii=False).encode()

    def _emit(self, parcel: Parcel) -> None:
        if not self.webhook_url:
            return
        body = self.webhook_body(parcel.order_number)
        for _ in range(2 if self.webhook_duplicate else 1):
            self._sender.enqueue(Callback(self.webhook_url, body))

    def replay(self, order_number: str) -> None:
        """Sends the parcel's latest webhook again (the same event, a second time)."""
        with self.lock:
            self._emit(self.parcels[order_number])

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self._sender.deliveries)

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        return self._sender.flush(timeout)

    # -- readers ------------------------------------------------------------------------------
    def call_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(Counter(self.calls))

    def status_of(self, order_number: str) -> int:
        with self.lock:
            return self.parcels[order_number].status


def _demo_path(parcel: Parcel) -> str:
    history = [step.status for step in parcel.steps]
    if parcel.returning:
        return "return"
    if 508 in history:
        return "redeliver"
    failing = zlib.crc32(parcel.order_number.encode()) % 5 == 0
    return "fail" if failing else "deliver"


def _local(moment: float) -> str:
    """Vietnam local time as Viettel Post writes it: dd/MM/yyyy HH:mm:ss."""
    return datetime.fromtimestamp(moment, tz=UTC).astimezone(ICT).strftime("%d/%m/%Y %H:%M:%S")


def _office(parcel: Parcel, status: int) -> str:
    """A post office name for the status: the sender's side before transit, else receiver's."""
    side = "SENDER" if status < 400 or status in (502, 504, 515) else "RECEIVER"
    district = int(parcel.body.get(f"{side}_DISTRICT") or 0)
    names = {d[0]: d[2] for d in data.DISTRICTS}
    return f"Bưu cục {names.get(district, 'trung tâm').title()}"


if __name__ == "__main__":
    from .viettel_post_cli import main

    main()
