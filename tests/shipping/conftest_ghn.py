"""Fixtures for GHN tests: the local GHN sandbox over real HTTP, an adapter for its seeded
account, a parcel request on a served route, and a callback receiver.

Imported by tests/shipping/conftest.py (`from tests.shipping.conftest_ghn import *`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shipping.adapters.base import CarrierConfig, Endpoint, Item, ParcelRequest, Payer
from shipping.adapters.ghn import GhnAdapter
from shipping.sandbox.ghn import GhnSandbox

__all__ = [
    "GHN_CALLBACK_SECRET",
    "CallbackReceiver",
    "ghn_adapter",
    "ghn_callbacks",
    "ghn_config",
    "ghn_request",
    "ghn_sandbox",
]

GHN_CALLBACK_SECRET = "ghn-callback-secret"
# The sandbox shop picks up in Quận 1, TP Hồ Chí Minh (district 1442, ward 20103).
GHN_SENDER = Endpoint(
    "Shop CRM Sandbox",
    "0909123456",
    "12 Nguyễn Huệ",
    "202",
    "1442",
    "20103",
    province_name="Hồ Chí Minh",
    district_name="Quận 1",
    ward_name="Phường Bến Nghé",
)
GHN_RECEIVER = Endpoint("Nguyễn Văn An", "0912345678", "45 Lê Duẩn", "203", "1526", "40101")


@pytest.fixture
def ghn_sandbox() -> Iterator[GhnSandbox]:
    """A started GHN sandbox with its seeded account (sb.token, ShopId sb.shop_id = 885)."""
    with GhnSandbox(retry_interval=0.05) as sandbox:
        yield sandbox


@pytest.fixture
def ghn_config(ghn_sandbox: GhnSandbox) -> CarrierConfig:
    return CarrierConfig(
        base_url=ghn_sandbox.base_url,
        token=ghn_sandbox.token,
        shop_id=str(ghn_sandbox.shop_id),
        timeout=(2.0, 5.0),
    )


@pytest.fixture
def ghn_adapter(ghn_config: CarrierConfig) -> GhnAdapter:
    return GhnAdapter(ghn_config)


def ghn_parcel_request(reference: str = "SO-1001-1", **changes: Any) -> ParcelRequest:
    """1.2 kg, 20x15x10 cm, COD 350,000 from Quận 1 (HCM) to Hải Châu (Đà Nẵng), buyer pays."""
    values: dict[str, Any] = {
        "reference": reference,
        "sender": GHN_SENDER,
        "receiver": GHN_RECEIVER,
        "items": (Item("Áo thun", 2, Decimal(150000), 500, "TS-M"),),
        "weight_g": 1200,
        "length_cm": 20,
        "width_cm": 15,
        "height_cm": 10,
        "service_code": "53320",
        "cod_amount": Decimal(350000),
        "payer": Payer.BUYER,
        "content": "Áo thun x2",
    }
    values.update(changes)
    return ParcelRequest(**values)


@pytest.fixture
def ghn_request() -> ParcelRequest:
    return ghn_parcel_request()


@dataclass
class CallbackReceiver:
    """A local HTTP endpoint that keeps every POST; the first `fail_first` answer 500."""

    fail_first: int = 0
    received: list[tuple[str, bytes]] = field(default_factory=list)  # (path + query, body)
    answered: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/webhooks/ghn?token={GHN_CALLBACK_SECRET}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 500 if len(receiver.received) < receiver.fail_first else 200
                receiver.received.append((self.path, body))
                receiver.answered.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def ghn_callbacks(ghn_sandbox: GhnSandbox) -> Iterator[CallbackReceiver]:
    """A receiver registered as the sandbox's callback URL (?token=GHN_CALLBACK_SECRET)."""
    receiver = CallbackReceiver()
    receiver.start()
    ghn_sandbox.configure(callback_url=receiver.url)
    try:
        yield receiver
    finally:
        receiver.stop()
