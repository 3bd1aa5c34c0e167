"""Fixtures for the shipping app's tests: a carrier account on the GHN sandbox (over real
HTTP), a processing order to ship from its warehouse, and helpers that hand the sandbox's
callbacks to our webhook endpoint.

Imported by tests/shipping/conftest.py (`from tests.shipping.conftest_ship import *`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

__all__ = [
    "DA_NANG_ADDRESS",
    "ghn_account",
    "ghn_hook",
    "ship_order",
    "ship_spec",
    "ship_warehouse",
    "vtp_account",
]


def _address(**changes: Any) -> Any:
    from orders.services.customers import AddressInput

    values: dict[str, Any] = {
        "recipient_name": "Trần Thị Bình",
        "recipient_phone": "0905 123 456",
        "street": "45 Lê Duẩn",
        "ward": "Phường Thạch Thang",
        "district": "Quận Hải Châu",
        "province": "TP. Đà Nẵng",
        "country": "VN",
    }
    values.update(changes)
    return AddressInput(**values)


DA_NANG_ADDRESS = _address


@pytest.fixture
def ship_warehouse(db):
    from tests.inventory.factories import WarehouseFactory

    return WarehouseFactory(code="HCM01", name="Kho Quận 1", phone="0909 123 456")


@pytest.fixture
def ghn_account(db, encryption_keys, ghn_sandbox, ship_warehouse):
    """A GHN carrier account on the sandbox's seeded shop, picking up in Quận 1 (TP HCM)."""
    from shipping.models import Carrier
    from shipping.services.accounts import AccountInput, carrier_account_save

    return carrier_account_save(
        data=AccountInput(
            carrier=Carrier.GHN,
            name="GHN Quận 1",
            warehouse_id=ship_warehouse.pk,
            base_url=ghn_sandbox.base_url,
            print_base_url=ghn_sandbox.root_url,
            token=ghn_sandbox.token,
            shop_id=str(ghn_sandbox.shop_id),
            sender_name="Shop CRM",
            sender_phone="0909123456",
            sender_street="12 Nguyễn Huệ",
            sender_province="TP. Hồ Chí Minh",
            sender_district="Quận 1",
            sender_ward="Phường Bến Nghé",
        )
    )


@pytest.fixture
def vtp_account(db, encryption_keys, vtp_sandbox, ship_warehouse):
    """A connected Viettel Post carrier account on the sandbox (two-step login), picking up in
    Quận 1 (TP HCM)."""
    from shipping.sandbox.viettel_post import PASSWORD, USERNAME
    from shipping.services.accounts import (
        AccountInput,
        carrier_account_connect,
        carrier_account_save,
    )

    account = carrier_account_save(
        data=AccountInput(
            carrier="viettel_post",
            name="Viettel Post Quận 1",
            warehouse_id=ship_warehouse.pk,
            base_url=vtp_sandbox.api_base,
            print_base_url=vtp_sandbox.base_url,
            username=USERNAME,
            password=PASSWORD,
            sender_name="Shop CRM",
            sender_phone="0909123456",
            sender_street="12 Nguyễn Huệ",
            sender_province="TP. Hồ Chí Minh",
            sender_district="Quận 1",
            sender_ward="Phường Bến Nghé",
        )
    )
    return carrier_account_connect(account_id=account.pk)


@pytest.fixture
def ship_order(db, ship_warehouse):
    """make(**address changes): a confirmed (processing) COD order of 2 x "TS-M" at 150,000
    (stock 10 in the warehouse, 2 reserved), shipping to Đà Nẵng."""
    from orders.services.orders.transitions import order_confirm
    from tests.orders.factories import make_customer, make_order, stocked_variant

    variant = stocked_variant(ship_warehouse, 10, sku="TS-M", price="150000")

    def make(scheme: str = "", **changes: Any):
        address = _address(**changes)
        customer = make_customer("Trần Thị Bình", phones=("0905 123 456",), addresses=(address,))
        order = make_order(customer, ship_warehouse, [(variant, 2)], shipping_fee=Decimal(30000))
        if scheme:
            from orders.models import Order

            Order.objects.filter(pk=order.pk).update(ship_scheme=scheme)
        order_confirm(order_id=order.pk, user_id=None)
        order.refresh_from_db()
        return order

    make.variant = variant  # type: ignore[attr-defined]
    return make


@pytest.fixture
def ship_spec():
    """spec(service_code, **changes): the parcel the tests send (1.2 kg, 20x15x10, COD 330,000
    = the order's balance, the shop pays shipping)."""
    from shipping.services.parcels import ParcelSpec

    def spec(service_code: str, **changes: Any) -> ParcelSpec:
        values: dict[str, Any] = {
            "service_code": service_code,
            "weight_g": 1200,
            "length_cm": 20,
            "width_cm": 15,
            "height_cm": 10,
            "cod_amount": Decimal(330000),
            "insurance_value": Decimal(300000),
            "payer": "shop",
            "viewing": "allow_viewing",
        }
        values.update(changes)
        return ParcelSpec(**values)

    return spec


@pytest.fixture
def ghn_hook(client, ghn_account, run_jobs):
    """post(body, token=secret): hand one callback body to our GHN endpoint as the carrier
    would, with the queued apply run (eagerly) after the commit; returns the response."""
    from django.urls import reverse

    url = reverse("shipping:ghn_webhook", args=[ghn_account.pk])

    def post(body: bytes, token: str | None = None):
        secret = ghn_account.webhook_secret if token is None else token
        with run_jobs():
            return client.post(f"{url}?token={secret}", data=body, content_type="application/json")

    return post
