"""Publishing to a TikTok shop through the engine, over real HTTP against the TikTok sandbox: a
3-option product goes as is (3 sales attributes), every variant linked at once, the audit
rejected with its reason, an edit pushed that passes the audit, our stock pushed once the
product is live, and a bulk publish with one result per product."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from channels_sync.adapters.publishing import (
    AttributeChoice,
    PlanMode,
    VariationDimension,
    VariationLimits,
)
from channels_sync.models import Listing, ListingStatus, Publication, PublicationStatus
from channels_sync.publish_errors import publish_error_text
from channels_sync.sandbox.tiktok_listing_audit import audit_product
from channels_sync.sandbox.tiktok_listings import configure_listings
from channels_sync.services.publishing import (
    publication_push,
    publication_review,
    publication_save,
    publications_bulk,
)
from channels_sync.services.publishing_plan import plan_for
from tests.channels_sync.conftest import TIKTOK_SHOP_ID
from tests.channels_sync.publish_setup import (
    edit_product,
    publish,
    publish_input,
    push_processed,
    send,
    three_option_product,
)
from tests.inventory.factories import WarehouseFactory

pytestmark = pytest.mark.django_db
NAME = "Áo polo nam cổ bẻ vải cá sấu thoáng mát"  # TikTok: 25-255 characters
TIKTOK_INPUT = {
    "category_id": "601226",
    "category_path": "Thời trang nam > Áo > Áo polo",
    "brand_id": "7082427311584347905",
    "brand_name": "Coolmate",
    "attributes": (AttributeChoice("100392", ("1000059", "1000061")),),
}


@pytest.fixture
def shop(settings, tmp_path, tiktok_account):
    settings.MEDIA_ROOT = tmp_path
    tiktok_account.warehouse = WarehouseFactory()
    tiktok_account.save(update_fields=["warehouse"])
    return tiktok_account


def test_three_options_as_is_audited_rejected_then_edited_and_live(shop, tiktok_sandbox, run_jobs):
    configure_listings(tiktok_sandbox, audit="manual")
    product = three_option_product(name=NAME, stock={shop.warehouse_id: 7})
    draft = publication_save(
        product_id=product.pk,
        account_id=shop.pk,
        data=publish_input(product, **TIKTOK_INPUT),
        user_id=None,
    )
    # The plan: TikTok takes 3 sales attributes, so nothing is merged or split.
    plan = plan_for(draft, VariationLimits(3, 100, 100, 50, (25, 255)))
    assert (plan.mode, plan.problems, len(plan.listings)) == (PlanMode.AS_IS, (), 1)
    assert plan.listings[0].dimensions == (
        VariationDimension("Màu", ("Đỏ", "Xanh")),
        VariationDimension("Size", ("M", "L")),
        VariationDimension("Chất liệu", ("Cotton", "Linen")),
    )
    publication = send(run_jobs, draft)
    assert (publication.status, publication.error_code) == (PublicationStatus.IN_REVIEW, "")
    ((product_id, remote),) = tiktok_sandbox.products.items()
    assert publication.items == [
        {"item_id": product_id, "suffix": "", "state": "in_review", "reason": ""}
    ]
    assert remote.status == "PENDING"
    linked = {
        x.model_id: (x.variant.sku, x.linked_manually, x.platform_price, x.status, x.push_error)
        for x in Listing.objects.filter(account=shop).select_related("variant")
    }
    assert linked == {  # not for sale while audited: no stock push that TikTok would refuse
        s.sku_id: (s.seller_sku, True, Decimal(s.price), ListingStatus.INACTIVE, "")
        for s in remote.skus
    }
    assert tiktok_sandbox.call_count(f"/product/202309/products/{product_id}/inventory/update") == 0
    by_sku = {s.seller_sku: s for s in remote.skus}
    assert by_sku["POLO-X-L-L"].options == ["Xanh", "L", "Linen"]
    assert by_sku["POLO-X-L-L"].price == "269000"
    assert by_sku["POLO-X-L-L"].stock == {f"WH{TIKTOK_SHOP_ID[-4:]}01": 1}  # PENDING: no push yet

    audit_product(tiktok_sandbox, product_id, False, "Ảnh chính có chữ quảng cáo")
    with run_jobs():
        publication = publication_review(publication_id=publication.pk)
    assert publication.status == PublicationStatus.REJECTED
    assert publication.reject_reasons == ["Ảnh chính có chữ quảng cáo"]

    edit_product(
        product,
        name="Áo polo nam cổ bẻ vải cá sấu - ảnh mới",
        sku="POLO-D-M-C",
        price=Decimal("239000"),
    )
    configure_listings(tiktok_sandbox, audit="approve")
    with run_jobs():
        publication = publication_push(publication_id=publication.pk)
    assert (publication.error_code, publication.status) == ("", PublicationStatus.LIVE)
    assert (remote.title, remote.status) == ("Áo polo nam cổ bẻ vải cá sấu - ảnh mới", "ACTIVATE")
    assert by_sku["POLO-D-M-C"].price == "239000"
    assert len(remote.skus) == 8  # the edit never sent `skus`
    # Live now: for sale, and our stock (7 of each variant) replaced the create's quantity.
    statuses = set(Listing.objects.filter(account=shop).values_list("status", flat=True))
    assert statuses == {ListingStatus.ACTIVE}
    assert {s.seller_sku: sum(s.stock.values()) for s in remote.skus} == {
        v.sku: 7 for v in product.variants.all()
    }


def test_a_lost_answer_does_not_create_twice(shop, tiktok_sandbox, run_jobs):
    product = three_option_product(name=NAME, prefix="IDM")
    data = publish_input(product, **TIKTOK_INPUT)
    publication = publish(run_jobs, shop, product, data)
    first = publication.items[0]["item_id"]
    # As if the worker died before it stored the answer: the create is sent again, same key.
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.FAILED, items=[])
    Listing.objects.filter(account=shop).delete()
    publication = send(run_jobs, Publication.objects.get(pk=publication.pk))
    assert publication.items[0]["item_id"] == first
    assert list(tiktok_sandbox.products) == [first]
    assert tiktok_sandbox.call_count("/product/202309/products") == 2
    assert Listing.objects.filter(account=shop, item_id=first).count() == 8


def test_bulk_publish_gives_one_result_per_product(shop, tiktok_sandbox, run_jobs):
    good = three_option_product(name=NAME, prefix="BLK")
    other = three_option_product(name=f"{NAME} mẫu 2", prefix="BLL")
    short = three_option_product(name="Áo polo ngắn", prefix="BLS")
    with run_jobs():
        batch = publications_bulk(
            product_ids=[good.pk, other.pk, short.pk],
            account_id=shop.pk,
            data=publish_input(good, **TIKTOK_INPUT),
            max_images=9,
            user_id=None,
        )
    results = {
        p.product_id: (p.status, p.error_code)
        for p in Publication.objects.filter(batch=batch, account=shop)
    }
    assert results == {
        good.pk: (PublicationStatus.IN_REVIEW, ""),  # every create is audited
        other.pk: (PublicationStatus.IN_REVIEW, ""),
        short.pk: (PublicationStatus.FAILED, "12052051"),
    }
    assert len(tiktok_sandbox.products) == 2
    failed = Publication.objects.get(batch=batch, product=short)
    assert publish_error_text(failed.error_code, failed.error_message) == (
        "The product name does not meet the platform's rules (length or words). "
        "(title must have 25 to 255 characters.)"
    )


def test_the_audit_webhook_reads_the_review_at_once_and_pushes_stock(
    client, shop, tiktok_sandbox, run_jobs
):
    """TikTok's PRODUCT_STATUS_CHANGE webhook (type 5) makes the publication holding that
    product read its review now, not at the 10-minute sweep: live at once, stock pushed."""
    from django.urls import reverse

    from channels_sync.models import InboundPayload

    configure_listings(tiktok_sandbox, audit="manual")
    product = three_option_product(name=NAME, stock={shop.warehouse_id: 4})
    publication = publish(run_jobs, shop, product, publish_input(product, **TIKTOK_INPUT))
    assert publication.status == PublicationStatus.IN_REVIEW
    ((product_id, remote),) = tiktok_sandbox.products.items()

    audit_product(tiktok_sandbox, product_id, True, "")
    assert tiktok_sandbox.flush_webhooks(10)
    (delivery,) = [
        d
        for d in tiktok_sandbox.deliveries
        if json.loads(d.body).get("type") == 5 and d.attempt == 0
    ]
    response = client.post(
        reverse("channels_sync:webhook_tiktok"),
        data=delivery.body,
        content_type="application/json",
        headers={"Authorization": delivery.signature},
    )
    assert response.status_code == 200
    payload = InboundPayload.objects.get(external_id=product_id)
    payload = push_processed(run_jobs, payload)
    assert (payload.status, payload.detail) == ("applied", "review check queued (1)")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.LIVE
    assert set(Listing.objects.filter(account=shop).values_list("status", flat=True)) == {
        ListingStatus.ACTIVE
    }
    assert {s.seller_sku: sum(s.stock.values()) for s in remote.skus} == {
        v.sku: 4 for v in product.variants.all()
    }


def test_a_status_webhook_of_an_item_we_did_not_publish_is_ignored(client, shop, tiktok_sandbox):
    from channels_sync.models import InboundPayload
    from channels_sync.services.webhooks import webhook_process

    payload = InboundPayload.objects.create(
        account=shop,
        platform="tiktok",
        kind="webhook",
        external_id="1729000000000000001",
        body=json.dumps(
            {
                "type": 5,
                "tts_notification_id": "1",
                "shop_id": TIKTOK_SHOP_ID,
                "timestamp": 1644412885,
                "data": {"product_id": "1729000000000000001", "status": "ACTIVATE"},
            }
        ),
    )
    webhook_process(payload_id=payload.pk)
    payload.refresh_from_db()
    assert (payload.status, payload.detail) == ("ignored", "no publication holds this item")
