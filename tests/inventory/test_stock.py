from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from inventory.errors import InsufficientStock, InvalidStockOperation
from inventory.models import StockLevel, StockMovement
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import (
    Source,
    StockChange,
    stock_adjust,
    stock_apply,
    stock_deduct,
    stock_receive,
    stock_release,
    stock_reserve,
    stock_restock,
    stock_write_off,
)
from inventory.signals import stock_changed
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def v():
    return VariantFactory(sku="AO-RED-M")


@pytest.fixture
def wh():
    return WarehouseFactory(code="HCM01")


def level(variant, warehouse) -> tuple[int, int]:
    row = StockLevel.objects.get(variant=variant, warehouse=warehouse)
    return row.on_hand, row.reserved


def test_receive_reserve_ship_return_cycle(v, wh, make_user):
    user = make_user("warehouse")
    stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=10, user_id=user.pk)
    stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=3, source=Source("order", "7"))
    assert level(v, wh) == (10, 3)
    stock_deduct(variant_id=v.pk, warehouse_id=wh.pk, quantity=2, source=Source("order", "7"))
    assert level(v, wh) == (8, 1)
    stock_release(variant_id=v.pk, warehouse_id=wh.pk, quantity=1)
    stock_restock(variant_id=v.pk, warehouse_id=wh.pk, quantity=1)
    stock_write_off(variant_id=v.pk, warehouse_id=wh.pk, quantity=2, reason="wet box")
    stock_adjust(variant_id=v.pk, warehouse_id=wh.pk, delta=-1, reason="found broken")
    assert level(v, wh) == (6, 0)
    rows = list(
        StockMovement.objects.order_by("id").values_list(
            "kind", "on_hand_delta", "reserved_delta", "on_hand_after", "reserved_after"
        )
    )
    assert rows == [
        ("receipt", 10, 0, 10, 0),
        ("reservation", 0, 3, 10, 3),
        ("shipment", -2, -2, 8, 1),
        ("release", 0, -1, 8, 0),
        ("return", 1, 0, 9, 0),
        ("damage", -2, 0, 7, 0),
        ("adjustment", -1, 0, 6, 0),
    ]
    first = StockMovement.objects.order_by("id").first()
    assert first.created_by == user
    assert StockMovement.objects.get(kind="reservation").source_id == "7"
    assert ledger_mismatches() == []


def test_reserving_more_than_available_changes_nothing(v, wh):
    stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=5)
    stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=4)
    with pytest.raises(InsufficientStock) as error:
        stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=2)
    assert (error.value.requested, error.value.available) == (2, 1)
    assert str(error.value) == (
        "Insufficient stock for AO-RED-M in HCM01: 2 requested, 1 available."
    )
    assert level(v, wh) == (5, 4)
    assert StockMovement.objects.count() == 2


def test_no_stock_row_means_nothing_available(v, wh):
    with pytest.raises(InsufficientStock) as error:
        stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=1)
    assert error.value.available == 0
    assert not StockLevel.objects.exists()


def test_write_off_cannot_touch_reserved_units(v, wh):
    stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=3)
    stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=2)
    with pytest.raises(InsufficientStock):
        stock_write_off(variant_id=v.pk, warehouse_id=wh.pk, quantity=2)
    assert level(v, wh) == (3, 2)


def test_release_more_than_reserved_is_refused(v, wh):
    stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=3)
    stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=1)
    with pytest.raises(InvalidStockOperation, match="only 1 reserved"):
        stock_release(variant_id=v.pk, warehouse_id=wh.pk, quantity=2)
    assert level(v, wh) == (3, 1)


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_quantities_must_be_positive_whole_numbers(v, wh, quantity):
    with pytest.raises(InvalidStockOperation):
        stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=quantity)
    assert not StockMovement.objects.exists()


def test_manual_adjustment_needs_a_reason(v, wh):
    with pytest.raises(InvalidStockOperation, match="needs a reason"):
        stock_adjust(variant_id=v.pk, warehouse_id=wh.pk, delta=5, reason="  ")


def test_a_batch_is_all_or_nothing(wh):
    a, b = VariantFactory(), VariantFactory()
    stock_receive(variant_id=a.pk, warehouse_id=wh.pk, quantity=5)
    stock_receive(variant_id=b.pk, warehouse_id=wh.pk, quantity=1)
    with pytest.raises(InsufficientStock):
        stock_apply(
            changes=[StockChange.reserve(a.pk, wh.pk, 2), StockChange.reserve(b.pk, wh.pk, 2)]
        )
    assert level(a, wh) == (5, 0)
    assert level(b, wh) == (1, 0)
    assert StockMovement.objects.count() == 2


def test_stock_changed_is_sent_after_commit_only(v, wh, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, changes, **kwargs):
        received.append(changes)

    stock_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=2)
            assert received == []
        assert received == [[(v.pk, wh.pk)]]
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InsufficientStock):
            stock_reserve(variant_id=v.pk, warehouse_id=wh.pk, quantity=9)
        assert received == [[(v.pk, wh.pk)]]
    finally:
        stock_changed.disconnect(listener)


def test_ledger_command_finds_tampering(v, wh):
    stock_receive(variant_id=v.pk, warehouse_id=wh.pk, quantity=4)
    call_command("check_stock_ledger")
    StockLevel.objects.filter(variant=v).update(on_hand=5)
    with pytest.raises(CommandError, match="1 stock level"):
        call_command("check_stock_ledger")
    assert ledger_mismatches()[0].on_hand_from_ledger == 4
