"""Issue 10, per-order print: "P" on the order page opens the order's delivery note PDF; the
order list's bulk bar prints the ticked orders' notes in one PDF."""

import pytest
from playwright.sync_api import expect

from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_print_a_delivery_note_from_the_order_page_and_in_bulk(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("warehouse", username="kho", first_name="Kho", language="vi")
    hcm = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(hcm, 10, sku="AO-1")
    buyer = make_customer("Nguyễn Văn An")
    first = make_order(buyer, hcm, [(shirt, 1)])
    second = make_order(buyer, hcm, [(shirt, 2)])

    sign_in(page, "kho", next_url=f"/orders/{first.pk}/")
    expect(page.get_by_test_id("print-delivery-note")).to_be_visible()
    page.screenshot(path=str(artifacts / "order_print_button.png"), full_page=True)

    # the keyboard: P opens the note in a new tab
    with page.context.expect_page() as opened:
        page.keyboard.press("p")
    note = opened.value
    note.wait_for_load_state()
    assert note.url == f"{live_server.url}/orders/{first.pk}/delivery-note/"
    response = page.request.get(note.url)
    assert (response.status, response.headers["content-type"]) == (200, "application/pdf")
    assert response.body().startswith(b"%PDF-")
    note.close()

    # the list: tick both orders, "Delivery notes" posts the selection to a new tab
    page.goto(f"{live_server.url}/orders/")
    for order in (first, second):
        page.check(f"input[name=order][value='{order.pk}']")
    button = page.locator("[data-action=delivery-notes]")
    expect(button).to_be_enabled()
    with page.context.expect_event(
        "response", lambda r: r.url.endswith("/orders/bulk/delivery-notes/")
    ) as sent:
        button.click()
    answer = sent.value
    assert answer.request.method == "POST"
    assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
    page.screenshot(path=str(artifacts / "order_list_delivery_notes.png"), full_page=True)
