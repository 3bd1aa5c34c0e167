"""A marketplace order's lines take the VAT category of the variants they are matched to: a
line of goods not subject to VAT (KCT) carries rate 0 and no VAT, beside a 10 % line.

Figures: 1 x 135,000 at 10 % contains 135,000 x 10/110 = 12,272.7 -> 12,273 VAT; 2 x 12,000
KCT none; the buyer pays 135,000 + 24,000 + 30,000 shipping = 189,000 VND."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.services.apply import order_data_apply
from inventory.models import VatCategory
from tests.channels_sync.apply_helpers import T0, item, make_account, order_data
from tests.orders.factories import WarehouseFactory, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]
D = Decimal


def test_a_marketplace_order_snapshots_the_category() -> None:
    warehouse = WarehouseFactory()
    stocked_variant(warehouse, 10, sku="AO-DEN-M")
    stocked_variant(
        warehouse, 10, price="12000", vat="0", sku="HAT-01", vat_category=VatCategory.NOT_SUBJECT
    )
    data = order_data(
        items=(
            item("AO-DEN-M", 1, "135000"),
            item("HAT-01", 2, "12000", item_id="1002", model_id="2002"),
        ),
        total="189000",
    )
    order = order_data_apply(
        account=make_account(warehouse), data=data, payload=None, now=T0.replace(hour=4)
    )
    order.refresh_from_db()
    assert list(
        order.lines.order_by("pk").values_list("sku", "vat_category", "vat_rate", "vat_amount")
    ) == [
        ("AO-DEN-M", "rate", D(10), D(12273)),
        ("HAT-01", "not_subject", D(0), D(0)),
    ]
    assert (order.vat_total, order.total) == (D(12273), D(189000))
