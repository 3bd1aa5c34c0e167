"""Real threads on PostgreSQL posting receipts for the same open quantity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.errors import InventoryError
from inventory.models import GoodsReceipt, StockLevel, StockMovement, Variant
from inventory.selectors.stock import ledger_mismatches
from inventory.services.purchasing import ReceiptLineInput, goods_receipt_post
from tests.concurrency import run_concurrently
from tests.inventory.factories import SupplierFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order

pytestmark = [
    pytest.mark.postgres(why="real concurrent transactions on one purchase order"),
    pytest.mark.django_db(transaction=True),
]


def race(count, target):
    outcomes = run_concurrently(
        [lambda n=n: target(n) for n in range(count)],
        {InventoryError: lambda error: f"refused: {error}"},
    )
    return sorted(outcomes)


def test_two_receipts_for_the_same_open_quantity_only_one_wins():
    warehouse = WarehouseFactory(code="HCM01")
    variant = VariantFactory(sku="AO-01", cost_price=Decimal("0"))
    order = make_order(
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[(variant, 10, "50000"), (VariantFactory(sku="LY-01"), 4, "1000")],
        confirm=True,
    )
    line = order.lines.get(variant=variant)

    results = race(
        2,
        lambda n: goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(line.pk, 7)]),
    )

    assert results == [
        "ok",
        "refused: Cannot receive 7 of AO-01: only 3 still open on PO000001.",
    ]
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity_received, order.status) == (7, "partial")
    assert StockLevel.objects.get(variant=variant).on_hand == 7
    assert StockMovement.objects.filter(source_type="goods_receipt").count() == 1
    assert list(GoodsReceipt.objects.values_list("number", flat=True)) == ["GR000001"]
    assert Variant.objects.get(pk=variant.pk).cost_price == Decimal("50000")
    assert ledger_mismatches() == []


def test_many_receipts_racing_never_over_receive():
    warehouse = WarehouseFactory(code="HCM01")
    variant = VariantFactory(sku="AO-01")
    order = make_order(
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[(variant, 10, "50000")],
        confirm=True,
    )
    line = order.lines.get()

    results = race(
        8,
        lambda n: goods_receipt_post(order_id=order.pk, lines=[ReceiptLineInput(line.pk, 3)]),
    )

    assert results.count("ok") == 3  # 9 of 10 units; the others find 1 open or the order full
    assert all(r == "ok" or r.startswith("refused: ") for r in results), results
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity_received, order.status) == (9, "partial")
    assert StockLevel.objects.get(variant=variant).on_hand == 9
    assert GoodsReceipt.objects.count() == 3
    assert ledger_mismatches() == []


def test_the_same_form_posted_twice_at_once_receives_once():
    warehouse = WarehouseFactory(code="HCM01")
    variant = VariantFactory(sku="AO-01", cost_price=Decimal("0"))
    order = make_order(
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[(variant, 10, "50000")],
        confirm=True,
    )
    line = order.lines.get()
    answers: list[int] = []

    def post(_n: int) -> None:
        receipt = goods_receipt_post(
            order_id=order.pk, lines=[ReceiptLineInput(line.pk, 4)], token="f" * 32
        )
        answers.append(receipt.pk)

    assert race(2, post) == ["ok", "ok"]
    receipt = GoodsReceipt.objects.get()
    assert answers == [receipt.pk, receipt.pk]
    line.refresh_from_db()
    assert line.quantity_received == 4
    assert StockLevel.objects.get(variant=variant).on_hand == 4
    assert list(
        StockMovement.objects.filter(source_type="goods_receipt").values_list(
            "source_id", "on_hand_delta"
        )
    ) == [(str(receipt.pk), 4)]
    assert ledger_mismatches() == []
