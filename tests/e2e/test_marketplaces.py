"""The Marketplaces pages in Vietnamese in Chromium: the shops and apps, a shop's page with a
run in progress that updates by itself and stops polling when it ends, and the quarantine
list where "Re-apply" updates the row in place. Screenshots in test-artifacts/."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from channels_sync.models import AccountStatus, ChannelOrder, InboundPayload, RunStatus, SyncRun
from channels_sync.services.runs import run_count, run_finish
from tests.channels_sync.test_pages import make_app, make_shop
from tests.channels_sync.test_pages_lists import order_body
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


def _shops():
    now = timezone.now()
    warehouse = WarehouseFactory(code="HCM01", name="Kho Quận 1")
    shirt = stocked_variant(warehouse, 5, sku="AO-DO-M")
    app = make_app()
    make_app(
        platform="lazada",
        name="Lazada TH",
        app_key="112233",
        api_base_url="https://api.lazada.co.th/rest",
    )
    main = make_shop(
        app,
        warehouse=warehouse,
        access_expires_at=now + timedelta(hours=3),
        authorized_until=now + timedelta(days=5),
        last_order_at=now - timedelta(minutes=3),
        last_stock_push_at=now - timedelta(minutes=1),
        last_push_delay_ms=840,
    )
    make_shop(
        app,
        shop_id="727720656",
        code="shopee-727720656",
        name="Giày Hà Nội",
        status=AccountStatus.RECONNECT,
        status_reason="refresh_token_expired",
    )
    make_shop(
        app,
        shop_id="727720657",
        code="shopee-727720657",
        name="Phụ kiện Đà Nẵng",
        status=AccountStatus.PAUSED,
        authorized_until=now + timedelta(days=200),
    )
    order = make_order(make_customer(), warehouse, [(shirt, 2)])
    ChannelOrder.objects.create(
        account=main,
        external_id="261207OS01",
        order=order,
        platform_status="READY_TO_SHIP",
        platform_updated_at=now,
        oversold=True,
    )
    done = SyncRun.objects.create(
        account=main,
        kind="orders_pull",
        status=RunStatus.RUNNING,
        started_at=now - timedelta(minutes=9),
    )
    run_count(done, done=40, fetched=40, created=31, updated=8, quarantined=1, api_calls=3)
    SyncRun.objects.filter(pk=done.pk).update(
        errors=[{"code": "unknown_sku", "message": "", "params": {"line": 1, "sku": "NON-LA"}}]
    )
    run_finish(done, now=now - timedelta(minutes=8, seconds=50))
    live = SyncRun.objects.create(
        account=main,
        kind="stock_push",
        status=RunStatus.RUNNING,
        started_at=now - timedelta(seconds=4),
        progress_total=200,
        progress_done=50,
        counts={"pushed": 50},
        api_calls=2,
    )
    payload = InboundPayload.objects.create(
        account=main,
        platform="shopee",
        kind="order",
        external_id="261207QX01",
        body=order_body("261207QX01"),
        status="quarantined",
        reason="no_warehouse",
        detail="the shop has no order warehouse",
    )
    InboundPayload.objects.create(
        account=main,
        platform="shopee",
        kind="order",
        external_id="261207QX02",
        body=json.dumps({"order_sn": "261207QX02", "item_list": []}),
        status="quarantined",
        reason="bad_field",
        reason_params={"field": "item_list"},
        detail="item_list is empty",
    )
    return main, live, payload


def test_marketplaces_shop_and_quarantine_in_vietnamese(
    live_server, signed_in, make_user, artifacts
):
    make_user("owner", username="chu", first_name="Chủ")
    main, live, payload = _shops()
    page = signed_in("chu", next_url="/marketplaces/")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    assert page.locator(".page-title").inner_text() == "Sàn TMĐT"
    nav = page.locator(".sidebar .nav a.active")
    assert nav.inner_text().startswith("Sàn TMĐT")
    page.wait_for_selector("[data-testid=marketplace-badge]")
    assert page.locator("[data-testid=marketplace-badge]").inner_text() == "3"  # 2 + 1 oversold
    shops = page.locator("[data-testid=shops] tbody tr")
    assert shops.count() == 3
    assert page.locator("[data-testid=shops] .expiry--near").count() == 2  # token 3 h, auth 5 d
    assert "Cần kết nối lại" in page.locator("[data-testid=shops]").inner_text()
    page.screenshot(path=str(artifacts / "marketplaces-vi.png"), full_page=True)

    page.click(f"text={main.name}")
    page.wait_for_url(f"{live_server.url}/marketplaces/shops/{main.pk}/")
    runs = page.locator("#runs")
    assert runs.get_attribute("hx-trigger") == "every 1s"
    assert "Dòng 1: SKU người bán “NON-LA” chưa liên kết" in runs.inner_text()
    page.screenshot(path=str(artifacts / "marketplace-shop-vi.png"), full_page=True)
    # The worker moves on and finishes: the page follows without a reload, then stops polling.
    SyncRun.objects.filter(pk=live.pk).update(progress_done=150)
    page.wait_for_selector(f"#run-{live.pk} progress[value='75']", timeout=5000)
    run_finish(live)
    page.wait_for_selector(f"#run-{live.pk} .pill--ok", timeout=5000)
    assert page.locator("#runs").get_attribute("hx-trigger") is None

    page.goto(f"{live_server.url}/marketplaces/quarantine/?shop={main.pk}")
    rows = page.locator("#quarantine-table tbody tr")
    assert rows.count() == 2
    text = page.locator("#quarantine-table").inner_text()
    assert "Gian hàng chưa có kho xử lý đơn: hãy chọn kho trong cài đặt gian hàng." in text
    assert "Trường “item_list” bị thiếu hoặc không hợp lệ." in text
    page.screenshot(path=str(artifacts / "marketplace-quarantine-vi.png"), full_page=True)
    page.click(f"#payload-{payload.pk} [data-testid=reapply]")
    page.wait_for_selector(f"#payload-{payload.pk}.payload--applied")
    assert rows.count() == 2
    # The sidebar's badge counts again at once: one problem fewer.
    expect(page.locator("[data-testid=marketplace-badge]")).to_have_text("2")
    payload.refresh_from_db()
    assert payload.status == "applied"
    page.screenshot(path=str(artifacts / "marketplace-quarantine-reapplied-vi.png"), full_page=True)
    assert errors == []


def test_marketplaces_shop_and_quarantine_in_thai(live_server, signed_in, make_user, artifacts):
    """The same pages in Thai: titles, status and reasons translated, nothing falls back to
    English; screenshots of each."""
    make_user("owner", username="chu", first_name="Chủ")
    main, _live, _payload = _shops()
    page = signed_in("chu", next_url="/marketplaces/", locale="th-TH")
    assert page.locator(".page-title").inner_text() == "มาร์เก็ตเพลส"
    assert "ต้องเชื่อมต่อใหม่" in page.locator("[data-testid=shops]").inner_text()
    page.screenshot(path=str(artifacts / "marketplaces-th.png"), full_page=True)
    page.goto(f"{live_server.url}/marketplaces/shops/{main.pk}/")
    assert "Reconnect" not in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "marketplace-shop-th.png"), full_page=True)
    page.goto(f"{live_server.url}/marketplaces/quarantine/?shop={main.pk}")
    assert page.locator("#quarantine-table tbody tr").count() == 2
    page.screenshot(path=str(artifacts / "marketplace-quarantine-th.png"), full_page=True)
