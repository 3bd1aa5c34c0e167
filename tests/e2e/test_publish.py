"""Publishing to a Shopee shop in Chromium (the Shopee sandbox over real HTTP, jobs run in the
request as a worker would): the publish form in Vietnamese and Thai with the category search,
a missing attribute refused in the user's language, the variation plan switched to a split,
the publication page, and bulk publish from the product list with one failing product.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from channels_sync.adapters.publishing import AttributeChoice
from channels_sync.services.publishing import publications_bulk
from tests.channels_sync.conftest import (  # noqa: F401  (fixtures)
    shopee_account,
    shopee_app,
    shopee_sandbox,
)
from tests.channels_sync.publish_setup import publish_input, three_option_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


@pytest.fixture
def shop(settings, tmp_path, shopee_account, shopee_sandbox):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    settings.MARKETPLACE_PUBLISH_STEP_DELAY = 0.25
    shopee_sandbox.publishing.tier_delay = 0.2
    return shopee_account


@pytest.fixture
def eager() -> Iterator[None]:
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def _pick_category(page, search: str, path: str) -> None:
    page.fill("input.category-search", search)
    link = page.locator("#category-results a", has_text=path)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_selector("#id_attr_100134")


def test_publish_form_and_bulk_in_vietnamese(
    live_server,
    signed_in,
    make_user,
    artifacts,
    shop,
    shopee_sandbox,  # noqa: F811
    eager,
):
    make_user("owner", username="chu", first_name="Chủ")
    product = three_option_product()
    page = signed_in("chu", next_url=f"/inventory/products/{product.pk}/")
    page.click("text=Đăng bán lên shop")
    _pick_category(page, "áo thun", "Thời Trang Nam > Áo > Áo thun")
    expect(page.locator("#plan tbody tr")).to_have_count(1)
    page.select_option("#id_plan", "split:2")
    expect(page.locator("#plan tbody tr")).to_have_count(2)
    page.click("form.publish-form button[type=submit]")
    expect(page.locator(".field--error .error").first).to_have_text(
        "Sàn yêu cầu thuộc tính này cho ngành hàng đã chọn."
    )
    page.screenshot(path=str(artifacts / "publish-form-vi.png"), full_page=True)
    page.select_option("#id_attr_100134", label="Cotton")
    page.select_option("#id_brand", label="Coolmate")
    page.click("form.publish-form button[type=submit]")
    page.wait_for_url("**/marketplaces/publications/*/")
    expect(page.locator("#publication-status .pill").first).to_have_text("Đang bán")
    expect(page.locator("#publication-status tbody tr").first).to_contain_text("Cotton")
    page.screenshot(path=str(artifacts / "publication-vi.png"), full_page=True)
    assert len(shopee_sandbox.items) == 2

    others = [three_option_product(prefix=p, name=f"Áo polo {p} cổ bẻ") for p in ("BA", "BB")]
    short = three_option_product(prefix="BC", name="Áo BC")
    page.goto(f"{live_server.url}/inventory/products/")
    for item in (*others, short):
        page.check(f"input[name=product][value='{item.pk}']")
    page.screenshot(path=str(artifacts / "product-list-publish-vi.png"))
    page.click("text=Đăng bán các sản phẩm đã chọn")
    _pick_category(page, "sơ mi", "Thời Trang Nam > Áo > Áo sơ mi")
    page.select_option("#id_attr_100134", label="Linen")
    page.fill("#id_attr_100210", "180")
    page.click("form.publish-form button[type=submit]")
    page.wait_for_url("**/marketplaces/publish/batch/*/")
    rows = page.locator("#batch-results tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#batch-results .card-head")).to_contain_text("2 đang bán")
    expect(page.locator("#batch-results")).to_contain_text("Tên sản phẩm quá ngắn")
    page.screenshot(path=str(artifacts / "publish-bulk-result-vi.png"), full_page=True)


def test_publish_form_and_bulk_result_in_thai(
    live_server,
    signed_in,
    make_user,
    artifacts,
    shop,
    eager,
):
    make_user("owner", username="chu", first_name="Chủ")
    product = three_option_product()
    page = signed_in(
        "chu",
        next_url=f"/marketplaces/publish/product/{product.pk}/?shop={shop.pk}&category=100111",
        locale="th-TH",
    )
    expect(page.locator("h3", has_text="คุณสมบัติที่แพลตฟอร์มต้องการ")).to_have_count(1)
    page.screenshot(path=str(artifacts / "publish-form-th.png"), full_page=True)
    others = [three_option_product(prefix=p, name=f"Áo polo {p} cổ bẻ") for p in ("TA", "TB")]
    short = three_option_product(prefix="TC", name="Áo TC")
    data = publish_input(others[0], attributes=(AttributeChoice("100134", ("7002",)),))
    batch = publications_bulk(
        product_ids=[p.pk for p in (*others, short)],
        account_id=shop.pk,
        data=data,
        max_images=9,
        user_id=None,
    )
    page.goto(f"{live_server.url}/marketplaces/publish/batch/{batch}/")
    expect(page.locator("#batch-results tbody tr")).to_have_count(3)
    expect(page.locator("#batch-results")).to_contain_text("ชื่อสินค้าสั้นเกินไป")
    page.screenshot(path=str(artifacts / "publish-bulk-result-th.png"), full_page=True)
