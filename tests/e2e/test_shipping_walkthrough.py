"""Issue 13 walked as shop staff would, in Chromium against a live server whose webhooks the GHN
and Viettel Post sandboxes call themselves: a processing order's Shipping panel (defaults from
the variants, volumetric weight, live quote, COD with the fee when the buyer pays), the parcel
created, its label, the carrier's callbacks moving it (picked up: the order is shipped) to a
failed delivery, the "needs action" list, a new address, a second failure, the return, the
returned parcel received back into stock; parcels for orders ticked in the order list with the
keyboard only; a Viettel Post parcel delivered; a COD statement (.xlsx) with its differences.
Then each shipping page in Vietnamese and Thai at 1400x900 and 1280x720, screenshots in
test-artifacts/walk-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from common.spreadsheets import MONEY, TEXT, Column, Table, xlsx_bytes
from inventory.models import Variant
from orders.models import Order
from shipping.models import CodReceipt, Shipment
from tests.orders.factories import level
from tests.shipping.conftest_ghn import ghn_sandbox  # noqa: F401 - fixtures
from tests.shipping.conftest_ship import (  # noqa: F401
    ghn_account,
    ship_order,
    ship_warehouse,
    vtp_account,
)
from tests.shipping.conftest_viettel_post import vtp_sandbox  # noqa: F401

# PostgreSQL only: the sandboxes call the live server's webhooks while the staff's own request
# writes, and SQLite's single writer times one of them out on a loaded machine.
pytestmark = [
    pytest.mark.postgres(why="carrier webhooks arrive while the staff's request writes"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]

SIZES = {"1400": {"width": 1400, "height": 900}, "1280": {"width": 1280, "height": 720}}
LOCALES = {"vi": "vi-VN", "th": "th-TH"}


@pytest.fixture
def workers() -> Iterator[None]:
    """Jobs queued by the live server (a callback's apply) run at its commit, as a worker
    would run them."""
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def _hooked(live_server, ghn_sandbox, vtp_sandbox, ghn_account, vtp_account) -> None:  # noqa: F811
    ghn_url = f"{live_server.url}/shipping/webhooks/ghn/{ghn_account.pk}/"
    ghn_sandbox.configure(callback_url=f"{ghn_url}?token={ghn_account.webhook_secret}")
    vtp_url = f"{live_server.url}/shipping/webhooks/viettel-post/{vtp_account.pk}/"
    vtp_sandbox.configure_webhook(vtp_url, vtp_account.webhook_secret)


def _shot(page, name: str) -> None:
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"walk-{name}.png"))


def test_a_parcel_from_quote_to_returned_stock_and_cod(
    live_server,
    signed_in,
    make_user,
    workers,
    ghn_sandbox,  # noqa: F811
    vtp_sandbox,  # noqa: F811
    ghn_account,  # noqa: F811
    vtp_account,  # noqa: F811
    ship_order,  # noqa: F811
    ship_warehouse,  # noqa: F811
    tmp_path,
):
    _hooked(live_server, ghn_sandbox, vtp_sandbox, ghn_account, vtp_account)
    variant = ship_order.variant
    Variant.objects.filter(pk=variant.pk).update(
        weight_grams=350, length_cm=30, width_cm=25, height_cm=5
    )
    order = ship_order()
    make_user("manager", username="quanly")

    # -- The Shipping panel: defaults from the variants, quote, COD with the fee -----------
    page = signed_in("quanly", next_url=f"/orders/{order.pk}/", viewport=SIZES["1400"])
    panel = page.locator('[data-testid="shipping-panel"]')
    expect(panel.locator("#id_weight_g")).to_have_value("700")
    expect(panel.locator('[data-testid="volumetric"]')).to_contain_text("1500 g")
    panel.scroll_into_view_if_needed()
    _shot(page, "01-panel-vi-1400")
    panel.locator("select[name=payer]").select_option("buyer")
    panel.locator('[data-testid="shipment-quote"]').click()
    services = panel.locator('[data-testid="services"]')
    expect(services).to_be_visible()
    # The buyer pays: the COD is the balance plus the checked service's fee; choosing the
    # economy service quotes again and the COD follows.
    first = panel.locator("#id_cod_amount").input_value()
    assert int(first.replace(".", "")) > 330000
    economy = services.locator("label", has_text=re.compile("Tiết kiệm"))
    economy.locator("input").check()
    expect(panel.locator("#id_cod_amount")).not_to_have_value(first)
    expect(economy.locator("input")).to_be_checked()
    _shot(page, "02-quoted-vi-1400")
    panel.locator('[data-testid="shipment-create"]').click()
    box = page.locator('[data-testid="shipment"]')
    expect(box).to_be_visible()
    shipment = Shipment.objects.get(order=order)
    assert (shipment.weight_g, shipment.service_level) == (700, "economy")
    assert shipment.cod_amount == 330000 + shipment.fee
    expect(box.locator('[data-testid="tracking"]')).to_have_text(shipment.tracking_number)
    _shot(page, "03-created-vi-1400")

    label = page.request.get(f"{live_server.url}/shipping/shipments/{shipment.pk}/label/")
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF-")

    # -- The carrier's callbacks: picked up (shipped), then a failed delivery --------------
    ghn_sandbox.advance(shipment.tracking_number, "failed_delivery")  # to waiting_to_return
    assert ghn_sandbox.flush_callbacks()
    shipment.refresh_from_db()
    assert (shipment.state, shipment.needs_action) == ("waiting_action", True)
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert level(variant, ship_warehouse) == (8, 0)
    page.reload()
    expect(panel.locator('[data-testid="shipment-redeliver"]')).to_be_visible()
    panel.scroll_into_view_if_needed()
    _shot(page, "04-failed-vi-1400")

    page.goto(f"{live_server.url}/shipping/shipments/?needs_action=on")
    expect(page.locator('[data-testid="shipment-row"]')).to_have_count(1)
    _shot(page, "05-needs-action-vi-1400")
    page.locator('[data-testid="shipment-decision"] a', has_text="Đổi địa chỉ").click()
    form = page.locator('[data-testid="change-address-form"]')
    form.locator("#id_ward").fill("Phường Hải Châu I")
    _shot(page, "06-change-address-vi-1400")
    form.locator('[data-testid="change-address-submit"]').click()
    page.wait_for_url(f"{live_server.url}/shipping/shipments/?needs_action=on")
    expect(page.locator('[data-testid="shipment-row"]')).to_have_count(0)
    assert Shipment.objects.get(pk=shipment.pk).needs_action is False

    # Fails again; this time it comes back to the shop.
    assert ghn_sandbox.parcels[shipment.tracking_number].status == "storing"
    ghn_sandbox.advance(shipment.tracking_number, "failed_delivery")
    assert ghn_sandbox.flush_callbacks()
    page.reload()
    page.locator('[data-testid="list-return"]').click()
    page.wait_for_url(f"{live_server.url}/shipping/shipments/?needs_action=on")
    ghn_sandbox.advance(shipment.tracking_number, "return")
    assert ghn_sandbox.flush_callbacks()
    assert Shipment.objects.get(pk=shipment.pk).state == "returned"
    page.reload()
    page.locator('[data-testid="list-receive"]').click()
    _shot(page, "07-receive-vi-1400")
    page.locator('[data-testid="receive-submit"]').click()
    page.wait_for_url(f"{live_server.url}/shipping/shipments/?needs_action=on")
    assert Order.objects.get(pk=order.pk).status == "returned"
    assert level(variant, ship_warehouse) == (10, 0)

    # -- Parcels for ticked orders, with the keyboard only ---------------------------------
    from inventory.services.stock import stock_receive

    stock_receive(variant_id=variant.pk, warehouse_id=ship_warehouse.pk, quantity=10)
    ticked = [ship_order(), ship_order()]
    page.goto(f"{live_server.url}/orders/?status=processing")
    rows = page.locator("[data-order-row]")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-action=parcels]")).to_be_enabled()
    _shot(page, "08-order-list-ticked-vi-1400")
    page.keyboard.press("s")  # Create parcels
    form = page.locator('[data-testid="bulk-parcel-form"]')
    expect(form).to_be_visible()
    assert page.evaluate("document.activeElement.name") == "account"
    page.keyboard.press("End")  # the last account: Viettel Post (by name)
    _shot(page, "09-bulk-form-vi-1400")
    page.keyboard.press("Control+Enter")
    # Two parcels quoted and created over HTTP inside the request: slow on a loaded machine.
    expect(page.locator('[data-testid="bulk-parcel"]')).to_have_count(2, timeout=30_000)
    results = page.locator('[data-testid="bulk-parcel"][data-ok="1"]')
    expect(results).to_have_count(2)
    _shot(page, "10-bulk-results-vi-1400")
    vtp_parcels = list(Shipment.objects.filter(order__in=ticked))
    assert {s.account_id for s in vtp_parcels} == {vtp_account.pk}

    # A Viettel Post parcel delivered (its callbacks to our endpoint, with its token).
    delivered = vtp_parcels[0]
    for status in (105, 200, 500, 501):
        vtp_sandbox.set_status(delivered.tracking_number, status)
    assert vtp_sandbox.flush_webhooks()
    delivered.refresh_from_db()
    assert delivered.state == "delivered"

    # -- A COD statement (.xlsx): a match, an amount that differs, an unknown parcel -------
    other = vtp_parcels[1]
    statement = Table(
        sheet="COD",
        columns=[
            Column("Mã vận đơn", TEXT),
            Column("Tiền thu hộ (COD)", MONEY),
            Column("Phí dịch vụ", MONEY),
            Column("Ngày chuyển tiền", TEXT),
        ],
        rows=[
            [delivered.tracking_number, delivered.cod_amount, 5000, "07/12/2026"],
            [other.tracking_number, other.cod_amount - 10000, 5000, "07/12/2026"],
            ["999999999", 100000, 5000, "07/12/2026"],
        ],
    )
    path = tmp_path / "cod.xlsx"
    path.write_bytes(xlsx_bytes([statement]))
    page.goto(f"{live_server.url}/shipping/cod/")
    upload = page.locator('[data-testid="cod-upload"]')
    upload.locator("select").first.select_option(label=vtp_account.name)
    upload.locator("input[type=file]").set_input_files(str(path))
    upload.locator("button[type=submit]").click()
    expect(page.locator('[data-testid="cod-line"]')).to_have_count(3)
    _shot(page, "11-cod-preview-vi-1400")
    page.locator('[data-testid="cod-confirm"]').click()
    expect(page.locator('[data-testid="cod-confirm"]')).to_have_count(0)
    assert list(CodReceipt.objects.values_list("shipment_id", "amount")) == [
        (delivered.pk, Decimal(delivered.cod_amount))
    ]
    assert Order.objects.get(pk=delivered.order_id).status == "completed"
    _shot(page, "12-cod-confirmed-vi-1400")
    statement_url = page.url

    # -- Every shipping page in both languages and both window sizes -----------------------
    pages = {
        "order": f"/orders/{delivered.order_id}/",
        "order-list": "/orders/",
        "shipments": "/shipping/shipments/",
        "needs-action": "/shipping/shipments/?needs_action=on",
        "carriers": "/shipping/carriers/",
        "carrier-form": f"/shipping/carriers/{vtp_account.pk}/",
        "cod": "/shipping/cod/",
        "cod-statement": statement_url.removeprefix(live_server.url),
        "callbacks": "/shipping/callbacks/?result=",
    }
    for lang, locale in LOCALES.items():
        for size, viewport in SIZES.items():
            view = signed_in(
                "quanly", next_url="/shipping/shipments/", locale=locale, viewport=viewport
            )
            for name, url in pages.items():
                view.goto(f"{live_server.url}{url}")
                if name == "order":
                    view.locator('[data-testid="shipment"]').first.scroll_into_view_if_needed()
                _shot(view, f"p-{name}-{lang}-{size}")
