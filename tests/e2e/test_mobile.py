"""The staff pages on a phone (390 x 844) and on a desktop (1440 x 900), in Vietnamese and Thai,
with the demo shop's data (Vietnamese customers, orders of several lines, follow-ups due today):
no page scrolls sideways, the language switcher is fully on screen, the main menu hides behind a
menu button on the phone (keyboard, aria-expanded, Esc), the order list shows each order as a
card and the calendar an agenda without stubs. Screenshots of the order list, an order, the
phone order page, the calendar and the dashboard go to test-artifacts/screens/."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from crm.demo import DEMO_PASSWORD
from followups.models import ContactRequest
from orders.models import Customer, Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def shop() -> dict[str, str]:
    """The demo shop; the paths of the pages staff open on their phones."""
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    order = Order.objects.order_by("pk")[9]  # new, two lines, a call due today
    customer = Customer.objects.get(name="Nguyễn Thị Hoa")
    request = ContactRequest.objects.get(name="Anh Khoa")  # a call back due today
    return {
        "dashboard": "/",
        "orders": "/orders/",
        "order": f"/orders/{order.pk}/",
        "phone-order": "/orders/new/",
        "customers": "/customers/",
        "customer": f"/customers/{customer.pk}/",
        "requests": "/followups/requests/",
        "request": f"/followups/requests/{request.pk}/",
        "calendar": "/followups/calendar/?user=all",
    }


SCREENSHOTS = ("orders", "order", "phone-order", "calendar", "dashboard")


def open_signed_in(signed_in, viewport: dict[str, int], language: str) -> Page:
    page = signed_in("owner", viewport=viewport, password=DEMO_PASSWORD)
    if language != "vi":
        page.click(f".topbar .lang-switch button[value={language}]")
        page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    return page


def sideways(page: Page) -> int:
    """How far the page itself scrolls sideways (0: it does not)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"]


def fill_a_phone_order(page: Page) -> None:
    """A customer found by phone and two products, as staff take an order on the phone."""
    page.locator("#of-phone").type("0912 345")
    expect(page.locator("#of-customer-results .of-cust-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#of-customer-picked .of-picked-name")).to_have_text("Nguyễn Thị Hoa")
    for sku in ("CH26", "BGN-01"):
        page.locator("#of-product").fill(sku)
        page.locator("#of-product").press("Enter")
        expect(page.locator(f'#of-lines tr.of-line td:has-text("{sku}")')).to_have_count(1)
    expect(page.locator("#of-lines tr.of-line")).to_have_count(2)
    # 329 000 + 219 000, recomputed by the server ("548.000 ₫" in vi, "₫548,000" in th)
    expect(page.locator("#of-totals [data-total=total]")).to_have_text(re.compile(r"548\W000"))


