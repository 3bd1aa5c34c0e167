"""What the owner sees right after a restart, and the ledger in the reader's language."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.services import heartbeat_record
from inventory.services.stock import Source, StockChange, stock_apply, stock_receive
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_health_card_says_starting_before_beats_first_run(
    live_server, page, sign_in, make_user, artifacts
):
    make_user("owner", username="lan", first_name="Lan", language="vi")
    now = timezone.now()
    for name in ("worker_started", "worker", "beat_started", "beat"):
        heartbeat_record(name=name, at=now - timedelta(seconds=20))
    sign_in(page, "lan")
    card = page.locator("[data-testid=dashboard-health]")
    expect(card).to_have_text("Đang khởi động")
    expect(card).to_have_attribute("data-state", "starting")
    page.screenshot(path=str(artifacts / "dashboard-health-starting.png"), full_page=True)
    page.goto(f"{live_server.url}/system/health/")
    expect(page.locator("[data-testid=health-summary]")).to_have_text("Đang khởi động")
    expect(page.locator("tr[data-check=beat_tick] .pill--warn")).to_have_text("đang khởi động")
    page.screenshot(path=str(artifacts / "health-starting.png"), full_page=True)


def test_the_ledger_reads_in_thai(page, sign_in, make_user, artifacts):
    make_user("warehouse", username="somchai", first_name="Somchai", language="th")
    warehouse = WarehouseFactory(code="BKK01")
    variant = VariantFactory(sku="SILK-01")
    stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=5)
    stock_apply(
        changes=[
            StockChange.adjust(variant.pk, warehouse.pk, -1, reason_code="count", kind="count")
        ],
        source=Source("stock_count", "1", "SC000001"),
    )
    ledger = f"/inventory/stock/{variant.pk}/ledger/"
    sign_in(page, "somchai", next_url=ledger)
    expect(page.locator("#ledger-table tbody tr").first.locator("td").nth(8)).to_have_text(
        "ตรวจนับสต็อก SC000001"
    )
    page.screenshot(path=str(artifacts / "ledger-th.png"), full_page=True)
