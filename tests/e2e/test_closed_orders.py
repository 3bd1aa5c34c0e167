"""In Chromium: the order list's New tab holds only orders still to work on (completed and
cancelled sales without a follow-up show the grey marker and sit in the Finished tab), and a
marketplace order reads "Paid" next to "Paid on marketplace"."""

from __future__ import annotations

import pytest

from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_tab_leaves_out_closed_sales_and_marketplace_orders_read_paid(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("sales", username="an", first_name="An")
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 10)
    customer = make_customer()
    fresh = make_order(customer, warehouse, [(variant, 1)])
    cancelled = make_order(customer, warehouse, [(variant, 1)])
    order_cancel(order_id=cancelled.pk, user_id=None, reason="Khách đổi ý")
    completed = make_order(
        customer,
        warehouse,
        [(variant, 1)],
        channel="shopee",
        external_number="2612SHOPEE01",
        payment_method="marketplace",
    )
    order_confirm(order_id=completed.pk, user_id=None)
    order_ship(order_id=completed.pk, user_id=None)
    order_complete(order_id=completed.pk, user_id=None)
    lazada = make_order(
        customer,
        warehouse,
        [(variant, 2)],
        channel="lazada",
        external_number="2612LAZADA01",
        payment_method="marketplace",
    )

    sign_in(page, "an")
    page.goto(f"{live_server.url}/orders/")
    for marker, order in (("new", fresh), ("done", cancelled), ("done", completed)):
        row = page.locator("tr[data-order-row]", has=page.locator(f"text={order.number}"))
        assert row.locator(f"td.col-marker .fu-marker--{marker}").is_visible(), order.number
    row = page.locator("tr[data-order-row]", has=page.locator(f"text={lazada.number}"))
    pill = row.locator(".payment-status")
    assert pill.inner_text() == "Đã thanh toán"
    assert "payment-status--paid" in pill.get_attribute("class")

    page.locator('[data-testid="marker-tabs"] a[href*="marker=new"]').click()
    page.wait_for_url("**marker=new**")
    numbers = page.locator("tr[data-order-row] a[data-open]").all_inner_texts()
    assert numbers == [lazada.number, fresh.number]
    page.screenshot(path=str(artifacts / "order_list_new_tab.png"), full_page=True)

    page.locator('[data-testid="marker-tabs"] a[href*="marker=done"]').click()
    page.wait_for_url("**marker=done**")
    numbers = page.locator("tr[data-order-row] a[data-open]").all_inner_texts()
    assert numbers == [completed.number, cancelled.number]
