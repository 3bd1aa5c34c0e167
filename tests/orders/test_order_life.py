"""The life of an order with stock checked at each step (on_hand, reserved, ledger rows)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from inventory.models import StockMovement
from inventory.selectors.stock import ledger_mismatches
from orders.errors import OrderError, OrderStateError, OrderStockShort, Shortage
from orders.models import Order, OrderEvent, OrderLine, Payment
from orders.services.orders.create import order_create
from orders.services.orders.edit import order_note_add
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.signals import order_created, order_status_changed
from tests.orders.factories import (
    BANGKOK_ADDRESS,
    VariantFactory,
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    order_ledger,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

D = Decimal
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 3, 1, 23, 30, tzinfo=HCM)


def events(order):
    return list(
        OrderEvent.objects.filter(order=order)
        .order_by("id")
        .values_list("kind", "from_status", "to_status")
    )


def test_full_life_in_vnd(settings, make_user):
    settings.SHOP_CURRENCY = "VND"
    user = make_user("sales")
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    cap = stocked_variant(warehouse, 5, price="99000", vat="8", sku="NON-01")
    customer = make_customer()

    order = make_order(
        customer,
        warehouse,
        [(shirt, 3), (cap, 2)],
        user_id=user.pk,
        shipping_fee=D("30000"),
        discount_total=D("18000"),
        now=T0,
    )
    assert re.fullmatch(r"SO\d{6}", order.number)
    assert (order.status, order.currency) == ("new", "VND")
    # 450000 + 198000 = 648000 - 18000 + 30000.
    assert (order.subtotal, order.discount_total, order.shipping_fee, order.total) == (
        D("648000"),
        D("18000"),
        D("30000"),
        D("660000"),
    )
    # discount shares 12500 / 5500: (437500 x 10/110) + (192500 x 8/108) = 39773 + 14259.
    assert order.vat_total == D("54032")
    assert order.payment_status == "unpaid"
    assert order.created_at == T0
    assert (order.ship_name, order.ship_phone, order.ship_scheme) == (
        "Nguyễn Văn An",
        "+84912345678",
        "vn_3level",
    )
    assert order.search_text == f"{order.number.lower()} nguyen van an 0912345678 84912345678"
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 0), (5, 0))
    assert order_ledger(order) == []

    order_confirm(order_id=order.pk, user_id=user.pk, now=T0 + timedelta(minutes=5))
    order.refresh_from_db()
    assert (order.status, order.confirmed_at) == ("processing", T0 + timedelta(minutes=5))
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 3), (5, 2))
    assert order_ledger(order) == [
        ("AO-DO-M", "reservation", 0, 3),
        ("NON-01", "reservation", 0, 2),
    ]
    assert sorted(order.lines.values_list("sku", "quantity_reserved")) == [
        ("AO-DO-M", 3),
        ("NON-01", 2),
    ]
    movement = StockMovement.objects.filter(source_id=str(order.pk)).first()
    assert (movement.source_type, movement.source_label, movement.created_by_id) == (
        "order",
        order.number,
        user.pk,
    )

    order_ship(order_id=order.pk, user_id=user.pk, now=T0 + timedelta(hours=2))
    order.refresh_from_db()
    assert (order.status, order.shipped_at) == ("shipped", T0 + timedelta(hours=2))
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((7, 0), (3, 0))
    assert order_ledger(order)[2:] == [
        ("AO-DO-M", "shipment", -3, -3),
        ("NON-01", "shipment", -2, -2),
    ]
    assert sorted(order.lines.values_list("sku", "quantity_reserved", "quantity_shipped")) == [
        ("AO-DO-M", 0, 3),
        ("NON-01", 0, 2),
    ]

    order_complete(order_id=order.pk, user_id=user.pk, now=T0 + timedelta(days=2))
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.paid_amount) == (
        "completed",
        "paid",
        D("660000"),
    )
    payment = Payment.objects.get(order=order)
    assert (payment.kind, payment.amount, payment.method, payment.paid_at) == (
        "cod_collected",
        D("660000"),
        "cod",
        T0 + timedelta(days=2),
    )
    customer.refresh_from_db()
    assert (customer.orders_count, customer.revenue) == (1, D("660000"))
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((7, 0), (3, 0))
    assert len(order_ledger(order)) == 4
    assert events(order) == [
        ("created", "", "new"),
        ("status_changed", "new", "processing"),
        ("status_changed", "processing", "shipped"),
        ("payment", "", ""),
        ("status_changed", "shipped", "completed"),
    ]
    assert set(OrderEvent.objects.filter(order=order).values_list("user_id", flat=True)) == {
        user.pk
    }
    assert ledger_mismatches() == []


def test_full_life_in_thb(settings):
    settings.SHOP_CURRENCY = "THB"
    warehouse = WarehouseFactory()
    tee = stocked_variant(warehouse, 4, price="199.50", vat="7", sku="TEE-BLK")
    customer = make_customer("Somchai", phones=("081-234-5678",), addresses=[BANGKOK_ADDRESS])
    order = order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk,
        lines=[LineInput(variant_id=tee.pk, quantity=3, discount=D("0.50"))],
        channel="lazada",
        channel_account="lz-th-1",
        external_number="LZ-884422",
        payment_method="marketplace",
        shipping_fee=D("40"),
        user_id=None,
    )
    # 3 x 199.50 = 598.50 - 0.50 = 598.00; VAT 598 x 7/107 = 39.121 -> 39.12.
    assert (order.currency, order.subtotal, order.vat_total, order.total) == (
        "THB",
        D("598.00"),
        D("39.12"),
        D("638.00"),
    )
    assert (order.ship_country, order.ship_postcode, order.ship_phone) == (
        "TH",
        "10110",
        "+66812345678",
    )
    order_confirm(order_id=order.pk, user_id=None)
    assert level(tee, warehouse) == (4, 3)
    order_ship(order_id=order.pk, user_id=None)
    assert level(tee, warehouse) == (1, 0)
    order_complete(order_id=order.pk, user_id=None, reference="payout 2026-03")
    payment = Payment.objects.get(order=order)
    assert (payment.kind, payment.amount, payment.method, payment.reference) == (
        "payment",
        D("638.00"),
        "marketplace",
        "payout 2026-03",
    )
    customer.refresh_from_db()
    assert (customer.orders_count, customer.revenue) == (1, D("638.00"))
    assert order_ledger(order) == [
        ("TEE-BLK", "reservation", 0, 3),
        ("TEE-BLK", "shipment", -3, -3),
    ]
    assert ledger_mismatches() == []


def test_two_lines_of_one_variant_reserve_as_one_ledger_row():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-1")
    order = order_create(
        customer_id=make_customer().pk,
        warehouse_id=warehouse.pk,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=2),
            LineInput(variant_id=shirt.pk, quantity=1, unit_price=D("0")),  # a free gift
        ],
        channel="shopee",
        payment_method="marketplace",
        user_id=None,
    )
    assert order.total == D("300000")
    order_confirm(order_id=order.pk, user_id=None)
    assert level(shirt, warehouse) == (10, 3)
    assert order_ledger(order) == [("AO-1", "reservation", 0, 3)]
    assert ledger_mismatches() == []


def test_confirm_short_lists_every_missing_sku_and_changes_nothing():
    warehouse = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(warehouse, 10, sku="AO-1")
    cap = stocked_variant(warehouse, 5, sku="NON-1")
    bag = VariantFactory(sku="TUI-1")  # never stocked: no stock level row at all
    order = make_order(make_customer(), warehouse, [(shirt, 3), (cap, 6), (bag, 1)])

    with pytest.raises(OrderStockShort) as caught:
        order_confirm(order_id=order.pk, user_id=None)

    assert caught.value.shortages == (
        Shortage(variant_id=cap.pk, sku="NON-1", requested=6, available=5),
        Shortage(variant_id=bag.pk, sku="TUI-1", requested=1, available=0),
    )
    assert [s.missing for s in caught.value.shortages] == [1, 1]
    assert str(caught.value) == (
        f"Not enough stock in HCM01 for order {order.number}: "
        "NON-1: 6 requested, 5 available; TUI-1: 1 requested, 0 available."
    )
    order.refresh_from_db()
    assert (order.status, order.confirmed_at) == ("new", None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 0), (5, 0))
    assert order_ledger(order) == []
    assert list(order.lines.values_list("quantity_reserved", flat=True)) == [0, 0, 0]
    assert events(order) == [("created", "", "new")]
    assert ledger_mismatches() == []


def test_short_because_others_hold_the_units():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 3, sku="AO-1")
    customer = make_customer()
    first = make_order(customer, warehouse, [(shirt, 2)])
    second = make_order(customer, warehouse, [(shirt, 2)])
    order_confirm(order_id=first.pk, user_id=None)
    with pytest.raises(OrderStockShort) as caught:
        order_confirm(order_id=second.pk, user_id=None)
    assert caught.value.shortages == (
        Shortage(variant_id=shirt.pk, sku="AO-1", requested=2, available=1),
    )
    assert level(shirt, warehouse) == (3, 2)


def test_confirm_needs_an_active_warehouse():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 3)
    order = make_order(make_customer(), None, [(shirt, 1)])
    with pytest.raises(OrderError, match="Choose the warehouse"):
        order_confirm(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    assert order.status == "new"


def test_cancel_from_new_touches_no_stock_and_twice_is_refused():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 3)
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    order_cancel(order_id=order.pk, user_id=None, reason="Khách đổi ý", now=T0)
    order.refresh_from_db()
    assert (order.status, order.cancelled_at) == ("cancelled", T0)
    assert order_ledger(order) == []
    with pytest.raises(OrderStateError, match="is Cancelled: it cannot be cancelled"):
        order_cancel(order_id=order.pk, user_id=None)
    assert events(order) == [("created", "", "new"), ("status_changed", "new", "cancelled")]
    assert OrderEvent.objects.filter(order=order, kind="status_changed").get().data == {
        "reason": "Khách đổi ý"
    }


def test_cancel_from_processing_releases_exactly_once():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 10, sku="AO-1")
    cap = stocked_variant(warehouse, 4, sku="NON-1")
    other = make_order(make_customer(), warehouse, [(shirt, 1)])
    order_confirm(order_id=other.pk, user_id=None)
    order = make_order(
        make_customer("B", phones=("0987654321",)), warehouse, [(shirt, 3), (cap, 4)]
    )
    order_confirm(order_id=order.pk, user_id=None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 4), (4, 4))

    order_cancel(order_id=order.pk, user_id=None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 1), (4, 0))
    with pytest.raises(OrderStateError):
        order_cancel(order_id=order.pk, user_id=None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 1), (4, 0))
    assert order_ledger(order) == [
        ("AO-1", "reservation", 0, 3),
        ("NON-1", "reservation", 0, 4),
        ("AO-1", "release", 0, -3),
        ("NON-1", "release", 0, -4),
    ]
    assert list(order.lines.values_list("quantity_reserved", flat=True)) == [0, 0]
    assert OrderEvent.objects.filter(order=order, to_status="cancelled").get().data == {
        "released": {"AO-1": 3, "NON-1": 4}
    }
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    ("steps", "action", "message"),
    [
        ([], order_ship, "is New: it cannot be shipped"),
        ([], order_complete, "is New: it cannot be completed"),
        ([order_confirm], order_confirm, "is Processing: it cannot be confirmed"),
        ([order_confirm, order_ship], order_cancel, "is Shipped: it cannot be cancelled"),
        ([order_cancel], order_confirm, "is Cancelled: it cannot be confirmed"),
    ],
)
def test_actions_not_in_the_table_are_refused_and_change_nothing(steps, action, message):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5)
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    for step in steps:
        step(order_id=order.pk, user_id=None)
    before = (
        Order.objects.values_list("status", "updated_at").get(pk=order.pk),
        level(shirt, warehouse),
    )
    count = OrderEvent.objects.count()
    with pytest.raises(OrderStateError, match=message):
        action(order_id=order.pk, user_id=None)
    after = (
        Order.objects.values_list("status", "updated_at").get(pk=order.pk),
        level(shirt, warehouse),
    )
    assert after == before
    assert OrderEvent.objects.count() == count


def test_complete_records_only_what_is_still_owed():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="100000")
    customer = make_customer()
    order = make_order(customer, warehouse, [(shirt, 3)], payment_method="bank_transfer")
    order_payment_record(
        order_id=order.pk,
        kind="payment",
        amount=D("100000"),
        method="bank_transfer",
        reference="VCB 123",
        user_id=None,
    )
    order.refresh_from_db()
    assert (order.paid_amount, order.payment_status) == (D("100000"), "partially_paid")
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order_complete(order_id=order.pk, user_id=None)
    assert list(Payment.objects.order_by("id").values_list("kind", "amount")) == [
        ("payment", D("100000")),
        ("payment", D("200000")),
    ]
    order.refresh_from_db()
    assert (order.paid_amount, order.payment_status) == (D("300000"), "paid")


def test_complete_of_a_paid_order_adds_no_payment():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="100000")
    order = make_order(make_customer(), warehouse, [(shirt, 1)], payment_method="card")
    order_payment_record(
        order_id=order.pk, kind="payment", amount=D("100000"), method="card", user_id=None
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order_complete(order_id=order.pk, user_id=None)
    assert Payment.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="completed").get().data == {}


def test_refunds_never_exceed_what_was_received():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="100000")
    order = make_order(make_customer(), warehouse, [(shirt, 1)], payment_method="bank_transfer")
    message = f"Cannot refund ₫1 on {order.number}: only ₫0 was received"
    with pytest.raises(OrderError, match=re.escape(message)):
        order_payment_record(
            order_id=order.pk, kind="refund", amount=D("1"), method="bank_transfer", user_id=None
        )
    order_payment_record(
        order_id=order.pk, kind="payment", amount=D("100000"), method="bank_transfer", user_id=None
    )
    order_cancel(order_id=order.pk, user_id=None)
    with pytest.raises(OrderStateError):
        order_payment_record(
            order_id=order.pk, kind="payment", amount=D("5"), method="cash", user_id=None
        )
    order_payment_record(
        order_id=order.pk, kind="refund", amount=D("100000"), method="bank_transfer", user_id=None
    )
    order.refresh_from_db()
    assert (order.paid_amount, order.refunded_amount, order.payment_status) == (
        D("100000"),
        D("100000"),
        "refunded",
    )
    with pytest.raises(OrderError):
        order_payment_record(
            order_id=order.pk, kind="refund", amount=D("1"), method="cash", user_id=None
        )
    assert Payment.objects.count() == 2


def test_signals_are_sent_after_commit(django_capture_on_commit_callbacks):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5)
    customer = make_customer()
    created, moved = [], []

    def on_created(sender, order_id, **kwargs):
        created.append(order_id)

    def on_status(sender, order_id, from_status, to_status, **kwargs):
        moved.append((order_id, from_status, to_status))

    order_created.connect(on_created)
    order_status_changed.connect(on_status)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            order = make_order(customer, warehouse, [(shirt, 1)])
            order_confirm(order_id=order.pk, user_id=None)
        assert (created, moved) == ([], [])
        for callback in callbacks:
            callback()
    finally:
        order_created.disconnect(on_created)
        order_status_changed.disconnect(on_status)
    assert created == [order.pk]
    assert moved == [(order.pk, "new", "processing")]


def test_channel_order_numbers_are_unique_per_channel_account():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5)
    customer = make_customer()
    first = make_order(
        customer,
        warehouse,
        [(shirt, 1)],
        channel="shopee",
        channel_account="shop-a",
        external_number="2403ABC",
    )
    with pytest.raises(OrderError, match=f"already recorded as {first.number}"):
        make_order(
            customer,
            warehouse,
            [(shirt, 1)],
            channel="shopee",
            channel_account="shop-a",
            external_number="2403ABC",
        )
    make_order(
        customer,
        warehouse,
        [(shirt, 1)],
        channel="shopee",
        channel_account="shop-b",
        external_number="2403ABC",
    )
    make_order(
        customer,
        warehouse,
        [(shirt, 1)],
        channel="lazada",
        channel_account="shop-a",
        external_number="2403ABC",
    )
    make_order(customer, warehouse, [(shirt, 1)])
    make_order(customer, warehouse, [(shirt, 1)])
    assert Order.objects.count() == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": "ebay"}, "channel"),
        ({"payment_method": "iou"}, "payment method"),
        ({"lines": []}, "at least one line"),
        ({"lines": "zero"}, "between 1 and"),
        ({"lines": "inactive"}, "no longer sold"),
        ({"lines": "missing"}, "does not exist"),
        ({"lines": "vat"}, "VAT rate"),
        ({"currency": "USD"}, "currency"),
        ({"discount_total": D("999999")}, "larger than the subtotal"),
    ],
)
def test_invalid_orders_are_refused_and_nothing_is_written(kwargs, message):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5)
    customer = make_customer()
    lines = {
        "zero": [LineInput(variant_id=shirt.pk, quantity=0)],
        "inactive": [LineInput(variant_id=VariantFactory(is_active=False).pk, quantity=1)],
        "missing": [LineInput(variant_id=999999, quantity=1)],
        "vat": [LineInput(variant_id=shirt.pk, quantity=1, vat_rate=D("101"))],
    }
    if isinstance(kwargs.get("lines"), str):
        kwargs = {**kwargs, "lines": lines[kwargs["lines"]]}
    params = {
        "customer_id": customer.pk,
        "warehouse_id": warehouse.pk,
        "lines": [LineInput(variant_id=shirt.pk, quantity=1)],
        "channel": "phone",
        "payment_method": "cod",
        "user_id": None,
        **kwargs,
    }
    with pytest.raises(OrderError, match=message):
        order_create(**params)
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0


def test_notes_go_into_the_history(make_user):
    user = make_user("sales")
    warehouse = WarehouseFactory()
    order = make_order(make_customer(), warehouse, [(stocked_variant(warehouse, 1), 1)])
    order_note_add(order_id=order.pk, text="  Gọi trước khi giao ", user_id=user.pk, now=T0)
    event = OrderEvent.objects.get(order=order, kind="note")
    assert (event.data, event.user_id, event.created_at) == (
        {"text": "Gọi trước khi giao"},
        user.pk,
        T0,
    )
    with pytest.raises(OrderError):
        order_note_add(order_id=order.pk, text=" ", user_id=None)


def test_order_numbers_increase_and_never_repeat():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="100000")
    customer = make_customer()
    numbers = [make_order(customer, warehouse, [(shirt, 1)]).number for _ in range(3)]
    values = [int(n[2:]) for n in numbers]
    assert values == sorted(values)
    assert len(set(values)) == 3


def test_shipping_records_each_line_s_unit_cost_for_profit_reports():
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, price="150000", cost_price=D("61000"))
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    assert order.lines.get().unit_cost == D("0")
    order_confirm(order_id=order.pk, user_id=None)
    type(shirt).objects.filter(pk=shirt.pk).update(cost_price=D("62500"))  # a receipt moved it
    order_ship(order_id=order.pk, user_id=None)
    assert order.lines.get().unit_cost == D("62500")
