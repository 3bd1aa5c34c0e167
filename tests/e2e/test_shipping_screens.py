"""The shipping pages as staff see them in Vietnamese and in Thai, in Chromium over the GHN and
Viettel Post sandboxes: the Carriers page, parcels for orders ticked in the order list (the
form, then a result per order), the Shipments list with a delivered and a failed parcel, and the
COD statement import. Screenshots in test-artifacts/ (shipping-<page>-<vi|th>.png)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shipping.models import Shipment
from shipping.services.polling import account_poll
from tests.shipping.conftest_ghn import ghn_callbacks, ghn_sandbox  # noqa: F401 - fixtures
from tests.shipping.conftest_ship import (  # noqa: F401
    ghn_account,
    ghn_hook,
    ship_order,
    ship_spec,
    ship_warehouse,
    vtp_account,
)
from tests.shipping.conftest_viettel_post import vtp_sandbox  # noqa: F401
from tests.shipping.test_cod import make_parcel, walk  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]

LOCALES = {"vi": "vi-VN", "th": "th-TH"}
# What the pages must say in the language: the Carriers heading, a created parcel's result.
WORDS = {
    "vi": {"carriers": "Hãng vận chuyển", "created": "Đã tạo"},
    "th": {"carriers": "บริษัทขนส่ง", "created": "สร้างแล้ว"},
}


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_shipping_pages_in_each_language(
    lang,
    live_server,
    signed_in,
    make_user,
    ghn_sandbox,  # noqa: F811
    ghn_account,  # noqa: F811
    vtp_account,  # noqa: F811
    ship_order,  # noqa: F811
    make_parcel,  # noqa: F811
    artifacts,
):
    delivered = make_parcel("delivered")
    failed = make_parcel("")
    ghn_sandbox.advance(failed.tracking_number, "failed_delivery", "delivery_fail")
    # Its callbacks never came: the poll finds the failed delivery.
    account_poll(account_id=ghn_account.pk, now=timezone.now() + timedelta(hours=13))
    assert Shipment.objects.get(pk=failed.pk).state == "delivery_failed"
    orders = [ship_order(), ship_order(ward="Phường Không Có")]
    make_user("manager", username="quanly")
    locale = LOCALES[lang]

    page = signed_in("quanly", next_url="/shipping/carriers/", locale=locale)
    expect(page.locator("main")).to_contain_text(ghn_account.name)
    expect(page.locator("main")).to_contain_text(vtp_account.name)
    expect(page.locator("h1")).to_contain_text(WORDS[lang]["carriers"])
    page.screenshot(path=str(artifacts / f"shipping-carriers-{lang}.png"), full_page=True)

    page.goto(f"{live_server.url}/orders/")
    for order in orders:
        page.check(f"input[name=order][value='{order.pk}']")
    page.locator("[data-action=parcels]").click()
    form = page.locator('[data-testid="bulk-parcel-form"]')
    expect(form).to_be_visible()
    form.locator("select[name=account]").select_option(label=vtp_account.name)
    page.screenshot(path=str(artifacts / f"shipping-bulk-form-{lang}.png"), full_page=True)
    form.locator("button[type=submit]").click()
    results = page.locator('[data-testid="bulk-parcel"]')
    expect(results).to_have_count(2)
    created = page.locator('[data-testid="bulk-parcel"][data-ok="1"]')
    expect(created).to_have_count(1)
    expect(created).to_contain_text(WORDS[lang]["created"])
    expect(page.locator("main")).to_contain_text("Phường Không Có")
    page.screenshot(path=str(artifacts / f"shipping-bulk-results-{lang}.png"), full_page=True)

    page.goto(f"{live_server.url}/shipping/shipments/")
    expect(page.locator('[data-testid="shipment-row"]')).to_have_count(3)
    expect(page.locator("main")).to_contain_text(delivered.tracking_number)
    page.screenshot(path=str(artifacts / f"shipping-shipments-{lang}.png"), full_page=True)

    page.goto(f"{live_server.url}/shipping/cod/")
    expect(page.locator('[data-testid="cod-upload"]')).to_be_visible()
    page.screenshot(path=str(artifacts / f"shipping-cod-import-{lang}.png"), full_page=True)
