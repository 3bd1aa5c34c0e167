"""Returns, refunds and exchanges: stock back exactly once, money and totals exact."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from inventory.models import StockMovement
from inventory.selectors.stock import ledger_mismatches
from orders.errors import OrderError, OrderStateError, ReturnError
from orders.models import Order, OrderEvent, OrderLine, Payment, Return, ReturnLine
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import order_complete, order_confirm, order_ship
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from orders.signals import order_returned
from tests.orders.factories import (
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    order_ledger,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

D = Decimal
BKK = ZoneInfo("Asia/Bangkok")
T1 = datetime(2026, 3, 10, 0, 15, tzinfo=BKK)


@pytest.fixture
def shipped():
    warehouse = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(warehouse, 10, price="150000", sku="AO-1")
    cap = stocked_variant(warehouse, 5, price="100000", sku="NON-1")
    customer = make_customer()
    order = make_order(customer, warehouse, [(shirt, 2), (cap, 1)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    shirt_line = order.lines.get(sku="AO-1")
    cap_line = order.lines.get(sku="NON-1")
    return {
        "warehouse": warehouse,
        "shirt": shirt,
        "cap": cap,
        "customer": customer,
        "order": order,
        "shirt_line": shirt_line,
        "cap_line": cap_line,
    }


def returned_counts(order):
    return list(
        OrderLine.objects.filter(order=order).order_by("pk").values_list("sku", "quantity_returned")
    )


def test_partial_then_full_return_of_a_completed_order(
    shipped, make_user, django_capture_on_commit_callbacks
):
    user = make_user("sales")
    order, customer, wh = shipped["order"], shipped["customer"], shipped["warehouse"]
    shirt, cap = shipped["shirt"], shipped["cap"]
    other = WarehouseFactory(code="HN01")
    order_complete(order_id=order.pk, user_id=None)
    customer.refresh_from_db()
    assert (customer.orders_count, customer.revenue) == (1, D("400000"))
    assert (level(shirt, wh), level(cap, wh)) == ((8, 0), (4, 0))

    received = []

    def on_return(sender, **kwargs):
        received.append(kwargs)

    order_returned.connect(on_return)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = return_create(
                order_id=order.pk,
                lines=[ReturnLineInput(shipped["shirt_line"].pk, 1, "good", other.pk)],
                reason="Sai size",
                refund=RefundInput(amount=D("150000"), method="bank_transfer", refunded_at=T1),
                user_id=user.pk,
                now=T1,
            )
    finally:
        order_returned.disconnect(on_return)

    assert received == [
        {
            "signal": order_returned,
            "return_id": first.pk,
            "order_id": order.pk,
            "refund_amount": D("150000"),
            "exchange_order_id": None,
        }
    ]
    assert (first.number, first.status, first.refund_amount, first.refund_method) == (
        "RT000001",
        "refunded",
        D("150000"),
        "bank_transfer",
    )
    assert first.refunded_at == T1
    assert (level(shirt, wh), level(shirt, other)) == ((8, 0), (1, 0))
    restock = StockMovement.objects.get(warehouse=other)
    assert (restock.kind, restock.on_hand_delta, restock.reason, restock.source_label) == (
        "return",
        1,
        "RT000001",
        order.number,
    )
    order.refresh_from_db()
    assert (order.status, order.refunded_amount, order.payment_status) == (
        "completed",
        D("150000"),
        "partially_refunded",
    )
    refund = Payment.objects.get(kind="refund")
    assert (refund.amount, refund.order_return_id, refund.paid_at, refund.reference) == (
        D("150000"),
        first.pk,
        T1,
        "RT000001",
    )
    customer.refresh_from_db()
    assert (customer.orders_count, customer.revenue) == (1, D("250000"))
    event = OrderEvent.objects.get(order=order, kind="return")
    assert (event.from_status, event.to_status, event.user_id) == ("", "", user.pk)
    assert event.data == {
        "return": "RT000001",
        "lines": [{"sku": "AO-1", "quantity": 1, "condition": "good", "warehouse_id": other.pk}],
        "refund": "150000",
    }

    # the rest comes back damaged: restocked and written off in one batch
    second = return_create(
        order_id=order.pk,
        lines=[
            ReturnLineInput(shipped["shirt_line"].pk, 1, "damaged"),
            ReturnLineInput(shipped["cap_line"].pk, 1, "good"),
        ],
        refund=RefundInput(amount=D("250000"), method="bank_transfer"),
        user_id=None,
    )
    assert (level(shirt, wh), level(cap, wh)) == ((8, 0), (5, 0))
    assert order_ledger(order)[-3:] == [
        ("AO-1", "return", 1, 0),
        ("AO-1", "damage", -1, 0),
        ("NON-1", "return", 1, 0),
    ]
    damaged = StockMovement.objects.get(kind="damage")
    assert (damaged.reason, damaged.reason_code, damaged.reason_args) == (
        "",
        "return_damaged",
        {"number": "RT000002"},
    )
    assert damaged.reason_text == "Damaged return RT000002"
    order.refresh_from_db()
    assert (order.status, order.returned_at is not None, order.payment_status) == (
        "returned",
        True,
        "refunded",
    )
    assert returned_counts(order) == [("AO-1", 2), ("NON-1", 1)]
    customer.refresh_from_db()
    # Still one order of hers (not cancelled); revenue 400,000 paid - 400,000 refunded.
    assert (customer.orders_count, customer.revenue) == (1, D("0"))
    assert OrderEvent.objects.filter(order=order, kind="return").order_by(
        "id"
    ).last().to_status == ("returned")
    assert list(
        ReturnLine.objects.filter(order_return=second)
        .order_by("pk")
        .values_list("quantity", "condition", "warehouse_id")
    ) == [(1, "damaged", wh.pk), (1, "good", wh.pk)]

    # nothing is left to return: a third return is refused and changes nothing
    with pytest.raises(OrderStateError, match="is Returned: it cannot be returned"):
        return_create(
            order_id=order.pk,
            lines=[ReturnLineInput(shipped["cap_line"].pk, 1)],
            user_id=None,
        )
    assert (level(shirt, wh), level(cap, wh)) == ((8, 0), (5, 0))
    assert Return.objects.count() == 2
    assert ledger_mismatches() == []


def test_more_than_shipped_minus_returned_is_refused(shipped):
    order, wh, shirt = shipped["order"], shipped["warehouse"], shipped["shirt"]
    return_create(
        order_id=order.pk, lines=[ReturnLineInput(shipped["shirt_line"].pk, 1)], user_id=None
    )
    with pytest.raises(ReturnError, match="only 1 shipped and not yet returned"):
        return_create(
            order_id=order.pk, lines=[ReturnLineInput(shipped["shirt_line"].pk, 2)], user_id=None
        )
    assert level(shirt, wh) == (9, 0)
    assert returned_counts(order) == [("AO-1", 1), ("NON-1", 0)]
    assert Return.objects.count() == 1


def test_a_refund_larger_than_received_undoes_the_whole_return(shipped):
    order, wh, shirt = shipped["order"], shipped["warehouse"], shipped["shirt"]
    # COD, not collected yet (still shipped): nothing was received, so nothing can be refunded.
    with pytest.raises(OrderError, match="only ₫0 was received"):
        return_create(
            order_id=order.pk,
            lines=[ReturnLineInput(shipped["shirt_line"].pk, 2)],
            refund=RefundInput(amount=D("300000"), method="cash"),
            user_id=None,
        )
    assert level(shirt, wh) == (8, 0)
    assert returned_counts(order) == [("AO-1", 0), ("NON-1", 0)]
    assert (Return.objects.count(), Payment.objects.count()) == (0, 0)
    order.refresh_from_db()
    assert order.status == "shipped"


def test_refused_delivery_returns_everything_from_shipped(shipped):
    order, customer, wh = shipped["order"], shipped["customer"], shipped["warehouse"]
    return_create(
        order_id=order.pk,
        lines=[
            ReturnLineInput(shipped["shirt_line"].pk, 2),
            ReturnLineInput(shipped["cap_line"].pk, 1),
        ],
        reason="Khách không nhận hàng",
        user_id=None,
    )
    order.refresh_from_db()
    assert (order.status, order.completed_at, order.payment_status) == ("returned", None, "unpaid")
    assert (level(shipped["shirt"], wh), level(shipped["cap"], wh)) == ((10, 0), (5, 0))
    assert Return.objects.get().status == "received"
    customer.refresh_from_db()
    # One order (not cancelled); refused COD: nothing paid, nothing kept, no revenue.
    assert (customer.orders_count, customer.revenue) == (1, D("0"))
    assert ledger_mismatches() == []


def test_exchange_creates_a_linked_new_order(shipped):
    order, wh = shipped["order"], shipped["warehouse"]
    bigger = stocked_variant(wh, 3, price="150000", sku="AO-1-L")
    ret = return_create(
        order_id=order.pk,
        lines=[ReturnLineInput(shipped["shirt_line"].pk, 1)],
        exchange_lines=[LineInput(variant_id=bigger.pk, quantity=1, unit_price=D("0"))],
        reason="Đổi size L",
        user_id=None,
    )
    exchange = ret.exchange_order
    assert exchange is not None
    assert (exchange.status, exchange.customer_id, exchange.channel, exchange.total) == (
        "new",
        order.customer_id,
        order.channel,
        D("0"),
    )
    assert (exchange.ship_name, exchange.ship_street, exchange.warehouse_id) == (
        order.ship_name,
        order.ship_street,
        wh.pk,
    )
    assert exchange.notes == f"Exchange for {order.number} (RT000001)"
    assert OrderEvent.objects.get(order=order, kind="return").data["exchange_order"] == (
        exchange.number
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    order_confirm(order_id=exchange.pk, user_id=None)
    assert level(bigger, wh) == (3, 1)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("twice", "appears twice"),
        ("foreign", "not on order"),
        ("zero", "at least one line"),
        ("condition", "condition"),
    ],
)
def test_invalid_return_lines(shipped, lines, message):
    other = make_order(shipped["customer"], shipped["warehouse"], [(shipped["cap"], 1)])
    choices = {
        "twice": [
            ReturnLineInput(shipped["shirt_line"].pk, 1),
            ReturnLineInput(shipped["shirt_line"].pk, 1),
        ],
        "foreign": [ReturnLineInput(other.lines.get().pk, 1)],
        "zero": [ReturnLineInput(shipped["shirt_line"].pk, 0)],
        "condition": [ReturnLineInput(shipped["shirt_line"].pk, 1, "lost")],
    }
    with pytest.raises(ReturnError, match=message):
        return_create(order_id=shipped["order"].pk, lines=choices[lines], user_id=None)
    assert Return.objects.count() == 0


def test_orders_not_shipped_cannot_take_returns():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5)
    order = make_order(make_customer(), warehouse, [(shirt, 1)])
    order_confirm(order_id=order.pk, user_id=None)
    with pytest.raises(OrderStateError, match="is Processing: it cannot be returned"):
        return_create(
            order_id=order.pk, lines=[ReturnLineInput(order.lines.get().pk, 1)], user_id=None
        )
    assert level(shirt, warehouse) == (5, 1)
