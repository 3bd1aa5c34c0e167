"""Publishing to a TikTok shop in Chromium (the TikTok sandbox over real HTTP, jobs run in the
request as a worker would): the publish form in Vietnamese and Thai with the category search,
the attributes with TikTok's allowed values and the plan (3 options as they are), then the
publication page with the audit's rejection reason. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from channels_sync.adapters.publishing import AttributeChoice
from channels_sync.models import Publication
from channels_sync.sandbox.tiktok_listing_audit import audit_product
from channels_sync.sandbox.tiktok_listings import configure_listings
from channels_sync.services.publishing import (
    publication_queue,
    publication_review,
    publication_save,
    publication_send,
)
from tests.channels_sync.conftest import (  # noqa: F401  (fixtures)
    tiktok_account,
    tiktok_app,
    tiktok_sandbox,
)
from tests.channels_sync.publish_setup import publish_input, three_option_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]
NAME = "Áo polo nam cổ bẻ vải cá sấu thoáng mát"


@pytest.fixture
def shop(settings, tmp_path, tiktok_account, tiktok_sandbox):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    configure_listings(tiktok_sandbox, audit="manual")
    return tiktok_account


@pytest.fixture
def eager() -> Iterator[None]:
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_publish_to_tiktok_in_vietnamese(
    live_server,
    signed_in,
    make_user,
    artifacts,
    shop,
    tiktok_sandbox,  # noqa: F811
    eager,
):
    make_user("owner", username="chu", first_name="Chủ")
    product = three_option_product(name=NAME)
    page = signed_in("chu", next_url=f"/marketplaces/publish/product/{product.pk}/?shop={shop.pk}")
    page.fill("input.category-search", "polo")
    link = page.locator("#category-results a", has_text="Thời trang nam > Áo > Áo polo")
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_selector("#id_attr_100392")
    expect(page.locator("#plan tbody tr")).to_have_count(1)
    expect(page.locator("#plan")).to_contain_text("Chất liệu")
    page.select_option("#id_attr_100392", label=["Cotton", "Linen"])
    page.select_option("#id_brand", label="Coolmate")
    page.screenshot(path=str(artifacts / "publish-tiktok-form-vi.png"), full_page=True)
    page.click("form.publish-form button[type=submit]")
    page.wait_for_url("**/marketplaces/publications/*/")
    expect(page.locator("#publication-status .pill").first).to_have_text("Đang duyệt")
    publication = Publication.objects.get()
    audit_product(tiktok_sandbox, publication.items[0]["item_id"], False, "Ảnh chính có chữ")
    page.click("button[value=review]")
    expect(page.locator("#publication-status .pill").first).to_have_text("Bị từ chối")
    expect(page.locator("#publication-status")).to_contain_text("Ảnh chính có chữ")
    page.screenshot(path=str(artifacts / "publication-tiktok-vi.png"), full_page=True)


def test_publish_to_tiktok_in_thai(
    live_server,
    signed_in,
    make_user,
    artifacts,
    shop,
    tiktok_sandbox,  # noqa: F811
):
    make_user("owner", username="chu", first_name="Chủ")
    product = three_option_product(name=NAME)
    page = signed_in(
        "chu",
        next_url=f"/marketplaces/publish/product/{product.pk}/?shop={shop.pk}&category=601226",
        locale="th-TH",
    )
    expect(page.locator("h3", has_text="คุณสมบัติที่แพลตฟอร์มต้องการ")).to_have_count(1)
    page.screenshot(path=str(artifacts / "publish-tiktok-form-th.png"), full_page=True)
    data = publish_input(
        product,
        category_id="601226",
        category_path="Thời trang nam > Áo > Áo polo",
        brand_id="7082427311584347905",
        attributes=(AttributeChoice("100392", ("1000059",)),),
    )
    publication = publication_save(
        product_id=product.pk, account_id=shop.pk, data=data, user_id=None
    )
    assert publication_queue(publication_id=publication.pk) is True
    publication = publication_send(publication_id=publication.pk)
    audit_product(tiktok_sandbox, publication.items[0]["item_id"], False, "รูปภาพไม่ชัดเจน")
    publication_review(publication_id=publication.pk)
    page.goto(f"{live_server.url}/marketplaces/publications/{publication.pk}/")
    expect(page.locator("#publication-status")).to_contain_text("รูปภาพไม่ชัดเจน")
    page.screenshot(path=str(artifacts / "publication-tiktok-th.png"), full_page=True)