@pytest.mark.parametrize("language", ["vi", "th"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_pages_fit_the_screen(live_server, signed_in, shop, artifacts, size, language):
    viewport = SIZES[size]
    width, height = viewport["width"], viewport["height"]
    page = open_signed_in(signed_in, viewport, language)
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    try:
        for name, path in shop.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            if name == "phone-order":
                fill_a_phone_order(page)
            if name in ("order", "request"):  # the follow-up panel, loaded by htmx
                expect(page.locator(".fu-panel")).to_be_visible()

            assert (name, sideways(page)) == (name, 0)
            # The language switcher: every button on screen, none cut off.
            for button in page.locator(".topbar .lang-switch button").all():
                box = button.bounding_box()
                assert box is not None
                assert (name, box["x"] >= 0, box["x"] + box["width"] <= width) == (name, True, True)

            if size == "phone":
                expect(page.locator("[data-nav-toggle]")).to_be_visible()
                expect(page.locator("#sidebar")).to_be_hidden()
            else:
                expect(page.locator("[data-nav-toggle]")).to_be_hidden()
                expect(page.locator("#sidebar")).to_be_visible()

            if name == "orders":
                rows = page.locator("tr[data-order-row]")
                expect(rows).to_have_count(12)
                # Each order is wholly on screen: number, customer and total without scrolling.
                for index in range(12):
                    row = rows.nth(index)
                    for cell in ("a[data-open]", "td.customer", "td.col-total"):
                        box = row.locator(cell).bounding_box()
                        assert box is not None
                        assert (index, cell, box["x"] + box["width"] <= width) == (
                            index,
                            cell,
                            True,
                        )
            if name == "calendar":
                # Today's calls are readable entries, not stubs of a few letters.
                entries = page.locator(".fu-entry:visible")
                assert entries.count() >= 2
                for index in range(entries.count()):
                    box = entries.nth(index).bounding_box()
                    assert box is not None
                    assert (index, box["width"] >= 150) == (index, True)
                    if size == "phone":  # the agenda shows each entry in full
                        clipped = (
                            entries.nth(index)
                            .locator(".fu-entry__link")
                            .evaluate("link => link.scrollWidth > link.clientWidth")
                        )
                        assert (index, clipped) == (index, False)

            if name in SCREENSHOTS:
                if name == "phone-order":
                    # A full-page capture draws the buttons that stick to the bottom of the screen
                    # over the middle of the form: put them back under it for the picture.
                    page.evaluate("document.querySelector('.of-actions').style.position = 'static'")
                page.screenshot(
                    path=str(screens / f"{name}-{language}-{width}x{height}.png"), full_page=True
                )
    finally:
        page.context.close()


def test_the_phone_menu_opens_and_closes(live_server, signed_in, shop, artifacts):
    page = open_signed_in(signed_in, PHONE, "vi")
    try:
        page.goto(f"{live_server.url}/orders/")
        toggle = page.locator("[data-nav-toggle]")
        sidebar = page.locator("#sidebar")
        # No dark sidebar behind the page: the left edge of the content is the page itself.
        assert page.evaluate("!document.elementFromPoint(5, 600).closest('.sidebar')")
        shell_background = "getComputedStyle(document.querySelector('.shell')).backgroundImage"
        assert page.evaluate(shell_background) == "none"
        # The whole first screen below the top bar is content, not menu.
        assert page.locator(".content").bounding_box()["y"] < 120

        # Keyboard: the menu button is the first stop; Enter opens the menu on the current page.
        page.keyboard.press("Tab")
        expect(toggle).to_be_focused()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(sidebar).to_be_visible()
        expect(sidebar.locator("a.active")).to_be_focused()
        expect(sidebar.locator("a.active")).to_have_attribute("href", "/orders/")
        # It slides in from the left edge and fits on the screen.
        expect(sidebar).to_be_in_viewport(ratio=1)
        box = sidebar.bounding_box()
        assert (box["x"], box["x"] + box["width"] <= PHONE["width"]) == (0, True)
        # All sixteen pages can be reached (the menu scrolls inside itself).
        last = sidebar.locator(".nav a").last
        last.scroll_into_view_if_needed()
        expect(last).to_be_in_viewport()
        (artifacts / "screens").mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "screens" / "menu-vi-390x844.png"))

        # The page behind the open menu is out of reach: Tab stays in the menu.
        assert page.evaluate("document.querySelector('.main').inert") is True
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('#sidebar')") is True

        # Esc closes it and gives the focus back to the button.
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(sidebar).to_be_hidden()
        expect(toggle).to_be_focused()
        assert page.evaluate("document.querySelector('.main').inert") is False

        # The shaded page beside the menu closes it too.
        toggle.click()
        expect(sidebar).to_be_visible()
        page.mouse.click(PHONE["width"] - 10, 500)
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(sidebar).to_be_hidden()

        # A page chosen in the menu opens with the menu closed.
        toggle.click()
        sidebar.locator('.nav a[href="/customers/"]').click()
        page.wait_for_url(f"{live_server.url}/customers/")
        expect(page.locator("#sidebar")).to_be_hidden()
        expect(page.locator("[data-nav-toggle]")).to_have_attribute("aria-expanded", "false")
    finally:
        page.context.close()
