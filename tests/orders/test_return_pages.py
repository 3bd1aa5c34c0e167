"""The return / exchange page (orders:return_create) against PostgreSQL: restock to the chosen
warehouse, damaged goods written off, refunds, over-returns refused with nothing changed,
exchange orders, the returns shown on the order page, permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import StockMovement
from orders.models import Order, OrderEvent, OrderLine, Payment, Return
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_complete, order_confirm, order_ship
from orders.services.returns import ReturnLineInput, return_create
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


@pytest.fixture
def shipped(settings):
    """A bank-transfer order for 2 shirts and 2 caps, paid in full and shipped from HCM01."""
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    hn = WarehouseFactory(code="HN01", name="Kho Hà Nội")
    shirt = stocked_variant(hcm, 10, price="150000", sku="AO-001")
    cap = stocked_variant(hcm, 5, price="99000", vat="8", sku="NON-001")
    customer = make_customer(name="Nguyễn Thị Mai")
    order = make_order(customer, hcm, [(shirt, 2), (cap, 2)], payment_method="bank_transfer")
    order_payment_record(
        order_id=order.pk, kind="payment", amount=order.total, method="bank_transfer", user_id=None
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    lines = {line.sku: line for line in OrderLine.objects.filter(order=order)}
    return {
        "order": order,
        "hcm": hcm,
        "hn": hn,
        "shirt": shirt,
        "cap": cap,
        "shirt_line": lines["AO-001"],
        "cap_line": lines["NON-001"],
    }


def return_url(order: Order) -> str:
    return reverse("orders:return_create", args=[order.pk])


def form_data(s, **overrides) -> dict[str, str]:
    """The form as the page posts it: nothing returned, default warehouse, no refund."""
    data = {
        f"line-{s['shirt_line'].pk}-good": "0",
        f"line-{s['shirt_line'].pk}-damaged": "0",
        f"line-{s['shirt_line'].pk}-warehouse": str(s["hcm"].pk),
        f"line-{s['cap_line'].pk}-good": "0",
        f"line-{s['cap_line'].pk}-damaged": "0",
        f"line-{s['cap_line'].pk}-warehouse": str(s["hcm"].pk),
        "reason": "",
        "refund_amount": "",
        "refund_method": "",
        "refunded_at": "",
        "refund_reference": "",
        "exchange-TOTAL_FORMS": "2",
        "exchange-INITIAL_FORMS": "0",
        "exchange-MIN_NUM_FORMS": "0",
        "exchange-MAX_NUM_FORMS": "50",
        "exchange-0-variant": "",
        "exchange-0-quantity": "",
        "exchange-1-variant": "",
        "exchange-1-quantity": "",
    }
    data.update(overrides)
    return data


def snapshot(s) -> tuple:
    """Everything a refused return must leave as it was."""
    order = Order.objects.get(pk=s["order"].pk)
    return (
        order.status,
        order.refunded_amount,
        Return.objects.count(),
        Order.objects.count(),
        Payment.objects.count(),
        StockMovement.objects.count(),
        list(OrderLine.objects.filter(order=order).order_by("pk").values_list("quantity_returned")),
        level(s["shirt"], s["hcm"]),
        level(s["shirt"], s["hn"]),
        level(s["cap"], s["hcm"]),
    )


def test_the_form_lists_returnable_lines_with_the_orders_warehouse(client, login_as, shipped):
    login_as("warehouse")
    response = client.get(return_url(shipped["order"]))
    assert response.status_code == 200
    forms = response.context["line_forms"]
    assert [(f.line.sku, f.line.quantity_returnable) for f in forms] == [
        ("AO-001", 2),
        ("NON-001", 2),
    ]
    assert [f["warehouse"].value() for f in forms] == [shipped["hcm"].pk, shipped["hcm"].pk]
    assert response.context["refundable"] == D("498000")


def test_good_back_to_chosen_warehouse_damaged_written_off_refund_recorded(
    client, login_as, shipped
):
    login_as("warehouse", first_name="Bình", last_name="Võ")
    s = shipped
    order = s["order"]
    response = client.post(
        return_url(order),
        form_data(
            s,
            **{
                f"line-{s['shirt_line'].pk}-good": "1",
                f"line-{s['shirt_line'].pk}-warehouse": str(s["hn"].pk),
                f"line-{s['cap_line'].pk}-damaged": "1",
                "reason": "Sai size, nón rách",
                "refund_amount": "99.000",
                "refund_method": "bank_transfer",
                "refunded_at": timezone.localdate().isoformat(),
            },
        ),
        follow=True,
    )
    assert response.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Return RT000001 recorded."]

    # shirt: back in HN01; cap: counted in and written off in HCM01 (on hand unchanged)
    assert level(s["shirt"], s["hn"]) == (1, 0)
    assert level(s["shirt"], s["hcm"]) == (8, 0)
    assert level(s["cap"], s["hcm"]) == (3, 0)
    assert order_ledger(order)[-3:] == [
        ("AO-001", "return", 1, 0),
        ("NON-001", "return", 1, 0),
        ("NON-001", "damage", -1, 0),
    ]
    ret = Return.objects.get()
    assert (ret.number, ret.status, ret.reason, ret.refund_amount, ret.refund_method) == (
        "RT000001",
        "refunded",
        "Sai size, nón rách",
        D("99000"),
        "bank_transfer",
    )
    assert sorted(
        ret.lines.values_list("order_line__sku", "quantity", "condition", "warehouse")
    ) == [
        ("AO-001", 1, "good", s["hn"].pk),
        ("NON-001", 1, "damaged", s["hcm"].pk),
    ]
    refund = Payment.objects.get(kind="refund")
    assert (refund.amount, refund.method, refund.order_return_id) == (
        D("99000"),
        "bank_transfer",
        ret.pk,
    )
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.refunded_amount, fresh.payment_status) == (
        "shipped",
        D("99000"),
        "partially_refunded",
    )

    # the order page shows the return inline and the history sentence
    content = response.content.decode()
    assert "RT000001" in content
    assert response.context["detail"].history[0].sentence == "Bình Võ recorded return RT000001."
    assert response.context["detail"].history[0].details == (
        "AO-001 x 1 back in stock in HN01.",
        "NON-001 x 1 damaged, written off in HCM01.",
        "Refund: ₫99,000",
    )


def test_over_return_is_refused_and_changes_nothing(client, login_as, shipped):
    login_as("manager")
    s = shipped
    before = snapshot(s)
    response = client.post(
        return_url(s["order"]),
        form_data(s, **{f"line-{s['shirt_line'].pk}-good": "3"}),
    )
    assert response.status_code == 200
    errors = response.context["line_forms"][0].errors
    assert errors == {"good": ["Ensure this value is less than or equal to 2."]}
    assert snapshot(s) == before


def test_over_return_after_someone_else_returned_shows_the_domain_error(client, login_as, shipped):
    """The form said 2 were returnable; meanwhile another return took one. The service refuses
    and the page shows its message, with nothing changed."""
    login_as("manager")
    s = shipped
    return_create(
        order_id=s["order"].pk,
        lines=[ReturnLineInput(order_line_id=s["shirt_line"].pk, quantity=2)],
        user_id=None,
    )
    before = snapshot(s)
    response = client.post(
        return_url(s["order"]),
        form_data(s, **{f"line-{s['cap_line'].pk}-good": "3"}),
    )
    assert response.status_code == 200
    assert response.context["line_forms"][0].line.sku == "NON-001"  # the shirt is all back
    assert response.context["line_forms"][0].errors == {
        "good": ["Ensure this value is less than or equal to 2."]
    }
    assert snapshot(s) == before


def test_refund_above_what_was_received_is_refused(client, login_as, shipped):
    login_as("manager")
    s = shipped
    before = snapshot(s)
    response = client.post(
        return_url(s["order"]),
        form_data(
            s,
            **{
                f"line-{s['shirt_line'].pk}-good": "1",
                "refund_amount": "600000",
                "refund_method": "cash",
            },
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Cannot refund ₫600,000 on {s['order'].number}: only ₫498,000 was received."
    ]
    assert snapshot(s) == before


def test_nothing_to_return_and_refund_without_method(client, login_as, shipped):
    login_as("manager")
    s = shipped
    before = snapshot(s)
    empty = client.post(return_url(s["order"]), form_data(s))
    assert empty.context["form"].non_field_errors() == [
        "Enter the quantity that came back on at least one line."
    ]
    no_method = client.post(
        return_url(s["order"]),
        form_data(s, **{f"line-{s['cap_line'].pk}-good": "1", "refund_amount": "1000"}),
    )
    assert no_method.context["form"].errors == {
        "refund_method": ["Choose how the money is paid back."]
    }
    assert snapshot(s) == before


def test_exchange_creates_a_linked_order(client, login_as, shipped):
    user = login_as("manager")
    s = shipped
    order = s["order"]
    response = client.post(
        return_url(order),
        form_data(
            s,
            **{
                f"line-{s['shirt_line'].pk}-good": "1",
                "reason": "Đổi size",
                "exchange-0-variant": str(s["shirt"].pk),
                "exchange-0-quantity": "1",
                "exchange-1-variant": str(s["cap"].pk),
                "exchange-1-quantity": "2",
            },
        ),
        follow=True,
    )
    ret = Return.objects.get()
    exchange = ret.exchange_order
    assert exchange is not None
    assert [str(m) for m in response.context["messages"]] == [
        f"Return RT000001 recorded; exchange order {exchange.number} created."
    ]
    assert (
        exchange.status,
        exchange.customer_id,
        exchange.warehouse_id,
        exchange.created_by_id,
    ) == (
        "new",
        order.customer_id,
        s["hcm"].pk,
        user.pk,
    )
    assert list(exchange.lines.order_by("pk").values_list("sku", "quantity")) == [
        ("AO-001", 1),
        ("NON-001", 2),
    ]
    assert exchange.notes == f"Exchange for {order.number} (RT000001)"
    assert level(s["shirt"], s["hcm"]) == (9, 0)  # the shirt came back; nothing reserved yet
    content = response.content.decode()
    link = reverse("orders:order_detail", args=[exchange.pk])
    assert f'<a class="mono" href="{link}">{exchange.number}</a>' in content

    # the exchange order's page links back to the original
    page = client.get(link)
    assert [r.order.number for r in page.context["detail"].exchange_for] == [order.number]


def test_unknown_exchange_product_changes_nothing(client, login_as, shipped):
    login_as("manager")
    s = shipped
    before = snapshot(s)
    response = client.post(
        return_url(s["order"]),
        form_data(
            s,
            **{
                f"line-{s['shirt_line'].pk}-good": "1",
                "exchange-0-variant": "999999",
                "exchange-0-quantity": "1",
                "exchange-1-variant": str(s["shirt"].pk),
                "exchange-1-quantity": "",
            },
        ),
    )
    assert response.status_code == 200
    forms = response.context["exchange"].forms
    assert forms[0].errors == {
        "variant": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert forms[1].errors == {"quantity": ["Enter the quantity."]}
    assert snapshot(s) == before


def test_returning_everything_moves_the_order_to_returned(client, login_as, shipped):
    login_as("manager")
    s = shipped
    order_complete(order_id=s["order"].pk, user_id=None)
    response = client.post(
        return_url(s["order"]),
        form_data(
            s,
            **{
                f"line-{s['shirt_line'].pk}-good": "2",
                f"line-{s['cap_line'].pk}-good": "2",
                "refund_amount": "498000",
                "refund_method": "bank_transfer",
            },
        ),
    )
    assert response.status_code == 302
    order = Order.objects.get(pk=s["order"].pk)
    assert (order.status, order.payment_status) == ("returned", "refunded")
    assert (level(s["shirt"], s["hcm"]), level(s["cap"], s["hcm"])) == ((10, 0), (5, 0))
    event = OrderEvent.objects.filter(order=order, kind="return").get()
    assert (event.from_status, event.to_status) == ("completed", "returned")

    # no more returns: the page sends the user back with the reason
    again = client.get(return_url(order), follow=True)
    assert again.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    assert [str(m) for m in again.context["messages"]] == [
        "Return RT000001 recorded.",
        f"Order {order.number} is Returned: it cannot be returned.",
    ]
    assert again.context["actions"] == []


def test_new_order_cannot_be_returned(client, login_as, shipped):
    login_as("manager")
    s = shipped
    order = make_order(Order.objects.get(pk=s["order"].pk).customer, s["hcm"], [(s["shirt"], 1)])
    response = client.get(return_url(order), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"Order {order.number} is New: it cannot be returned."
    ]


def test_permissions(client, login_as, shipped):
    s = shipped
    login_as("sales")
    assert client.get(return_url(s["order"])).status_code == 403
    assert client.post(return_url(s["order"]), form_data(s)).status_code == 403
    login_as("accountant")
    assert client.get(return_url(s["order"])).status_code == 403
    login_as("warehouse")
    assert client.get(return_url(s["order"])).status_code == 200
    assert client.get(reverse("orders:return_create", args=[999999])).status_code == 404


def test_order_page_with_returns_keeps_a_constant_query_count(
    client, login_as, shipped, django_assert_num_queries
):
    login_as("manager")
    s = shipped
    order = s["order"]
    return_create(
        order_id=order.pk,
        lines=[
            ReturnLineInput(order_line_id=s["shirt_line"].pk, quantity=1, warehouse_id=s["hn"].pk)
        ],
        user_id=None,
    )
    url = reverse("orders:order_detail", args=[order.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one_return:
        client.get(url)
    return_create(
        order_id=order.pk,
        lines=[
            ReturnLineInput(order_line_id=s["shirt_line"].pk, quantity=1, warehouse_id=s["hn"].pk),
            ReturnLineInput(order_line_id=s["cap_line"].pk, quantity=2, condition="damaged"),
        ],
        user_id=None,
    )
    with django_assert_num_queries(len(one_return)):
        response = client.get(url)
    assert len(response.context["detail"].returns) == 2
    # the page's 11 + return lines + the codes of warehouses the history names (HN01)
    assert len(one_return) == 13


@pytest.mark.parametrize(
    ("language", "back"), [("vi", "Quay lại đơn hàng"), ("th", "กลับไปที่คำสั่งซื้อ")]
)
def test_the_return_page_goes_back_to_the_sales_order_in_each_language(
    client, login_as, shipped, language, back
):
    login_as("manager")
    html = client.get(return_url(shipped["order"]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    order_url = reverse("orders:order_detail", args=[shipped["order"].pk])
    assert f'<a class="btn" href="{order_url}">{back}</a>' in html
