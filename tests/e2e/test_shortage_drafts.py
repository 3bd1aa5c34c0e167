"""In Chromium: confirming an order short of stock offers draft purchase orders for what is
still missing after the stock already on order, and the draft shrinks when the order does."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.models import PurchaseOrder
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput
from tests.inventory.factories import SupplierFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order as make_purchase_order
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def po_quantities(page) -> list[str]:
    """SKU and ordered quantity of each line on the purchase order page."""
    return [
        f"{row.locator('td').nth(0).inner_text()} x {row.locator('td').nth(2).inner_text()}"
        for row in page.locator("table tbody tr").all()
        if row.locator("td.mono").count()
    ]


def test_shortage_draft_counts_stock_on_order_and_shrinks(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("manager", username="minh", first_name="Minh")
    hcm = WarehouseFactory(code="HCM01")
    may = SupplierFactory(name="Công ty May Việt")
    shirt = stocked_variant(hcm, 2, sku="AO-001", cost_price=D("80000"))
    shirt.preferred_supplier = may
    shirt.save()
    make_purchase_order(supplier=may, warehouse=hcm, lines=[(shirt, 3, "80000")], confirm=True)
    order = make_order(make_customer(), hcm, [(shirt, 12)])

    sign_in(page, "minh")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.locator("button[data-shortcut=c]").click()
    shortage = page.locator("#order-shortage")
    shortage.wait_for()
    shortage.locator("form.shortage-form button[type=submit]").click()
    created = shortage.locator(".shortage-created a")
    created.wait_for()
    page.screenshot(path=str(artifacts / "shortage_draft_created.png"), full_page=True)
    draft = PurchaseOrder.objects.get(status="draft")
    assert created.inner_text() == draft.number

    # 12 needed - 2 available = 10 missing; 3 already on a confirmed order: draft 7
    created.click()
    page.wait_for_url(f"**/{draft.pk}/")
    assert po_quantities(page) == ["AO-001 x 7"]

    # the customer takes 9 instead of 12: 9 - 2 - 3 = 4
    order_update(
        order_id=order.pk,
        user_id=None,
        lines=[LineInput(variant_id=shirt.pk, quantity=9, line_id=order.lines.get().pk)],
    )
    page.reload()
    assert po_quantities(page) == ["AO-001 x 4"]
    page.screenshot(path=str(artifacts / "shortage_draft_shrunk.png"), full_page=True)
