"""The publishing pages over real HTTP to the Shopee sandbox: the form asks what the category
needs, a missing mandatory attribute is a translated form error (nothing sent), a publish
goes through the job and shows the linked variants, a rejected review shows its reason, and
bulk publish gives one result per product (one failing)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from channels_sync.models import Listing, Publication, PublicationStatus
from channels_sync.sandbox.shopee_items import review_item
from tests.channels_sync.publish_setup import publish_form, three_option_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(shopee_shop_to_publish):
    return shopee_shop_to_publish


SHOPEE_FORM = {"category": "100111", "attr_100134": "7001", "attr_100155": "Basic", "brand": "1101"}


def form_data(shop, product, **changes) -> dict:
    return publish_form(shop, product, SHOPEE_FORM, changes)


def test_the_form_shows_the_category_attributes_and_the_plan(client, login_as, shop):
    product = three_option_product()
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    page = client.get(url, {"shop": shop.pk}).content.decode()
    assert "Thời Trang Nam &gt; Áo &gt; Áo thun" in page
    assert 'name="attr_100134"' not in page  # no category chosen yet
    page = client.get(url, {"shop": shop.pk, "category": "100111"}).content.decode()
    assert 'name="attr_100134"' in page
    assert "Chất liệu" in page
    assert "Màu / Size:</span> Đỏ / M, Đỏ / L, Xanh / M, Xanh / L" in page
    split = client.get(
        url,
        {"shop": shop.pk, "category": "100111", "plan": "split:2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="plan",
    ).content.decode()
    assert split.lstrip().startswith('<div id="plan"')
    assert split.count("<tr><td>Áo polo nam cổ bẻ <strong>") == 2


def test_missing_mandatory_attribute_is_a_translated_error(client, login_as, shop, shopee_sandbox):
    product = three_option_product()
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    response = client.post(
        url, form_data(shop, product, attr_100134=None), HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 200
    with translation.override("vi"):
        expected = "Sàn yêu cầu thuộc tính này cho ngành hàng đã chọn."
    assert expected in response.content.decode()
    assert Publication.objects.count() == 0
    assert shopee_sandbox.items == {}
    assert shopee_sandbox.call_count("/api/v2/product/add_item") == 0


def test_a_name_outside_the_platform_limits_is_refused_before_sending(
    client, login_as, shop, shopee_sandbox
):
    product = three_option_product(name="Áo polo")  # 7 characters, the category needs 10-120
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    response = client.post(url, form_data(shop, product), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    assert "แพลตฟอร์มรับชื่อสินค้ายาว 10 ถึง 120 ตัวอักษร ชื่อนี้มี 7 ตัวอักษร" in (response.content.decode())
    assert Publication.objects.count() == 0
    assert shopee_sandbox.call_count("/api/v2/product/add_item") == 0


def test_publish_runs_the_job_and_links_the_variants(client, login_as, shop, run_jobs):
    product = three_option_product()
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    with run_jobs():
        response = client.post(url, form_data(shop, product))
    publication = Publication.objects.get()
    assert response["Location"] == reverse(
        "channels_sync:publication_detail", args=[publication.pk]
    )
    assert publication.status == PublicationStatus.LIVE
    assert publication.brand_name == "Coolmate"
    assert publication.attributes == [
        {"attribute_id": "100134", "value_ids": ["7001"], "text": "", "unit": ""},
        {"attribute_id": "100155", "value_ids": [], "text": "Basic", "unit": ""},
    ]
    page = client.get(response["Location"]).content.decode()
    assert Listing.objects.filter(account=shop, variant__product=product).count() == 8
    for sku in product.variants.values_list("sku", flat=True):
        assert f'<td class="mono">{sku}</td>' in page
    again = client.post(url, form_data(shop, product, weight_grams="350"), follow=True)
    assert "The product is already on this shop" in again.content.decode()
    publication.refresh_from_db()
    assert (publication.weight_grams, publication.status) == (350, PublicationStatus.LIVE)
    assert len(publication.items) == 1


def test_rejected_review_is_shown_with_its_reason(client, login_as, shop, shopee_sandbox, run_jobs):
    shopee_sandbox.publishing.review = "review"
    product = three_option_product()
    login_as("manager")
    with run_jobs():
        client.post(
            reverse("channels_sync:publish_product", args=[product.pk]), form_data(shop, product)
        )
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.IN_REVIEW
    review_item(
        shopee_sandbox, int(publication.items[0]["item_id"]), approve=False, reason="Ảnh mờ"
    )
    with run_jobs():
        client.post(
            reverse("channels_sync:publication_action", args=[publication.pk]), {"action": "review"}
        )
    page = client.get(
        reverse("channels_sync:publication_detail", args=[publication.pk]),
        HTTP_ACCEPT_LANGUAGE="vi",
    ).content.decode()
    assert '<span class="pill pill--bad">Bị từ chối</span>' in page
    assert '<span class="bad">Ảnh mờ</span>' in page


def test_bulk_publish_has_a_result_per_product(client, login_as, shop, shopee_sandbox, run_jobs):
    good = [three_option_product(prefix=p, name=f"Áo polo {p} cổ bẻ") for p in ("BA", "BB")]
    short = three_option_product(prefix="BC", name="Áo BC")  # under the 10-character minimum
    login_as("manager")
    ids = [p.pk for p in (*good, short)]
    url = reverse("channels_sync:publish_bulk")
    page = client.get(url, {"product": ids, "shop": shop.pk, "category": "100111"})
    assert 'name="attr_100134"' in page.content.decode()
    data = form_data(shop, good[0], images=None, plan=None) | {"product": ids}
    with run_jobs():
        response = client.post(url, data)
    batch = re.search(r"/batch/([0-9a-f-]+)/", response["Location"]).group(1)  # type: ignore[union-attr]
    rows = {p.product.name: p.status for p in Publication.objects.filter(batch=batch)}
    assert rows == {
        "Áo polo BA cổ bẻ": PublicationStatus.LIVE,
        "Áo polo BB cổ bẻ": PublicationStatus.LIVE,
        "Áo BC": PublicationStatus.FAILED,
    }
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Tên sản phẩm quá ngắn so với quy định của sàn. (Item name is too short.)" in page
    assert "2 đang bán · 0 đang duyệt · 1 lỗi · 0 đang gửi" in page
    assert len(shopee_sandbox.items) == 2


def test_pages_need_the_permission(client, login_as, shop):
    product = three_option_product()
    login_as("sales")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("channels_sync:publish_bulk")).status_code == 403
    page = client.get(reverse("inventory:product_detail", args=[product.pk])).content.decode()
    assert url not in page


def test_pages_poll_only_while_sending(client, login_as, shop):
    from channels_sync.services.publishing import publication_save
    from tests.channels_sync.publish_setup import publish_input

    product = three_option_product()
    publication = publication_save(
        product_id=product.pk, account_id=shop.pk, data=publish_input(product), user_id=None
    )
    Publication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.SENDING, batch="6f1d3c1e-1111-4c8e-9a55-6f1d3c1e2222"
    )
    login_as("manager")
    url = reverse("channels_sync:publication_detail", args=[publication.pk])
    batch_url = reverse(
        "channels_sync:publish_batch", args=["6f1d3c1e-1111-4c8e-9a55-6f1d3c1e2222"]
    )
    partial = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="publication-status")
    assert partial.content.decode().lstrip().startswith('<section id="publication-status"')
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    assert 'hx-trigger="every 1s"' in client.get(batch_url).content.decode()
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.FAILED)
    assert 'hx-trigger="every 1s"' not in client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' not in client.get(batch_url).content.decode()
