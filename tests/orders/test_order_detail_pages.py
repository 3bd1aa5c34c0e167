"""The order detail page and its actions, through the views, against PostgreSQL: the life of a
manual order with stock checked at each step, shortages and draft purchase orders, cancel
exactly once, payments, notes, history, permissions and a constant number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import PurchaseOrder, StockMovement
from orders.errors import Shortage
from orders.models import Order, OrderEvent, Payment
from orders.services.orders.edit import order_note_add, order_update
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_complete, order_confirm, order_ship
from tests.inventory.factories import SupplierFactory
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
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"
    wh = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    return {
        "wh": wh,
        "shirt": stocked_variant(wh, 10, price="150000", sku="AO-001"),
        "cap": stocked_variant(wh, 5, price="99000", vat="8", sku="NON-001"),
        "customer": make_customer(name="Nguyễn Thị Mai"),
    }


def url(name: str, order: Order) -> str:
    return reverse(f"orders:{name}", args=[order.pk])


def new_order(shop, lines=None, **fields) -> Order:
    return make_order(
        shop["customer"],
        shop["wh"],
        lines or [(shop["shirt"], 2), (shop["cap"], 1)],
        **fields,
    )


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def ledger_count() -> int:
    return StockMovement.objects.count()


def history(response) -> list[str]:
    return [entry.sentence for entry in response.context["detail"].history]


# --- The life of an order ---------------------------------------------------------------------


def test_full_life_of_a_manual_cod_order(client, login_as, shop):
    user = login_as("manager", first_name="Lan", last_name="Trần")
    shirt, cap, wh = shop["shirt"], shop["cap"], shop["wh"]
    order = new_order(shop, shipping_fee=D("30000"), user_id=user.pk)
    assert order.total == D("429000")

    page = client.get(url("order_detail", order))
    assert page.status_code == 200
    assert page.context["actions"] == ["confirm", "cancel"]
    assert page.context["order_edit_url"] == f"/orders/{order.pk}/edit/"
    assert (level(shirt, wh), level(cap, wh)) == ((10, 0), (5, 0))

    confirmed = client.post(url("order_confirm", order), **HX)
    assert confirmed.status_code == 200
    assert confirmed.content.decode().lstrip().startswith('<div id="order-body"')
    assert f"Order {order.number} confirmed: stock reserved." in confirmed.content.decode()
    assert confirmed.context["actions"] == ["ship", "cancel"]
    assert fresh(order).status == "processing"
    assert (level(shirt, wh), level(cap, wh)) == ((10, 2), (5, 1))
    assert order_ledger(order) == [
        ("AO-001", "reservation", 0, 2),
        ("NON-001", "reservation", 0, 1),
    ]

    shipped = client.post(url("order_ship", order), **HX)
    assert shipped.status_code == 200
    assert f"Order {order.number} marked shipped." in shipped.content.decode()
    assert shipped.context["actions"] == ["complete", "return"]
    assert shipped.context["order_edit_url"] == ""  # shipped orders are not editable
    assert fresh(order).status == "shipped"
    assert (level(shirt, wh), level(cap, wh)) == ((8, 0), (4, 0))
    assert order_ledger(order)[2:] == [
        ("AO-001", "shipment", -2, -2),
        ("NON-001", "shipment", -1, -1),
    ]

    # the complete form offers the balance due as the COD amount collected
    assert shipped.context["complete_form"]["amount"].value() == "429.000"
    completed = client.post(
        url("order_complete", order),
        {"amount": "429.000", "paid_at": timezone.localdate().isoformat(), "reference": "GHN-1"},
        **HX,
    )
    assert completed.status_code == 200
    assert f"Order {order.number} completed." in completed.content.decode()
    done = fresh(order)
    assert (done.status, done.paid_amount, done.payment_status) == (
        "completed",
        D("429000"),
        "paid",
    )
    assert list(
        Payment.objects.filter(order=order).values_list("kind", "amount", "method", "reference")
    ) == [("cod_collected", D("429000"), "cod", "GHN-1")]
    assert (level(shirt, wh), level(cap, wh)) == ((8, 0), (4, 0))
    assert len(order_ledger(order)) == 4
    assert completed.context["actions"] == ["return"]

    page = client.get(url("order_detail", order))
    assert history(page) == [
        "Lan Trần completed the order; ₫429,000 COD collected.",
        "Lan Trần recorded ₫429,000 COD collected.",
        "Lan Trần marked the order shipped.",
        "Lan Trần confirmed the order.",
        "Lan Trần created the order (Phone) with 2 lines, total ₫429,000.",
    ]


def test_actions_without_htmx_redirect_back_with_a_message(client, login_as, shop):
    login_as("manager")
    order = new_order(shop)
    response = client.post(url("order_confirm", order), follow=True)
    assert response.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Order {order.number} confirmed: stock reserved."
    ]
    assert fresh(order).status == "processing"


def test_complete_a_prepaid_order_records_nothing_more(client, login_as, shop):
    login_as("manager")
    order = new_order(shop, payment_method="bank_transfer")
    order_payment_record(
        order_id=order.pk, kind="payment", amount=order.total, method="bank_transfer", user_id=None
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    page = client.get(url("order_detail", order))
    assert page.context["complete_form"]["amount"].value() == ""
    response = client.post(url("order_complete", order), {"amount": "", "paid_at": ""}, **HX)
    assert response.status_code == 200
    assert fresh(order).status == "completed"
    assert Payment.objects.filter(order=order).count() == 1


def test_shop_local_time_on_the_page(client, login_as, shop):
    login_as("manager")
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=HCM)  # 16:30 UTC
    order = new_order(shop, now=moment)
    content = client.get(url("order_detail", order)).content.decode()
    assert '<time class="timeline-time" datetime="2026-03-01T23:30:00+07:00">' in content


def test_missing_order_is_404(client, login_as, shop):
    login_as("manager")
    assert client.get("/orders/999999/").status_code == 404
    assert client.post("/orders/999999/confirm/").status_code == 404


# --- Shortage ---------------------------------------------------------------------------------


@pytest.fixture
def short_order(shop):
    """Order needing 12 shirts (10 on hand, preferred supplier May Việt), 3 bags (1 on hand, no
    supplier) and 1 cap (enough)."""
    may = SupplierFactory(name="Công ty May Việt")
    shop["shirt"].preferred_supplier = may
    shop["shirt"].save()
    bag = stocked_variant(shop["wh"], 1, price="450000", sku="TUI-001")
    order = new_order(shop, [(shop["shirt"], 12), (bag, 3), (shop["cap"], 1)])
    return {**shop, "order": order, "bag": bag, "may": may}


def test_confirm_with_shortage_shows_the_list_and_reserves_nothing(client, login_as, short_order):
    login_as("manager")
    order, shirt, bag = short_order["order"], short_order["shirt"], short_order["bag"]
    before = ledger_count()

    response = client.post(url("order_confirm", order), **HX)

    assert response.status_code == 422
    assert response.context["shortages"] == [
        Shortage(variant_id=shirt.pk, sku="AO-001", requested=12, available=10),
        Shortage(variant_id=bag.pk, sku="TUI-001", requested=3, available=1),
    ]
    assert response.context["shortage_unassigned"] == ["TUI-001"]
    content = response.content.decode()
    assert "Not enough stock in HCM01" in content
    assert "Create draft purchase orders for the missing units" in content
    assert fresh(order).status == "new"
    assert (level(shirt, short_order["wh"]), level(bag, short_order["wh"])) == ((10, 0), (1, 0))
    assert ledger_count() == before
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_draft_purchase_orders_for_the_missing_units(client, login_as, short_order):
    login_as("manager")
    order, wh = short_order["order"], short_order["wh"]
    shortage_url = url("order_shortage_purchase", order)

    # the bag has no preferred supplier: a supplier must be chosen, nothing is created
    refused = client.post(shortage_url, {"supplier": ""}, **HX)
    assert refused.status_code == 422
    assert refused.content.decode().lstrip().startswith('<section id="order-shortage"')
    assert (
        "Choose a supplier for TUI-001: they have no preferred supplier."
        in refused.content.decode()
    )
    assert PurchaseOrder.objects.count() == 0

    other = SupplierFactory(name="Đồ Da Sài Gòn")
    created = client.post(shortage_url, {"supplier": other.pk}, **HX)
    assert created.status_code == 200
    drafts = list(PurchaseOrder.objects.order_by("pk"))
    assert [(po.supplier.name, po.warehouse_id, po.status) for po in drafts] == [
        ("Công ty May Việt", wh.pk, "draft"),
        ("Đồ Da Sài Gòn", wh.pk, "draft"),
    ]
    assert [
        list(po.lines.values_list("variant__sku", "quantity", "unit_cost")) for po in drafts
    ] == [
        [("AO-001", 2, D("80000"))],
        [("TUI-001", 2, D("80000"))],
    ]
    assert drafts[0].notes == f"Stock short for order {order.number}."
    content = created.content.decode()
    assert f"Draft purchase orders created: {drafts[0].number}, {drafts[1].number}." in content
    for po in drafts:
        link = reverse("inventory:purchase_order_detail", args=[po.pk])
        assert f'<a class="mono" href="{link}">{po.number}</a>' in content
    # still short until the goods arrive; the order did not change
    assert fresh(order).status == "new"

    # a second click adds nothing: the drafts already cover the shortage
    again = client.post(shortage_url, {"supplier": other.pk}, **HX)
    assert again.status_code == 200
    assert (
        "Nothing to order: draft purchase orders already cover the shortage."
        in again.content.decode()
    )
    assert PurchaseOrder.objects.count() == 2


def test_draft_purchase_orders_need_the_purchasing_permission(client, login_as, short_order):
    login_as("sales")  # may confirm orders, may not buy
    order = short_order["order"]
    response = client.post(url("order_confirm", order), **HX)
    assert response.status_code == 422
    assert "Create draft purchase orders for the missing units" not in response.content.decode()
    assert client.post(url("order_shortage_purchase", order), {}, **HX).status_code == 403
    assert PurchaseOrder.objects.count() == 0


# --- Cancel -----------------------------------------------------------------------------------


def test_cancel_from_processing_releases_stock_exactly_once(client, login_as, shop):
    login_as("manager")
    shirt, cap, wh = shop["shirt"], shop["cap"], shop["wh"]
    order = new_order(shop)
    order_confirm(order_id=order.pk, user_id=None)
    assert (level(shirt, wh), level(cap, wh)) == ((10, 2), (5, 1))

    # a reason is required
    no_reason = client.post(url("order_cancel", order), {"reason": " "}, **HX)
    assert no_reason.status_code == 422
    assert no_reason.context["cancel_form"].errors == {
        "reason": ["Say why the order is cancelled."]
    }
    assert no_reason.context["open_form"] == "cancel"
    assert fresh(order).status == "processing"

    response = client.post(url("order_cancel", order), {"reason": "Khách đổi ý"}, **HX)
    assert response.status_code == 200
    assert f"Order {order.number} cancelled." in response.content.decode()
    assert (level(shirt, wh), level(cap, wh)) == ((10, 0), (5, 0))
    assert order_ledger(order)[2:] == [("AO-001", "release", 0, -2), ("NON-001", "release", 0, -1)]
    moves, events = ledger_count(), OrderEvent.objects.filter(order=order).count()

    second = client.post(url("order_cancel", order), {"reason": "again"}, **HX)
    assert second.status_code == 422
    message = f"Order {order.number} is Cancelled: it cannot be cancelled."
    assert second.context["action_error"] == message
    assert message in second.content.decode()
    assert (level(shirt, wh), level(cap, wh)) == ((10, 0), (5, 0))
    assert ledger_count() == moves
    assert OrderEvent.objects.filter(order=order).count() == events


def test_cancel_sentence_in_history(client, login_as, shop):
    login_as("manager", first_name="Minh", last_name="Lê")
    order = new_order(shop)
    client.post(url("order_cancel", order), {"reason": "Trùng đơn"}, **HX)
    assert history(client.get(url("order_detail", order)))[0] == (
        "Minh Lê cancelled the order: Trùng đơn"
    )


def test_ship_twice_gives_the_translated_error(client, login_as, shop):
    login_as("manager")
    order = new_order(shop)
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    moves = ledger_count()
    response = client.post(url("order_ship", order), **HX)
    assert response.status_code == 422
    message = f"Order {order.number} is Shipped: it cannot be shipped."
    assert response.context["action_error"] == message
    assert message in response.content.decode()
    assert ledger_count() == moves


# --- Payments and notes -----------------------------------------------------------------------


def test_record_payment_and_refund_limits(client, login_as, shop):
    login_as("accountant")
    order = new_order(shop, payment_method="bank_transfer")
    today = timezone.localdate().isoformat()
    response = client.post(
        url("order_payment", order),
        {
            "kind": "payment",
            "amount": "100.000",
            "method": "bank_transfer",
            "paid_at": today,
            "reference": "VCB 001",
        },
        **HX,
    )
    assert response.status_code == 200
    assert "₫100,000 received and recorded." in response.content.decode()
    paid = fresh(order)
    assert (paid.paid_amount, paid.payment_status) == (D("100000"), "partially_paid")
    payment = Payment.objects.get(order=order)
    assert (payment.kind, payment.amount, payment.method, payment.reference) == (
        "payment",
        D("100000"),
        "bank_transfer",
        "VCB 001",
    )
    assert timezone.localdate(payment.paid_at).isoformat() == today

    too_much = client.post(
        url("order_payment", order),
        {"kind": "refund", "amount": "150000", "method": "bank_transfer", "paid_at": today},
        **HX,
    )
    assert too_much.status_code == 422
    assert too_much.context["payment_form"].non_field_errors() == [
        f"Cannot refund ₫150,000 on {order.number}: only ₫100,000 was received."
    ]
    assert too_much.context["open_form"] == "payment"
    assert Payment.objects.filter(order=order).count() == 1
    assert fresh(order).refunded_amount == D("0")

    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = client.post(
        url("order_payment", order),
        {"kind": "payment", "amount": "0", "method": "cash", "paid_at": future},
        **HX,
    )
    assert bad.status_code == 422
    assert bad.context["payment_form"].errors == {
        "amount": ["The amount must be above zero."],
        "paid_at": ["The date cannot be in the future."],
    }
    assert Payment.objects.filter(order=order).count() == 1


def test_notes(client, login_as, shop):
    login_as("sales", first_name="Hoa", last_name="Phạm")
    order = new_order(shop)
    empty = client.post(url("order_note", order), {"text": "  "}, **HX)
    assert empty.status_code == 422
    assert empty.context["note_form"].errors == {"text": ["Write the note first."]}
    assert OrderEvent.objects.filter(order=order, kind="note").count() == 0

    added = client.post(url("order_note", order), {"text": "Gọi trước khi giao"}, **HX)
    assert added.status_code == 200
    assert "Note added." in added.content.decode()
    entry = added.context["detail"].history[0]
    assert (entry.sentence, entry.note) == ("Hoa Phạm added a note.", "Gọi trước khi giao")


def test_customer_text_is_escaped(client, login_as, shop):
    login_as("manager")
    order = new_order(shop)
    order_note_add(order_id=order.pk, text="<script>alert(1)</script>", user_id=None)
    content = client.get(url("order_detail", order)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- Permissions ------------------------------------------------------------------------------


def test_permissions_per_role(client, login_as, shop):
    order = new_order(shop)
    order_confirm(order_id=order.pk, user_id=None)

    login_as("accountant")
    assert client.get(url("order_detail", order)).context["actions"] == []
    payment = {"kind": "payment", "amount": "1000", "method": "cash", "paid_at": ""}
    assert client.post(url("order_payment", order), payment, **HX).status_code == 422  # date
    payment["paid_at"] = timezone.localdate().isoformat()
    assert client.post(url("order_payment", order), payment, **HX).status_code == 200
    assert client.post(url("order_cancel", order), {"reason": "x"}, **HX).status_code == 403
    assert client.post(url("order_ship", order), **HX).status_code == 403
    assert client.post(url("order_note", order), {"text": "x"}, **HX).status_code == 403

    login_as("sales")
    page = client.get(url("order_detail", order))
    assert page.context["actions"] == ["cancel"]
    assert "Record a payment or refund" not in page.content.decode()
    assert client.post(url("order_ship", order), **HX).status_code == 403
    assert client.post(url("order_payment", order), payment, **HX).status_code == 403

    login_as("warehouse")
    page = client.get(url("order_detail", order))
    assert page.context["actions"] == ["ship"]
    assert page.context["order_edit_url"] == ""
    assert client.post(url("order_cancel", order), {"reason": "x"}, **HX).status_code == 403
    assert fresh(order).status == "processing"
    assert client.post(url("order_ship", order), **HX).status_code == 200
    assert fresh(order).status == "shipped"

    fresh_order = new_order(shop)
    login_as("accountant")
    assert client.post(url("order_confirm", fresh_order), **HX).status_code == 403
    assert fresh(fresh_order).status == "new"


def test_anonymous_is_sent_to_login(client, shop):
    order = new_order(shop)
    response = client.get(url("order_detail", order))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- Query count ------------------------------------------------------------------------------


def _busy_order(shop, n_lines: int, n_notes: int) -> Order:
    variants = [shop["shirt"], shop["cap"]] + [
        stocked_variant(shop["wh"], 5, sku=f"EXTRA-{i:02d}") for i in range(n_lines - 2)
    ]
    order = new_order(shop, [(v, 1) for v in variants])
    for i in range(n_notes):
        order_note_add(order_id=order.pk, text=f"note {i}", user_id=None)
    order_confirm(order_id=order.pk, user_id=None)
    order_payment_record(
        order_id=order.pk, kind="payment", amount=D("1000"), method="cash", user_id=None
    )
    first = order.lines.order_by("pk").first()
    assert first is not None
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[
            LineInput(variant_id=line.variant_id, quantity=line.quantity + 1, line_id=line.pk)
            for line in order.lines.order_by("pk")
        ],
    )
    return order


def test_detail_page_query_count_does_not_grow(client, login_as, shop, django_assert_num_queries):
    login_as("manager")
    small = _busy_order(shop, 2, 1)
    big = _busy_order(shop, 20, 20)
    assert (big.lines.count(), OrderEvent.objects.filter(order=big).count()) == (20, 24)

    client.get(url("order_detail", small))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(url("order_detail", small)).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        assert client.get(url("order_detail", big)).status_code == 200
    # session, user, 2 x permissions, order (+customer, warehouse, creator), phones, lines,
    # events (+users), payments, returns, the return this order is an exchange for
    assert len(small_queries) == 11


def test_phones_on_the_order_page_have_the_one_display_form(client, login_as, shop):
    login_as("manager")
    buyer = make_customer(name="Somchai", phones=("0913456789", "+66 81 234 5678"))
    order = make_order(buyer, shop["wh"], [(shop["shirt"], 1)])
    html = client.get(url("order_detail", order)).content.decode()
    assert '<a href="tel:+84913456789" class="mono">0913 456 789</a>' in html
    assert '<a href="tel:+66812345678" class="mono">+66 81 234 5678</a>' in html
    assert "+84913456789</a>" not in html


@pytest.mark.parametrize(
    ("language", "column", "when", "status"),
    [
        ("vi", "Đã gửi", "Gửi hàng lúc", "Đang giao hàng"),
        ("th", "ส่งแล้ว", "จัดส่งเมื่อ", None),
        ("en", "Shipped", "Shipped", None),
    ],
)
def test_the_shipped_quantity_and_time_read_right_on_a_completed_order(
    client, login_as, shop, language, column, when, status
):
    """The quantity column and the time say "shipped", not the status "in delivery"."""
    login_as("manager")
    order = new_order(shop, payment_method="bank_transfer")
    order_payment_record(
        order_id=order.pk, kind="payment", amount=order.total, method="bank_transfer", user_id=None
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order_complete(order_id=order.pk, user_id=None)
    html = client.get(url("order_detail", order), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<th class="num">{column}</th><th class="num">' in html
    assert f"<div><dt>{when}</dt>" in html
    if status is not None:
        assert f'<th class="num">{status}</th>' not in html
