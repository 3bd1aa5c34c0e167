"""Draft purchase orders for an order's shortage: stock already on order counts, and the
drafts shrink with the order. Figures worked by hand in each test."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.models import PurchaseOrder
from inventory.selectors.purchasing import reorder_suggestions
from inventory.services.purchasing import (
    ReceiptLineInput,
    goods_receipt_post,
    purchase_order_cancel,
    purchase_order_confirm,
)
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import order_cancel
from orders.services.shortage import draft_po_for_shortage
from tests.inventory.factories import SupplierFactory
from tests.inventory.factories_purchasing import make_order as make_purchase_order
from tests.orders.factories import (
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db


def po_rows():
    return [
        (
            po.status,
            po.warehouse.code,
            list(po.lines.order_by("pk").values_list("variant__sku", "quantity")),
            po.total,
        )
        for po in PurchaseOrder.objects.select_related("warehouse").order_by("pk")
    ]


@pytest.fixture
def shop():
    hcm, hanoi = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    may = SupplierFactory(name="Công ty May Việt")
    shirt = stocked_variant(hcm, 2, sku="AO-001", cost_price=D("80000"))
    shirt.preferred_supplier = may
    shirt.save()
    return {"hcm": hcm, "hanoi": hanoi, "may": may, "shirt": shirt}


def incoming(shop):
    """Purchase orders for AO-001, as a shop has them: a draft of 6 at HCM01; confirmed and
    partially received ones still bringing 4 + 3 = 7 there; others that bring nothing."""
    may, hcm, shirt = shop["may"], shop["hcm"], shop["shirt"]
    make_purchase_order(supplier=may, warehouse=hcm, lines=[(shirt, 6, "80000")])
    partial = make_purchase_order(
        supplier=may, warehouse=hcm, lines=[(shirt, 6, "80000")], confirm=True
    )
    goods_receipt_post(
        order_id=partial.pk,
        lines=[ReceiptLineInput(order_line_id=partial.lines.get().pk, quantity=2)],
    )  # 6 - 2 = 4 to come; on hand 2 + 2 = 4
    make_purchase_order(supplier=may, warehouse=hcm, lines=[(shirt, 3, "80000")], confirm=True)
    done = make_purchase_order(
        supplier=may, warehouse=hcm, lines=[(shirt, 1, "80000")], confirm=True
    )
    goods_receipt_post(
        order_id=done.pk, lines=[ReceiptLineInput(order_line_id=done.lines.get().pk, quantity=1)]
    )  # received in full: nothing to come; on hand 5
    cancelled = make_purchase_order(
        supplier=may, warehouse=hcm, lines=[(shirt, 9, "80000")], confirm=True
    )
    purchase_order_cancel(order_id=cancelled.pk, user_id=None)
    make_purchase_order(
        supplier=may, warehouse=shop["hanoi"], lines=[(shirt, 4, "80000")], confirm=True
    )  # another warehouse


def test_the_draft_is_the_shortage_minus_what_is_already_on_order(shop):
    incoming(shop)  # without its draft of 6: only confirmed stock on order here
    purchase_order_cancel(
        order_id=PurchaseOrder.objects.filter(status="draft").get().pk, user_id=None
    )
    before = po_rows()
    order = make_order(make_customer(), shop["hcm"], [(shop["shirt"], 15)])

    created = draft_po_for_shortage(order_id=order.pk, user_id=None)

    # needed 15, available 5 -> missing 10; on order 4 + 3 = 7 -> 3 to order
    assert [po.pk for po in created] == [PurchaseOrder.objects.order_by("pk").last().pk]
    assert po_rows() == [*before, ("draft", "HCM01", [("AO-001", 3)], D("264000"))]
    assert created[0].source == f"order:{order.pk}"
    # a second click adds nothing: the draft of 3 covers the rest
    assert draft_po_for_shortage(order_id=order.pk, user_id=None) == []


def test_nothing_is_drafted_when_stock_on_order_covers_the_shortage(shop):
    incoming(shop)  # open: a draft of 6 and 4 + 3 confirmed, all at HCM01
    order = make_order(make_customer(), shop["hcm"], [(shop["shirt"], 12)])
    before = po_rows()
    # missing 12 - 5 = 7; on order 6 + 4 + 3 = 13
    assert draft_po_for_shortage(order_id=order.pk, user_id=None) == []
    assert po_rows() == before


def test_the_draft_shrinks_with_the_order_and_goes_when_it_is_cancelled(shop):
    shirt, hcm = shop["shirt"], shop["hcm"]
    make_purchase_order(
        supplier=shop["may"], warehouse=hcm, lines=[(shirt, 3, "80000")], confirm=True
    )
    order = make_order(make_customer(), hcm, [(shirt, 12)])
    # missing 12 - 2 = 10; 3 on order -> draft 7
    (draft,) = draft_po_for_shortage(order_id=order.pk, user_id=None)
    assert po_rows()[1] == ("draft", "HCM01", [("AO-001", 7)], D("616000"))

    line = order.lines.get()
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shirt.pk, quantity=9, line_id=line.pk)],
    )
    # missing 9 - 2 = 7; 3 on order -> the draft keeps 4 (4 x 80 000 + 10 % VAT)
    assert po_rows() == [
        ("confirmed", "HCM01", [("AO-001", 3)], D("264000")),
        ("draft", "HCM01", [("AO-001", 4)], D("352000")),
    ]

    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shirt.pk, quantity=12, line_id=line.pk)],
    )
    # growing again never raises a draft: the staff draft again for the rest
    assert po_rows()[1] == ("draft", "HCM01", [("AO-001", 4)], D("352000"))

    order_cancel(order_id=order.pk, user_id=None, reason="Khách đổi ý")
    assert po_rows() == [
        ("confirmed", "HCM01", [("AO-001", 3)], D("264000")),
        ("cancelled", "HCM01", [("AO-001", 4)], D("352000")),
    ]
    draft.refresh_from_db()
    assert draft.status == "cancelled"


def test_a_removed_line_leaves_the_draft_and_other_drafts_stay(shop):
    shirt, hcm = shop["shirt"], shop["hcm"]
    bag = stocked_variant(hcm, 0, sku="TUI-001", cost_price=D("50000"), vat="8")
    bag.preferred_supplier = shop["may"]
    bag.save()
    by_hand = make_purchase_order(supplier=shop["may"], warehouse=hcm, lines=[(bag, 1, "50000")])
    order = make_order(make_customer(), hcm, [(shirt, 5), (bag, 3)])
    # shirt: 5 - 2 = 3; bag: 3 - 0 = 3, 1 on the hand-made draft -> 2
    (draft,) = draft_po_for_shortage(order_id=order.pk, user_id=None)
    assert list(draft.lines.order_by("variant__sku").values_list("variant__sku", "quantity")) == [
        ("AO-001", 3),
        ("TUI-001", 2),
    ]
    shirt_line = order.lines.get(variant=shirt)
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shirt.pk, quantity=5, line_id=shirt_line.pk)],
    )
    # the bag line is gone: the draft keeps the 3 shirts (3 x 80 000 + 10 % = 264 000)
    assert po_rows() == [
        ("draft", "HCM01", [("TUI-001", 1)], D("54000")),
        ("draft", "HCM01", [("AO-001", 3)], D("264000")),
    ]
    by_hand.refresh_from_db()
    assert by_hand.status == "draft"


def test_a_confirmed_shortage_draft_is_never_touched(shop):
    shirt, hcm = shop["shirt"], shop["hcm"]
    order = make_order(make_customer(), hcm, [(shirt, 6)])
    (draft,) = draft_po_for_shortage(order_id=order.pk, user_id=None)  # 6 - 2 = 4
    purchase_order_confirm(order_id=draft.pk, user_id=None)
    order_cancel(order_id=order.pk, user_id=None)
    assert po_rows() == [("confirmed", "HCM01", [("AO-001", 4)], D("352000"))]


def test_reorder_demand_counts_stock_already_on_order(shop):
    shirt, hcm = shop["shirt"], shop["hcm"]
    make_purchase_order(
        supplier=shop["may"], warehouse=hcm, lines=[(shirt, 3, "80000")], confirm=True
    )
    make_order(make_customer(), hcm, [(shirt, 7)])
    # demand 7 - 2 = 5; 3 on order -> suggest 2
    lines = [line for group in reorder_suggestions().groups for line in group.lines]
    assert [(ln.variant.sku, ln.demand, ln.incoming, ln.suggested) for ln in lines] == [
        ("AO-001", 5, 3, 2)
    ]
