"""A shop's "Promotions & holds" in Chromium, in Vietnamese and Thai: active, upcoming and
ended holds, a flash sale hold added through the form and another ended early, both without a
reload (HTMX). Screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_sync.models import HoldEnd, HoldSource, HoldStatus, Listing, StockHold
from tests.channels_sync.test_pages import make_app, make_shop
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import stocked_variant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


def _shop_with_holds():
    now = timezone.now().replace(second=0, microsecond=0)
    warehouse = WarehouseFactory(code="HCM01", name="Kho Quận 1")
    shop = make_shop(make_app(), warehouse=warehouse)
    variants = [
        stocked_variant(warehouse, 40, sku=sku, price="199000")
        for sku in ("AO-DO-M", "AO-DO-L", "QUAN-JEAN-30")
    ]
    for n, variant in enumerate(variants):
        Listing.objects.create(
            account=shop,
            item_id=f"80000{n}",
            model_id=f"90000{n}",
            seller_sku=variant.sku,
            variant=variant,
            promotion_reserve=8 if n == 2 else 0,
        )
    staff = {"source": HoldSource.STAFF, "account": shop}
    active = StockHold.objects.create(
        **staff,
        variant=variants[0],
        name="Flash Sale 12.12",
        status=HoldStatus.ACTIVE,
        quantity=10,
        consumed=3,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    StockHold.objects.create(
        **staff,
        variant=variants[1],
        name="Sale cuối tuần",
        status=HoldStatus.SCHEDULED,
        quantity=5,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=4),
    )
    StockHold.objects.create(
        account=shop,
        variant=variants[2],
        listing=Listing.objects.get(variant=variants[2]),
        source=HoldSource.PLATFORM,
        status=HoldStatus.ACTIVE,
        quantity=8,
        starts_at=now - timedelta(minutes=30),
    )
    StockHold.objects.create(
        **staff,
        variant=variants[1],
        name="Sale 11.11",
        status=HoldStatus.ENDED,
        quantity=6,
        consumed=6,
        starts_at=now - timedelta(days=26),
        ends_at=now - timedelta(days=26) + timedelta(hours=3),
        ended_at=now - timedelta(days=26) + timedelta(hours=3),
        end_reason=HoldEnd.TIME,
    )
    return shop, active, now


def test_promotions_and_holds_in_vietnamese(live_server, signed_in, make_user, artifacts):
    make_user("owner", username="chu", first_name="Chủ")
    shop, active, now = _shop_with_holds()
    page = signed_in("chu", next_url=f"/marketplaces/shops/{shop.pk}/")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    holds = page.locator("#holds")
    assert holds.locator("h3").inner_text() == "Khuyến mãi & giữ hàng"
    assert holds.locator("tbody tr").count() == 4
    assert holds.locator("tr.hold--active").count() == 2
    assert holds.locator("tr.hold--upcoming").count() == 1
    assert "khi sàn còn báo giữ" in holds.inner_text()
    page.screenshot(path=str(artifacts / "marketplace-holds-vi.png"), full_page=True)

    holds.locator("summary").click()
    start, end = (
        timezone.localtime(now + timedelta(hours=3)),
        timezone.localtime(now + timedelta(hours=5)),
    )
    page.fill("#holds [name=skus]", "QUAN-JEAN-30, ao-do-l")
    page.fill("#holds [name=quantity]", "4")
    page.fill("#holds [name=start_date]", start.strftime("%d/%m/%Y"))
    page.fill("#holds [name=start_time]", start.strftime("%H:%M"))
    page.fill("#holds [name=end_date]", end.strftime("%d/%m/%Y"))
    page.fill("#holds [name=end_time]", end.strftime("%H:%M"))
    page.fill("#holds [name=name]", "Giờ vàng 15h")
    page.locator("#holds form.form button[type=submit]").click()
    page.wait_for_selector("#holds tbody tr:nth-child(6)")
    assert holds.locator("tr.hold--upcoming").count() == 3
    assert StockHold.objects.filter(name="Giờ vàng 15h", quantity=4).count() == 2

    page.locator(f"#hold-{active.pk} button").click()
    page.wait_for_selector(f"#hold-{active.pk}.hold--ended")
    active.refresh_from_db()
    assert (active.status, active.end_reason) == (HoldStatus.ENDED, HoldEnd.STAFF)
    holds.screenshot(path=str(artifacts / "marketplace-holds-added-vi.png"))
    assert errors == []


def test_promotions_and_holds_in_thai(live_server, signed_in, make_user, artifacts):
    make_user("owner", username="chu", first_name="Chủ")
    shop, _active, _now = _shop_with_holds()
    page = signed_in("chu", next_url=f"/marketplaces/shops/{shop.pk}/", locale="th-TH")
    holds = page.locator("#holds")
    assert holds.locator("h3").inner_text() == "โปรโมชันและการกันสต็อก"
    text = holds.inner_text()
    assert "กำลังกันไว้" in text
    assert "Upcoming" not in text
    holds.locator("summary").click()
    page.screenshot(path=str(artifacts / "marketplace-holds-th.png"), full_page=True)
