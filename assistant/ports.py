"""What the assistant needs from its sibling apps, which it may not import (ARCHITECTURE.md):
a call-back request (followups), a carrier's shipping quote and the expected delivery of an
order's parcel (shipping). crm/wiring.py, at
the top layer, registers the implementations; with none registered the tools say so (no
call-back possible) or use the shop's flat shipping rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class CallBackRequest:
    name: str
    phone: str  # as the customer typed it
    message: str
    now: datetime


@dataclass(frozen=True)
class CallBackCreated:
    request_id: int
    phone_e164: str
    assignee_id: int | None


@dataclass(frozen=True)
class ShippingQuery:
    province: str
    district: str
    ward: str
    weight_grams: int
    goods_value: Decimal


@dataclass(frozen=True)
class CarrierQuote:
    carrier: str  # the carrier's display name
    service: str
    fee: Decimal


CallBackPort = Callable[[CallBackRequest], CallBackCreated]
ShippingQuotePort = Callable[[ShippingQuery], CarrierQuote | None]
# The order's id -> when the carrier expects to deliver its parcel (None: no estimate).
DeliveryEstimatePort = Callable[[int], datetime | None]

_call_back: list[CallBackPort] = []
_shipping_quote: list[ShippingQuotePort] = []
_delivery_estimate: list[DeliveryEstimatePort] = []


def register_call_back(port: CallBackPort) -> None:
    _call_back[:] = [port]


def register_shipping_quote(port: ShippingQuotePort) -> None:
    _shipping_quote[:] = [port]


def register_delivery_estimate(port: DeliveryEstimatePort) -> None:
    _delivery_estimate[:] = [port]


def call_back_port() -> CallBackPort | None:
    return _call_back[0] if _call_back else None


def shipping_quote_port() -> ShippingQuotePort | None:
    return _shipping_quote[0] if _shipping_quote else None


def delivery_estimate_port() -> DeliveryEstimatePort | None:
    return _delivery_estimate[0] if _delivery_estimate else None


class PortError(Exception):
    """The sibling app refused (a bad phone number...): the message is for the customer."""
