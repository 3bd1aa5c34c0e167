"""Publishing to a Lazada shop in Chromium (the Lazada sandbox over real HTTP, jobs run in the
request as a worker would): the publish form in Vietnamese with the category search, Lazada's
attributes (values from the option list) and the plan merging two of our three options; the
publication page in QC, then rejected with Lazada's reason; the same pages in Thai.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from channels_sync.models import Publication
from channels_sync.sandbox.lazada_listings import configure_listings, qc_finish
from channels_sync.services.publishing import publication_review
from tests.channels_sync.conftest import (  # noqa: F401  (fixtures)
    lazada_account,
    lazada_app,
    lazada_sandbox,
)
from tests.channels_sync.publish_setup import three_option_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


@pytest.fixture
def shop(settings, tmp_path, lazada_account, lazada_sandbox):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    configure_listings(lazada_sandbox, qc="reject")
    return lazada_account


@pytest.fixture
def eager() -> Iterator[None]:
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.mark.parametrize(
    ("locale", "search", "path", "in_review", "rejected"),
    [
        ("vi-VN", "áo thun", "Thời trang nam > Áo > Áo thun", "Đang duyệt", "Bị từ chối"),
        ("th-TH", "เสื้อยืด", "แฟชั่นผู้ชาย > เสื้อ > เสื้อยืด", "กำลังตรวจสอบ", "ถูกปฏิเสธ"),
    ],
)
def test_lazada_publish_form_and_publication(
    live_server,
    signed_in,
    make_user,
    artifacts,
    shop,
    lazada_sandbox,  # noqa: F811
    eager,
    locale,
    search,
    path,
    in_review,
    rejected,
):
    if locale == "th-TH":
        shop.currency = "THB"
        shop.save(update_fields=["currency"])
    make_user("owner", username="chu", first_name="Chủ")
    product = three_option_product()
    page = signed_in(
        "chu",
        next_url=f"/marketplaces/publish/product/{product.pk}/?shop={shop.pk}",
        locale=locale,
    )
    page.fill("input.category-search", search)
    link = page.locator("#category-results a", has_text=path)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_selector("#id_attr_material")
    expect(page.locator("#plan tbody tr")).to_have_count(1)
    expect(page.locator("#plan")).to_contain_text("Đỏ / M, Đỏ / L, Xanh / M, Xanh / L")
    page.select_option("#id_attr_material", value="Cotton")
    page.select_option("#id_brand", label="Coolmate")
    page.screenshot(path=str(artifacts / f"lazada-publish-form-{locale[:2]}.png"), full_page=True)
    page.click("form.publish-form button[type=submit]")
    page.wait_for_url("**/marketplaces/publications/*/")
    expect(page.locator("#publication-status .pill").first).to_have_text(in_review)
    publication = Publication.objects.get()
    item_id = int(publication.items[0]["item_id"])
    qc_finish(lazada_sandbox, item_id, approve=False, reason="Ảnh chính có chữ che sản phẩm")
    publication_review(publication_id=publication.pk)
    page.reload()
    expect(page.locator("#publication-status .pill").first).to_have_text(rejected)
    expect(page.locator("#publication-status")).to_contain_text("Ảnh chính có chữ che sản phẩm")
    page.screenshot(path=str(artifacts / f"lazada-publication-{locale[:2]}.png"), full_page=True)
