"""A carrier-neutral driver for the failed-delivery and returned-parcel tests: one parcel on
the GHN or the Viettel Post sandbox (over real HTTP), moved by the sandbox's control and its
callbacks handed to our webhook endpoint as the carrier sends them.

Imported by tests/shipping/conftest.py (`from tests.shipping.conftest_actions import *`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

__all__ = ["carrier_driver", "two_line_order"]


@pytest.fixture
def two_line_order(db, ship_warehouse):
    """A processing COD order to Đà Nẵng of 1 x "TS-M" and 1 x "MUG-1" (each stocked 10 in
    the warehouse); returns (order, shirt variant, mug variant)."""
    from decimal import Decimal

    from orders.services.orders.transitions import order_confirm
    from tests.orders.factories import make_customer, make_order, stocked_variant
    from tests.shipping.conftest_ship import DA_NANG_ADDRESS

    shirt = stocked_variant(ship_warehouse, 10, sku="TS-M", price="150000")
    mug = stocked_variant(ship_warehouse, 10, sku="MUG-1", price="90000")
    customer = make_customer(
        "Trần Thị Bình", phones=("0905 123 456",), addresses=(DA_NANG_ADDRESS(),)
    )
    order = make_order(customer, ship_warehouse, [(shirt, 1), (mug, 1)], shipping_fee=Decimal(0))
    order_confirm(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    return order, shirt, mug


@dataclass
class Driver:
    """One carrier's sandbox behind the same few verbs."""

    carrier: str
    account: Any
    status: Callable[[str], Any]  # the sandbox's status of a parcel
    _fail: Callable[[str], None]
    _return: Callable[[str], None]
    _pickup: Callable[[str], None]
    _deliver: Callable[[], None]  # hand the sandbox's pending callbacks to our endpoint
    failed_status: Any  # where a failed delivery waits for the shop's decision
    redelivered_status: Any
    returning_status: Any

    def ship(self, order: Any, spec: Any) -> Any:
        """Create the order's parcel with the route's first service."""
        from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote

        options = shipment_quote(order_id=order.pk, account_id=self.account.pk, spec=spec(""))
        shipment = shipment_create(
            order_id=order.pk,
            account_id=self.account.pk,
            spec=spec(options[0].code),
            service=ServiceChoice(options[0].code, options[0].name, options[0].level),
            user_id=None,
        )
        self._deliver()
        return shipment

    def fail(self, shipment: Any) -> None:
        self._fail(shipment.tracking_number)
        self._deliver()

    def returned(self, shipment: Any) -> None:
        self._return(shipment.tracking_number)
        self._deliver()

    def pickup(self, shipment: Any) -> None:
        self._pickup(shipment.tracking_number)
        self._deliver()

    def deliver_callbacks(self) -> None:
        self._deliver()


def _ghn(request: Any) -> Driver:
    sandbox = request.getfixturevalue("ghn_sandbox")
    receiver = request.getfixturevalue("ghn_callbacks")
    hook = request.getfixturevalue("ghn_hook")

    def deliver() -> None:
        assert sandbox.flush_callbacks()
        bodies = [body for _path, body in receiver.received]
        receiver.received.clear()
        for body in bodies:
            assert hook(body).status_code == 200

    return Driver(
        carrier="ghn",
        account=request.getfixturevalue("ghn_account"),
        status=lambda code: sandbox.parcels[code].status,
        _fail=lambda code: sandbox.advance(code, "failed_delivery"),
        _return=lambda code: sandbox.advance(code, "return"),
        _pickup=lambda code: sandbox.advance(code, "happy", "picked"),
        _deliver=deliver,
        failed_status="waiting_to_return",
        redelivered_status="storing",
        returning_status="return",
    )


def _viettel_post(request: Any) -> Driver:
    from django.urls import reverse

    sandbox = request.getfixturevalue("vtp_sandbox")
    receiver = request.getfixturevalue("vtp_receiver")
    account = request.getfixturevalue("vtp_account")
    client = request.getfixturevalue("client")
    run_jobs = request.getfixturevalue("run_jobs")
    sandbox.configure_webhook(receiver.url, account.webhook_secret)
    url = reverse("shipping:viettel_post_webhook", args=[account.pk])

    def deliver() -> None:
        assert sandbox.flush_webhooks()
        bodies, receiver.bodies[:] = list(receiver.bodies), []
        for body in bodies:
            with run_jobs():
                response = client.post(url, data=body, content_type="application/json")
            assert response.status_code == 200

    def pickup(number: str) -> None:
        for status in (103, 104, 105):
            sandbox.set_status(number, status)

    return Driver(
        carrier="viettel_post",
        account=account,
        status=sandbox.status_of,
        _fail=lambda number: sandbox.run_scenario(number, "fail"),
        _return=lambda number: sandbox.run_scenario(number, "return"),
        _pickup=pickup,
        _deliver=deliver,
        failed_status=505,
        redelivered_status=508,
        returning_status=515,
    )


@pytest.fixture(params=["ghn", "viettel_post"])
def carrier_driver(request: Any) -> Driver:
    """The same test against each carrier's sandbox."""
    return _ghn(request) if request.param == "ghn" else _viettel_post(request)
