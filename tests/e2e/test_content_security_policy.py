"""In Chromium, under the real Content-Security-Policy header: the main pages load and their
scripts work (htmx requests, the phone order form, the follow-up panel, the purchase-order lines
and PDF, the copy button) without a single violation report and without htmx refusing to
evaluate code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.services.orders.transitions import order_confirm, order_ship
from tests.conftest import PASSWORD
from tests.inventory.factories import ProductFactory, SupplierFactory
from tests.inventory.factories_purchasing import make_order as make_purchase_order
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reports every violation and every htmx refusal to evaluate code as a console error, so one
# console listener sees them whatever page they happen on. Init scripts are injected by the
# browser itself and are not subject to the page's policy.
WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("securitypolicyviolation " + e.violatedDirective + " " + e.blockedURI + " "
                + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
document.addEventListener("htmx:evalDisallowedError", function (e) {
  console.error("htmx:evalDisallowedError on " + (e.target.outerHTML || "").slice(0, 200));
});
"""
REFUSALS = re.compile(r"securitypolicyviolation|Content Security Policy|Refused to|evalDisallowed")


def test_main_pages_run_under_the_policy_without_violations(
    live_server, page, make_user, artifacts
):
    make_user("owner", username="chu", first_name="Chủ", language="vi")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(
        warehouse, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun")
    )
    mug = stocked_variant(warehouse, 5, price="99000", sku="LY-1")
    customer = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    existing = make_order(customer, warehouse, [(shirt, 1)])
    order_confirm(order_id=existing.pk, user_id=None)
    order_ship(order_id=existing.pk, user_id=None)  # so the sales report has a chart
    purchase = make_purchase_order(
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[(shirt, 5, "80000"), (mug, 2, "50000")],
    )

    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if REFUSALS.search(message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.add_init_script(WATCH)
    url = live_server.url

    def clean(step: str) -> None:
        page.wait_for_load_state("load")
        assert (step, problems) == (step, [])

    response = page.goto(f"{url}/login/?next=/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "unsafe" not in policy
    assert "script-src 'self'" in policy
    page.fill("#id_username", "chu")
    page.fill("#id_password", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{url}/")
    clean("dashboard")
    page.screenshot(path=str(artifacts / "csp-dashboard.png"), full_page=True)

    # Order list: the filter form reloads the table through htmx.
    page.goto(f"{url}/orders/")
    with page.expect_response(lambda r: "/orders/?" in r.url):
        page.fill("input[type=search]", "An")
    expect(page.locator("#order-table")).to_contain_text("Nguyễn Văn An")
    clean("order list")
    page.screenshot(path=str(artifacts / "csp-order-list.png"), full_page=True)

    # The phone order page: pick the customer by phone, add a product, save.
    page.goto(f"{url}/orders/new/")
    expect(page.locator("#of-phone")).to_be_focused()
    page.keyboard.type("0912 345")
    expect(page.locator("#of-customer-results .of-cust-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#of-customer-picked .of-picked-name")).to_have_text("Nguyễn Văn An")
    page.keyboard.press("F4")
    page.keyboard.type("AO-1")
    page.keyboard.press("Enter")
    row = page.locator("#of-lines tr.of-line")
    expect(row).to_have_count(1)
    page.keyboard.press("ArrowDown")  # to the quantity of the new line; up once: 2
    page.keyboard.press("ArrowUp")
    expect(row.locator("input[name=line_qty]")).to_have_value("2")
    expect(page.locator("#of-totals [data-total=total]")).to_have_text("300.000\xa0₫")
    clean("phone order")
    page.screenshot(path=str(artifacts / "csp-phone-order.png"), full_page=True)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/orders/\d+/$"))
    order = Order.objects.exclude(pk=existing.pk).get()

    # Order detail with its follow-up panel: a quick date button fills the date (static JS).
    assert page.url == f"{url}/orders/{order.pk}/"
    panel = page.locator(f"#followup-panel-order-{order.pk}")
    form = panel.locator('[data-testid="followup-log-form"]')
    expect(form).to_be_visible()  # open by default while nothing is planned
    form.locator("label.fu-radio", has=page.locator('input[value="finish"]')).click()
    assert form.locator('input[name=then][value="finish"]').is_checked()
    week = form.locator(".fu-quick button").nth(2)  # "+1 week"; the field starts at +1 day
    week.click()
    assert form.locator("input[name=next_date]").input_value() == week.get_attribute("data-date")
    assert form.locator('input[name=then][value="next"]').is_checked()
    clean("order detail")
    page.screenshot(path=str(artifacts / "csp-order-detail.png"), full_page=True)

    page.goto(f"{url}/followups/calendar/")
    expect(page.locator("#calendar")).to_be_visible()
    page.keyboard.press("w")
    page.wait_for_selector("#calendar.fu-cal--week")
    clean("calendar")
    page.screenshot(path=str(artifacts / "csp-calendar.png"), full_page=True)

    page.goto(f"{url}/inventory/products/{shirt.product_id}/edit/")
    expect(page.locator("form").first).to_be_visible()
    clean("product form")
    page.screenshot(path=str(artifacts / "csp-product-form.png"), full_page=True)

    # Purchase-order lines: the remove button (static JS) drops the row and the totals follow.
    page.goto(f"{url}/inventory/purchase-orders/{purchase.pk}/edit/")
    rows = page.locator("#po-lines tbody tr")
    expect(rows).to_have_count(2)
    with page.expect_response(lambda r: "/purchase-orders/preview/" in r.url):
        rows.nth(1).locator("[data-remove-row]").click()
    expect(rows).to_have_count(1)
    clean("purchase order")
    page.screenshot(path=str(artifacts / "csp-purchase-order.png"), full_page=True)

    # Its PDF opens in Chromium's own viewer: object-src 'none' does not stop that.
    response = page.goto(f"{url}/inventory/purchase-orders/{purchase.pk}/pdf/")
    assert response is not None
    assert response.headers["content-type"] == "application/pdf"
    for _attempt in range(50):
        if any(f.url.startswith("chrome-extension://") for f in page.frames):
            break
        page.wait_for_timeout(200)
    assert [
        f.url.split("/")[2] for f in page.frames if f.url.startswith("chrome-extension://")
    ] == [
        "mhjfbmdgcfjbbpaeojofohoefgiehjai"  # the viewer
    ]
    clean("purchase order PDF")

    # The calendar subscription page: the copy button (shared static JS).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{url}/followups/calendar/feed/")
    page.click('[data-testid="feed-create"]')
    copy = page.locator('[data-copy="feed-url"]')
    copy.click()
    expect(copy).to_have_text("Đã sao chép")
    feed_url = page.locator('[data-testid="feed-url"]').input_value()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    clean("calendar subscription")

    page.goto(f"{url}/reports/sales/")
    expect(page.locator("#report svg.chart")).to_be_visible()
    expect(page.locator("#report svg.swatch rect")).to_have_count(1)
    page.screenshot(path=str(artifacts / "csp-sales-report.png"), full_page=True)
    clean("sales report")
    page.goto(f"{url}/customers/{customer.pk}/")
    clean("customer")
    page.screenshot(path=str(artifacts / "csp-customer.png"), full_page=True)
