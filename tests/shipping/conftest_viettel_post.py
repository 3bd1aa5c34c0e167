"""Fixtures for the Viettel Post adapter tests: the local sandbox over real HTTP, an authorized
adapter, a parcel request on real sandbox places and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shipping.adapters.base import CarrierConfig, Endpoint, Item, ParcelRequest
from shipping.adapters.viettel_post import ViettelPostAdapter
from shipping.sandbox.viettel_post import PASSWORD, USERNAME, ViettelPostSandbox

__all__ = [
    "WebhookReceiver",
    "vtp_adapter",
    "vtp_clock",
    "vtp_config",
    "vtp_receiver",
    "vtp_request",
    "vtp_sandbox",
]

# Hà Nội / Hoàn Kiếm / Hàng Bạc -> Hồ Chí Minh / Quận 1 / Bến Nghé
VTP_SENDER = Endpoint("Shop Hà Nội", "0912345678", "12 Hàng Bạc", "1", "5", "40")
VTP_RECEIVER = Endpoint("Nguyễn Văn Bình", "0987000111", "5 Lê Lợi", "2", "43", "700")


@pytest.fixture
def vtp_sandbox() -> Iterator[ViettelPostSandbox]:
    """A started Viettel Post sandbox with its demo account (USERNAME / PASSWORD)."""
    with ViettelPostSandbox.running() as sandbox:
        yield sandbox


@pytest.fixture
def vtp_clock() -> datetime:
    """The adapter's pinned time: now, to the second (print codes must expire in the future)."""
    return datetime.now(tz=UTC).replace(microsecond=0)


@pytest.fixture
def vtp_config(vtp_sandbox: ViettelPostSandbox, vtp_clock: datetime) -> CarrierConfig:
    return CarrierConfig(
        base_url=vtp_sandbox.api_base,
        username=USERNAME,
        password=PASSWORD,
        clock=lambda: vtp_clock,
        timeout=(2.0, 5.0),
    )


@pytest.fixture
def vtp_adapter(vtp_config: CarrierConfig) -> ViettelPostAdapter:
    """An adapter holding the long-term token of its own authorize()."""
    adapter = ViettelPostAdapter(vtp_config)
    token = adapter.authorize()
    return ViettelPostAdapter(replace(vtp_config, token=token))


@pytest.fixture
def vtp_request() -> ParcelRequest:
    """600 g, 20x15x10 cm, COD 300,000 paid by the shop, service VCN, Hà Nội -> TP HCM."""
    return ParcelRequest(
        reference="SO-1001-1",
        sender=VTP_SENDER,
        receiver=VTP_RECEIVER,
        items=(Item("Áo thun", 2, Decimal(150000), 300, "TS-M"),),
        weight_g=600,
        length_cm=20,
        width_cm=15,
        height_cm=10,
        service_code="VCN",
        cod_amount=Decimal(300000),
        note="Gọi trước khi giao",
    )


class WebhookReceiver:
    """A local HTTP endpoint that records callback bodies; the first `fail_first` get 500."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.fail_first = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.bodies.append(body)
                failing = len(receiver.bodies) <= receiver.fail_first
                answer = json.dumps({"ok": not failing}).encode()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/webhooks/viettel-post"


@pytest.fixture
def vtp_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
