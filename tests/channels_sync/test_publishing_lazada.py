"""Publishing to a Lazada shop through the engine and the pages, over real HTTP to the Lazada
sandbox: a 3-option product merged into Lazada's 2 sales attributes (the plan shown on the
form), created in one call, every variant linked at once, QC rejected with its reason then
approved after an edit is pushed; bulk publish with a result per product."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from channels_sync.adapters.publishing import AttributeChoice, PlanMode
from channels_sync.models import Listing, Publication, PublicationStatus
from channels_sync.sandbox.lazada_listings import configure_listings, qc_finish
from channels_sync.services.publishing import (
    publication_push,
    publication_review,
)
from tests.channels_sync.conftest import LAZADA_SELLER_ID
from tests.channels_sync.publish_setup import (
    edit_product,
    publish,
    publish_form,
    publish_input,
    push_processed,
    three_option_product,
)

pytestmark = pytest.mark.django_db
MERGED = ["Đỏ / M", "Đỏ / L", "Xanh / M", "Xanh / L"]


@pytest.fixture
def shop(settings, tmp_path, lazada_account):
    settings.MEDIA_ROOT = tmp_path
    return lazada_account


def lazada_input(product, **changes):  # type: ignore[no-untyped-def]
    values = {
        "category_id": "10111",
        "category_path": "Thời trang nam > Áo > Áo thun",
        "brand_id": "20001",
        "brand_name": "Coolmate",
        "attributes": (AttributeChoice("material", ("Cotton",)),),
    }
    return publish_input(product, **(values | changes))


def created_bodies(sandbox) -> list[dict]:  # type: ignore[no-untyped-def]
    import json

    return [json.loads(p["payload"]) for n, p in sandbox.calls if n == "/product/create"]


def test_three_options_merged_linked_rejected_then_approved(shop, lazada_sandbox, run_jobs):
    configure_listings(lazada_sandbox, qc="reject")
    product = three_option_product()
    publication = publish(run_jobs, shop, product, lazada_input(product))
    assert (publication.status, publication.error_code) == (PublicationStatus.IN_REVIEW, "")
    ((item,),) = [publication.items]
    item_id = int(item["item_id"])
    (body,) = created_bodies(lazada_sandbox)
    variation = body["Request"]["Product"]["variation"]
    assert [(v["name"], v["options"]["option"]) for v in variation.values()] == [
        ("Màu/Size", MERGED),
        ("Chất liệu", ["Cotton", "Linen"]),
    ]
    sandbox_skus = {s.seller_sku: s.sku_id for s in lazada_sandbox.products[item_id].skus}
    linked = {
        x.variant.sku: (x.item_id, x.model_id)
        for x in Listing.objects.filter(account=shop).select_related("variant")
    }
    assert linked == {sku: (str(item_id), str(n)) for sku, n in sandbox_skus.items()}
    assert len(linked) == 8

    qc_finish(lazada_sandbox, item_id, approve=False, reason="Ảnh chính có chữ")
    publication = publication_review(publication_id=publication.pk)
    assert publication.status == PublicationStatus.REJECTED
    assert publication.items[0]["reason"] == "Ảnh chính có chữ"

    edit_product(
        product, name="Áo polo nam cổ bẻ (ảnh mới)", sku="POLO-D-M-C", price=Decimal("239000")
    )
    publication = publication_push(publication_id=publication.pk)
    assert publication.error_code == ""
    pushed = lazada_sandbox.products[item_id]
    assert (pushed.name, pushed.status) == ("Áo polo nam cổ bẻ (ảnh mới)", "Pending QC")
    assert lazada_sandbox.price(item_id, sandbox_skus["POLO-D-M-C"]) == Decimal("239000")
    assert publication_review(publication_id=publication.pk).status == PublicationStatus.IN_REVIEW
    qc_finish(lazada_sandbox, item_id, approve=True)
    publication = publication_review(publication_id=publication.pk)
    assert (publication.status, publication.items[0]["reason"]) == (PublicationStatus.LIVE, "")


def test_split_per_material_makes_two_products(shop, lazada_sandbox, run_jobs):
    product = three_option_product()
    data = lazada_input(product, plan={"mode": PlanMode.SPLIT, "split_on": 2})
    publication = publish(run_jobs, shop, product, data)
    assert publication.status == PublicationStatus.LIVE
    assert [row["suffix"] for row in publication.items] == ["Cotton", "Linen"]
    names = sorted(p.name for p in lazada_sandbox.products.values())
    assert names == ["Áo polo nam cổ bẻ Cotton", "Áo polo nam cổ bẻ Linen"]
    assert Listing.objects.filter(account=shop).count() == 8


LAZADA_FORM = {
    "category": "10111",
    "attr_material": "Cotton",
    "attr_occasion": ["Casual", "Sports"],
    "brand": "20001",
}


def form_data(shop, product, **changes) -> dict:  # type: ignore[no-untyped-def]
    return publish_form(shop, product, LAZADA_FORM, changes)


def test_the_form_for_a_lazada_shop(client, login_as, shop, lazada_sandbox):
    product = three_option_product()
    login_as("manager")
    found = client.get(
        reverse("channels_sync:publish_categories", args=[shop.pk]), {"q": "áo thun"}
    ).content.decode()
    assert "Thời trang nam &gt; Áo &gt; Áo thun" in found
    assert "Chảo" not in found
    url = reverse("channels_sync:publish_product", args=[product.pk])
    page = client.get(url, {"shop": shop.pk, "category": "10111"}).content.decode()
    assert re.search(r'<option value="Linen"[^>]*>Vải lanh</option>', page)
    assert 'name="attr_material"' in page
    assert 'name="attr_occasion"' in page
    assert 'name="attr_color_family"' not in page  # sales attributes come from our options
    assert "Màu / Size:</span> Đỏ / M, Đỏ / L, Xanh / M, Xanh / L" in page
    assert '<option value="30768"' not in page  # "No Brand" is the empty choice
    response = client.post(url, form_data(shop, product, attr_material=None))
    assert response.status_code == 200
    assert Publication.objects.count() == 0
    assert created_bodies(lazada_sandbox) == []


def test_publish_and_bulk_through_the_pages(client, login_as, shop, lazada_sandbox, run_jobs):
    login_as("manager")
    one = three_option_product(prefix="LA", name="Áo polo LA")
    with run_jobs():
        response = client.post(
            reverse("channels_sync:publish_product", args=[one.pk]), form_data(shop, one)
        )
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.LIVE
    assert publication.attributes[1] == {
        "attribute_id": "occasion",
        "value_ids": ["Casual", "Sports"],
        "text": "",
        "unit": "",
    }
    assert created_bodies(lazada_sandbox)[0]["Request"]["Product"]["Attributes"] == {
        "name": "Áo polo LA",
        "description": "<p>Áo polo vải cá sấu, thấm hút mồ hôi, form regular.</p>",
        "brand_id": "20001",
        "material": "Cotton",
        "occasion": "Casual,Sports",
    }
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for sku in one.variants.values_list("sku", flat=True):
        assert f'<td class="mono">{sku}</td>' in page

    good = three_option_product(prefix="LB", name="Áo polo LB")
    clash = three_option_product(prefix="LC", name="Áo polo LC")
    lazada_sandbox.add_product(  # one of its SKUs already sold on the shop by another product
        LAZADA_SELLER_ID, "Áo cũ", [{"seller_sku": "LC-D-M-C", "price": 1000, "stock": 1}]
    )
    ids = [good.pk, clash.pk]
    data = form_data(shop, good, images=None, plan=None) | {"product": ids}
    with run_jobs():
        response = client.post(reverse("channels_sync:publish_bulk"), data)
    batch = re.search(r"/batch/([0-9a-f-]+)/", response["Location"]).group(1)  # type: ignore[union-attr]
    rows = {
        p.product.name: (p.status, p.error_code) for p in Publication.objects.filter(batch=batch)
    }
    assert rows == {
        "Áo polo LB": (PublicationStatus.LIVE, ""),
        "Áo polo LC": (PublicationStatus.FAILED, "4135"),
    }
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "1 đang bán · 0 đang duyệt · 1 lỗi · 0 đang gửi" in page
    assert "Một mã SKU của người bán đã được sản phẩm khác trong gian hàng sử dụng" in page
    assert len(lazada_sandbox.products) == 3


def test_the_qc_push_reads_the_review_at_once(shop, lazada_sandbox, run_jobs):
    """Lazada's QC push (message_type 1) makes the publication holding that item read its
    review now, not at the 10-minute sweep."""
    from channels_sync.models import InboundPayload
    from channels_sync.services.webhooks import webhook_receive

    configure_listings(lazada_sandbox, qc="review")
    product = three_option_product()
    publication = publish(run_jobs, shop, product, lazada_input(product))
    assert publication.status == PublicationStatus.IN_REVIEW
    item_id = publication.items[0]["item_id"]

    qc_finish(lazada_sandbox, int(item_id), approve=True)
    assert lazada_sandbox.flush_pushes(10)
    (delivery,) = [
        d for d in lazada_sandbox.deliveries if d.attempt == 0 and b'"message_type":1,' in d.body
    ]
    payload = webhook_receive(
        platform="lazada",
        url=delivery.url,
        body=delivery.body,
        headers={"Authorization": delivery.signature},
    )
    assert isinstance(payload, InboundPayload)
    assert payload.external_id == str(item_id)
    payload = push_processed(run_jobs, payload)
    assert (payload.status, payload.detail) == ("applied", "review check queued (1)")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.LIVE
