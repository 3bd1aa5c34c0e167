"""The publishing pages for a TikTok shop, over real HTTP to the TikTok sandbox: the category
search (restricted categories left out), the category's attributes with their allowed values,
the plan (3 options as they are), a publish through the job that waits for the audit, and the
rejection reason on the publication page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_sync.models import Listing, Publication, PublicationStatus
from channels_sync.sandbox.tiktok_listing_audit import audit_product
from channels_sync.sandbox.tiktok_listings import configure_listings
from tests.channels_sync.publish_setup import publish_form, three_option_product

pytestmark = pytest.mark.django_db
NAME = "Áo polo nam cổ bẻ vải cá sấu thoáng mát"


@pytest.fixture
def shop(settings, tmp_path, tiktok_account):
    settings.MEDIA_ROOT = tmp_path
    return tiktok_account


TIKTOK_FORM = {
    "category": "601226",
    "attr_100392": ["1000059", "1000061"],
    "attr_100398": "Basic",
    "brand": "7082427311584347905",
}


def form_data(shop, product, **changes) -> dict:
    return publish_form(shop, product, TIKTOK_FORM, changes)


def test_the_form_for_a_tiktok_shop(client, login_as, shop):
    product = three_option_product(name=NAME)
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    page = client.get(url, {"shop": shop.pk}).content.decode()
    assert "Thời trang nam &gt; Áo &gt; Áo polo" in page
    assert "Quần jeans" not in page  # INVITE_ONLY for this shop
    search = reverse("channels_sync:publish_categories", args=[shop.pk])
    found = client.get(search, {"q": "polo", "next": url}).content.decode()
    assert "Thời trang nam &gt; Áo &gt; Áo polo" in found
    assert "Áo thun" not in found
    page = client.get(url, {"shop": shop.pk, "category": "601226"}).content.decode()
    assert 'name="attr_100392"' in page
    assert "multiple" in page.split('name="attr_100392"')[1].split(">")[0]
    assert '<option value="1000059">Cotton</option>' in page
    assert '<option value="1000061">Linen</option>' in page
    assert 'name="attr_100401"' in page  # free text (Mùa)
    assert 'name="attr_100000"' not in page  # colour is a sales attribute: the variations
    assert "Màu:</span> Đỏ, Xanh" in page
    assert "Size:</span> M, L" in page
    assert "Chất liệu:</span> Cotton, Linen" in page


def test_a_short_name_is_refused_before_sending(client, login_as, shop, tiktok_sandbox):
    product = three_option_product(name="Áo polo nam cổ bẻ")  # 17 characters; TikTok 25-255
    login_as("manager")
    url = reverse("channels_sync:publish_product", args=[product.pk])
    response = client.post(url, form_data(shop, product), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "Sàn chỉ nhận tên sản phẩm dài từ 25 đến 255 ký tự; tên này có 17 ký tự" in (
        response.content.decode()
    )
    assert Publication.objects.count() == 0
    assert tiktok_sandbox.call_count("/product/202309/products") == 0


def test_publish_waits_for_the_audit_and_shows_the_rejection(
    client, login_as, shop, tiktok_sandbox, run_jobs
):
    configure_listings(tiktok_sandbox, audit="manual")
    product = three_option_product(name=NAME)
    login_as("manager")
    with run_jobs():
        response = client.post(
            reverse("channels_sync:publish_product", args=[product.pk]), form_data(shop, product)
        )
    publication = Publication.objects.get()
    assert response["Location"] == reverse(
        "channels_sync:publication_detail", args=[publication.pk]
    )
    assert publication.status == PublicationStatus.IN_REVIEW
    assert publication.attributes[0] == {
        "attribute_id": "100392",
        "value_ids": ["1000059", "1000061"],
        "text": "",
        "unit": "",
    }
    assert Listing.objects.filter(account=shop, variant__product=product).count() == 8
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<span class="pill pill--warn">Đang duyệt</span>' in page
    audit_product(tiktok_sandbox, publication.items[0]["item_id"], False, "Ảnh mờ")
    with run_jobs():
        client.post(
            reverse("channels_sync:publication_action", args=[publication.pk]), {"action": "review"}
        )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert '<span class="bad">Ảnh mờ</span>' in page
