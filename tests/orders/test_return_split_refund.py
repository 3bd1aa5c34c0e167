"""Issue 10, returns: one order line split into good and damaged units in one return, and the
refund suggested from the returned units' net prices (orders.selectors.order_detail)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.errors import ReturnError
from orders.models import Order, OrderLine, Return
from orders.selectors.order_detail import RefundSuggestion, refund_suggestion, return_form_lines
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_confirm, order_ship
from orders.services.returns import ReturnLineInput, return_create
from tests.orders.factories import (
    WarehouseFactory,
    level,
    make_customer,
    order_ledger,
    stocked_variant,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres("returns run the real services")]

D = Decimal


@pytest.fixture
def shipped(settings):
    """3 shirts at 150.000 with 20.000 off the line (430.000) and a cap at 99.000: subtotal
    529.000, order discount 29.000, shipping 30.000, total 530.000; shipped from HCM01."""
    settings.SHOP_CURRENCY = "VND"
    hcm = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(hcm, 10, price="150000", sku="AO-1")
    cap = stocked_variant(hcm, 5, price="99000", sku="NON-1")
    order = order_create(
        customer_id=make_customer(name="Lê Văn Cường").pk,
        warehouse_id=hcm.pk,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=3, discount=D("20000")),
            LineInput(variant_id=cap.pk, quantity=1),
        ],
        channel="phone",
        payment_method="cod",
        discount_total=D("29000"),
        shipping_fee=D("30000"),
        user_id=None,
    )
    assert (order.subtotal, order.total) == (D("529000"), D("530000"))
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    return {
        "order": order,
        "hcm": hcm,
        "shirt": shirt,
        "cap": cap,
        "shirt_line": order.lines.get(sku="AO-1"),
        "cap_line": order.lines.get(sku="NON-1"),
    }


def test_one_line_comes_back_one_good_one_damaged_in_one_return(shipped):
    s = shipped
    assert level(s["shirt"], s["hcm"]) == (7, 0)
    ret = return_create(
        order_id=s["order"].pk,
        lines=[
            ReturnLineInput(s["shirt_line"].pk, 1, "damaged"),
            ReturnLineInput(s["shirt_line"].pk, 1, "good"),
        ],
        user_id=None,
    )
    # the good unit is back in stock; the damaged one is counted in and written off
    assert order_ledger(s["order"])[-3:] == [
        ("AO-1", "return", 1, 0),
        ("AO-1", "return", 1, 0),
        ("AO-1", "damage", -1, 0),
    ]
    assert level(s["shirt"], s["hcm"]) == (8, 0)
    assert sorted(ret.lines.values_list("order_line__sku", "quantity", "condition")) == [
        ("AO-1", 1, "damaged"),
        ("AO-1", 1, "good"),
    ]
    assert OrderLine.objects.get(pk=s["shirt_line"].pk).quantity_returned == 2


def test_good_and_damaged_together_cannot_exceed_what_is_returnable(shipped):
    s = shipped
    with pytest.raises(ReturnError) as refused:
        return_create(
            order_id=s["order"].pk,
            lines=[
                ReturnLineInput(s["shirt_line"].pk, 2, "good"),
                ReturnLineInput(s["shirt_line"].pk, 2, "damaged"),
            ],
            user_id=None,
        )
    assert str(refused.value) == ("Cannot return 4 of AO-1: only 3 shipped and not yet returned.")
    assert (Return.objects.count(), level(s["shirt"], s["hcm"])) == (0, (7, 0))
    assert OrderLine.objects.get(pk=s["shirt_line"].pk).quantity_returned == 0


def test_refund_suggested_from_net_prices_worked_by_hand(shipped):
    """Shirt line net = 430.000 x (529.000 - 29.000) / 529.000 = 406.427,22; the first k of its
    3 units are worth round(406.427,22 x k / 3): 2 units 270.951, 3 units 406.427. The cap:
    99.000 x 500/529 = 93.572,78 -> 93.573. Shipping (30.000) is not refunded."""
    s = shipped
    order, lines = return_form_lines(order_id=s["order"].pk)
    shirt, cap = s["shirt_line"].pk, s["cap_line"].pk
    # COD not collected yet: nothing was received, so nothing is suggested
    assert refund_suggestion(order=order, lines=lines, returning={shirt: 2}) == RefundSuggestion(
        goods=D("270951"), refundable=D("0"), suggested=D("0")
    )
    order_payment_record(
        order_id=order.pk, kind="payment", amount=D("530000"), method="cash", user_id=None
    )
    order, lines = return_form_lines(order_id=s["order"].pk)
    assert refund_suggestion(order=order, lines=lines, returning={shirt: 2}) == RefundSuggestion(
        goods=D("270951"), refundable=D("530000"), suggested=D("270951")
    )
    assert refund_suggestion(order=order, lines=lines, returning={shirt: 3, cap: 1}).suggested == D(
        "500000"
    )

    # after 2 shirts came back, the third is worth the rest of the line's net: 135.476
    return_create(order_id=order.pk, lines=[ReturnLineInput(shirt, 2)], user_id=None)
    order, lines = return_form_lines(order_id=s["order"].pk)
    assert refund_suggestion(order=order, lines=lines, returning={shirt: 1}).goods == D("135476")
    assert D("270951") + D("135476") == D("406427")


def _page_data(s, **overrides) -> dict[str, str]:
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
        "exchange-TOTAL_FORMS": "1",
        "exchange-INITIAL_FORMS": "0",
        "exchange-MIN_NUM_FORMS": "0",
        "exchange-MAX_NUM_FORMS": "50",
        "exchange-0-variant": "",
        "exchange-0-quantity": "",
    }
    data.update(overrides)
    return data


def test_the_page_records_good_and_damaged_of_one_line(client, login_as, shipped):
    login_as("warehouse")
    s = shipped
    line = s["shirt_line"].pk
    response = client.post(
        reverse("orders:return_create", args=[s["order"].pk]),
        _page_data(s, **{f"line-{line}-good": "1", f"line-{line}-damaged": "1"}),
    )
    assert response.status_code == 302
    ret = Return.objects.get()
    assert sorted(ret.lines.values_list("quantity", "condition")) == [
        (1, "damaged"),
        (1, "good"),
    ]
    assert level(s["shirt"], s["hcm"]) == (8, 0)


def test_the_page_refuses_more_good_and_damaged_than_returnable(client, login_as, shipped):
    login_as("warehouse")
    s = shipped
    line = s["shirt_line"].pk
    response = client.post(
        reverse("orders:return_create", args=[s["order"].pk]),
        _page_data(s, **{f"line-{line}-good": "2", f"line-{line}-damaged": "2"}),
    )
    assert response.status_code == 200
    assert response.context["line_forms"][0].errors == {
        "damaged": ["Good and damaged together: at most 3."]
    }
    assert (Return.objects.count(), level(s["shirt"], s["hcm"])) == (0, (7, 0))


def test_the_suggestion_endpoint_answers_the_figure_for_the_typed_quantities(
    client, login_as, shipped
):
    login_as("warehouse")
    s = shipped
    order_payment_record(
        order_id=s["order"].pk, kind="payment", amount=D("530000"), method="cash", user_id=None
    )
    url = reverse("orders:return_refund_suggestion", args=[s["order"].pk])
    line = s["shirt_line"].pk
    response = client.get(url, {f"line-{line}-good": "1", f"line-{line}-damaged": "1"})
    text = " ".join(response.content.decode().split())
    assert text == (
        '<small class="help" id="refund-suggestion" data-testid="refund-suggestion"'
        ' data-suggested="270.951"> Returned goods at their net price (after discounts,'
        " without shipping): ₫270,951. Received and not yet refunded: ₫530,000."
        " Leave empty for no refund. </small>"
    )
    # a refused quantity counts as nothing
    refused = client.get(url, {f"line-{line}-good": "9"})
    assert 'data-suggested="0"' in refused.content.decode()
    # the full page shows the same figure for what was posted back with an error
    page = client.post(
        reverse("orders:return_create", args=[s["order"].pk]),
        _page_data(s, **{f"line-{line}-good": "2", "refund_amount": "1000", "refund_method": ""}),
    )
    assert page.context["suggestion"].suggested == D("270951")
    login_as("sales")
    assert client.get(url).status_code == 403
    assert Order.objects.get(pk=s["order"].pk).refunded_amount == D("0")


def test_the_exchange_search_serves_the_return_page(client, login_as, shipped):
    """Warehouse staff record returns without taking orders: the phone order page's product
    search answers them too."""
    login_as("warehouse")
    response = client.get(reverse("orders:order_form_variants"), {"q": "AO-1"})
    assert response.status_code == 200
    assert response.content.decode().count("data-pick-value=") == 1
    assert f'data-pick-value="{shipped["shirt"].pk}" data-pick-label="AO-1"' in (
        response.content.decode()
    )
    login_as("accountant")
    assert client.get(reverse("orders:order_form_variants"), {"q": "AO-1"}).status_code == 403
