"""Editing new and processing orders: totals, history and reservations that follow exactly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from inventory.models import Variant
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import stock_receive
from orders.errors import OrderError, OrderStateError, OrderStockShort, Shortage
from orders.models import OrderEvent, OrderLine
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import order_cancel, order_confirm, order_ship
from tests.orders.factories import (
    HCM_ADDRESS,
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    order_ledger,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="HCM01")
    return {
        "warehouse": warehouse,
        "shirt": stocked_variant(warehouse, 10, price="150000", sku="AO-1"),
        "cap": stocked_variant(warehouse, 5, price="100000", sku="NON-1"),
        "bag": stocked_variant(warehouse, 2, price="300000", sku="TUI-1"),
        "customer": make_customer(),
    }


def lines_of(order):
    return list(
        OrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("sku", "quantity", "quantity_reserved", "line_total")
    )


def edited_events(order):
    return list(
        OrderEvent.objects.filter(order=order, kind="edited").values_list("data", flat=True)
    )


def test_editing_a_new_order_recomputes_and_records_without_touching_stock(shop, make_user):
    user = make_user("sales")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 2), (shop["cap"], 1)])
    shirt_line, cap_line = order.lines.order_by("pk")
    order_update(
        order_id=order.pk,
        user_id=user.pk,
        lines=[
            LineInput(variant_id=shop["shirt"].pk, quantity=3, line_id=shirt_line.pk),
            LineInput(variant_id=shop["bag"].pk, quantity=1, discount=D("20000")),
        ],
        shipping_fee=D("25000"),
        notes="Giao giờ hành chính",
    )
    order.refresh_from_db()
    assert lines_of(order) == [("AO-1", 3, 0, D("450000")), ("TUI-1", 1, 0, D("280000"))]
    assert (order.subtotal, order.shipping_fee, order.total) == (
        D("730000"),
        D("25000"),
        D("755000"),
    )
    assert order_ledger(order) == []
    assert edited_events(order) == [
        {
            "notes": ["", "Giao giờ hành chính"],
            "lines": {
                "added": [{"sku": "TUI-1", "quantity": 1, "unit_price": "300000"}],
                "removed": [{"sku": "NON-1", "quantity": 1}],
                "changed": [{"sku": "AO-1", "quantity": [2, 3]}],
            },
            "shipping_fee": ["0", "25000"],
            "total": ["400000", "755000"],
        }
    ]
    assert OrderEvent.objects.get(order=order, kind="edited").user_id == user.pk
    assert not OrderLine.objects.filter(pk=cap_line.pk).exists()


def test_an_edit_that_changes_nothing_writes_nothing(shop):
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 2)])
    line = order.lines.get()
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shop["shirt"].pk, quantity=2, line_id=line.pk)],
        notes="",
    )
    assert edited_events(order) == []


def test_existing_lines_keep_their_price_when_the_catalogue_changes(shop):
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    Variant.objects.filter(pk=shop["shirt"].pk).update(sale_price=D("199000"))
    line = order.lines.get()
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shop["shirt"].pk, quantity=2, line_id=line.pk)],
    )
    line.refresh_from_db()
    assert (line.unit_price, line.line_total) == (D("150000"), D("300000"))


def test_reservations_follow_edits_exactly_while_processing(shop):
    wh, shirt, cap, bag = shop["warehouse"], shop["shirt"], shop["cap"], shop["bag"]
    order = make_order(shop["customer"], wh, [(shirt, 4), (cap, 3)])
    order_confirm(order_id=order.pk, user_id=None)
    shirt_line, cap_line = order.lines.order_by("pk")
    assert (level(shirt, wh), level(cap, wh), level(bag, wh)) == ((10, 4), (5, 3), (2, 0))

    # more shirts, fewer caps, a new bag line
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=6, line_id=shirt_line.pk),
            LineInput(variant_id=cap.pk, quantity=1, line_id=cap_line.pk),
            LineInput(variant_id=bag.pk, quantity=2),
        ],
    )
    assert (level(shirt, wh), level(cap, wh), level(bag, wh)) == ((10, 6), (5, 1), (2, 2))
    assert [(sku, q, r) for sku, q, r, _t in lines_of(order)] == [
        ("AO-1", 6, 6),
        ("NON-1", 1, 1),
        ("TUI-1", 2, 2),
    ]
    assert order_ledger(order)[2:] == [
        ("AO-1", "reservation", 0, 2),
        ("NON-1", "release", 0, -2),
        ("TUI-1", "reservation", 0, 2),
    ]
    assert edited_events(order)[0]["stock"] == {
        "reserved": {"AO-1": 2, "TUI-1": 2},
        "released": {"NON-1": 2},
    }

    # the cap line goes away entirely
    bag_line = order.lines.get(sku="TUI-1")
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=6, line_id=shirt_line.pk),
            LineInput(variant_id=bag.pk, quantity=2, line_id=bag_line.pk),
        ],
    )
    assert (level(shirt, wh), level(cap, wh), level(bag, wh)) == ((10, 6), (5, 0), (2, 2))
    assert order_ledger(order)[5:] == [("NON-1", "release", 0, -1)]

    # cancelling releases exactly what the edits left reserved
    order_cancel(order_id=order.pk, user_id=None)
    assert (level(shirt, wh), level(cap, wh), level(bag, wh)) == ((10, 0), (5, 0), (2, 0))
    assert order_ledger(order)[6:] == [("AO-1", "release", 0, -6), ("TUI-1", "release", 0, -2)]
    assert ledger_mismatches() == []


def test_a_short_edit_while_processing_changes_nothing(shop):
    wh, shirt, bag = shop["warehouse"], shop["shirt"], shop["bag"]
    order = make_order(shop["customer"], wh, [(shirt, 4)])
    order_confirm(order_id=order.pk, user_id=None)
    line = order.lines.get()
    before_lines = lines_of(order)
    with pytest.raises(OrderStockShort) as caught:
        order_update(
            order_id=order.pk,
            user_id=None,
            lines=[
                LineInput(variant_id=shirt.pk, quantity=11, line_id=line.pk),
                LineInput(variant_id=bag.pk, quantity=3),
            ],
            shipping_fee=D("30000"),
        )
    # the shirt needs 7 more with 6 available, the bag 3 with 2 available
    assert caught.value.shortages == (
        Shortage(variant_id=shirt.pk, sku="AO-1", requested=7, available=6),
        Shortage(variant_id=bag.pk, sku="TUI-1", requested=3, available=2),
    )
    order.refresh_from_db()
    assert lines_of(order) == before_lines
    assert (order.shipping_fee, order.total) == (D("0"), D("600000"))
    assert (level(shirt, wh), level(bag, wh)) == ((10, 4), (2, 0))
    assert len(order_ledger(order)) == 1
    assert edited_events(order) == []


def test_changing_the_warehouse_moves_the_whole_reservation(shop):
    wh, shirt = shop["warehouse"], shop["shirt"]
    other = WarehouseFactory(code="HN01")
    stock_receive(variant_id=shirt.pk, warehouse_id=other.pk, quantity=5)
    order = make_order(shop["customer"], wh, [(shirt, 3)])
    order_confirm(order_id=order.pk, user_id=None)
    order_update(order_id=order.pk, user_id=None, warehouse_id=other.pk)
    assert (level(shirt, wh), level(shirt, other)) == ((10, 0), (5, 3))
    assert sorted(order_ledger(order)) == sorted(
        [
            ("AO-1", "reservation", 0, 3),
            ("AO-1", "release", 0, -3),
            ("AO-1", "reservation", 0, 3),
        ]
    )
    assert edited_events(order)[0]["warehouse"] == [wh.pk, other.pk]
    order_ship(order_id=order.pk, user_id=None)
    assert (level(shirt, wh), level(shirt, other)) == ((10, 0), (2, 0))
    assert ledger_mismatches() == []


def test_buyer_and_address_changes_are_recorded(shop):
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    binh = make_customer("Lê Bình", phones=("0987654321",))
    order_update(
        order_id=order.pk,
        user_id=None,
        customer_id=binh.pk,
        shipping=dataclasses.replace(
            HCM_ADDRESS, recipient_name="Lê Bình", recipient_phone="0987 654 321", district=""
        ),
    )
    order.refresh_from_db()
    assert (order.customer_id, order.ship_name, order.ship_scheme, order.ship_district) == (
        binh.pk,
        "Lê Bình",
        "vn_2level",
        "",
    )
    assert order.search_text == f"{order.number.lower()} le binh 0987654321 84987654321"
    data = edited_events(order)[0]
    assert data["customer"] == [shop["customer"].pk, binh.pk]
    assert data["shipping"] == {
        "name": ["Nguyễn Văn An", "Lê Bình"],
        "phone": ["+84912345678", "+84987654321"],
        "scheme": ["vn_3level", "vn_2level"],
        "district": ["Quận 1", ""],
    }


def test_shipped_orders_cannot_be_edited(shop):
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    with pytest.raises(OrderStateError, match="is Shipped: it cannot be edited"):
        order_update(order_id=order.pk, user_id=None, notes="late")
    order.refresh_from_db()
    assert order.notes == ""


def test_lines_of_other_orders_and_variant_swaps_are_refused(shop):
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    other = make_order(shop["customer"], shop["warehouse"], [(shop["cap"], 1)])
    foreign = other.lines.get()
    own = order.lines.get()
    with pytest.raises(OrderError, match="does not belong"):
        order_update(
            order_id=order.pk,
            user_id=None,
            lines=[LineInput(variant_id=shop["cap"].pk, quantity=1, line_id=foreign.pk)],
        )
    with pytest.raises(OrderError, match="cannot be changed"):
        order_update(
            order_id=order.pk,
            user_id=None,
            lines=[LineInput(variant_id=shop["cap"].pk, quantity=1, line_id=own.pk)],
        )
    with pytest.raises(OrderError, match="at least one line"):
        order_update(order_id=order.pk, user_id=None, lines=[])
    assert lines_of(order) == [("AO-1", 1, 0, D("150000"))]
    assert lines_of(other) == [("NON-1", 1, 0, D("100000"))]


def test_an_inactive_warehouse_still_releases_but_reserves_nothing_more(shop):
    wh, shirt = shop["warehouse"], shop["shirt"]
    order = make_order(shop["customer"], wh, [(shirt, 4)])
    order_confirm(order_id=order.pk, user_id=None)
    line = order.lines.get()
    type(wh).objects.filter(pk=wh.pk).update(is_active=False)
    order_update(order_id=order.pk, user_id=None, notes="Giao buổi sáng")
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shirt.pk, quantity=3, line_id=line.pk)],
    )
    assert level(shirt, wh) == (10, 3)
    with pytest.raises(OrderError, match="HCM01 is inactive"):
        order_update(
            order_id=order.pk,
            user_id=None,
            lines=[LineInput(variant_id=shirt.pk, quantity=5, line_id=line.pk)],
        )
    assert level(shirt, wh) == (10, 3)
    assert lines_of(order) == [("AO-1", 3, 3, D("450000"))]
