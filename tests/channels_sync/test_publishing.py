"""Publishing services over real HTTP against the Shopee sandbox: a 3-option product merged
(or split) per the plan and linked to our variants at once, a rejected review with its reason,
a failure that resumes without creating the item twice, and "push changes"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.models import Listing, Publication, PublicationStatus
from channels_sync.sandbox.shopee_items import review_item
from channels_sync.services.publishing import (
    PublishError,
    publication_push,
    publication_queue,
    publication_review,
    publication_save,
    publication_send,
    send_lock_name,
)
from common.cache import cache_lock
from tests.channels_sync.publish_setup import (
    edit_product,
    publish,
    publish_input,
    send,
    three_option_product,
)
from tests.inventory.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(shopee_shop_to_publish):
    return shopee_shop_to_publish


def test_three_options_merged_into_two_tiers_and_linked(shop, shopee_sandbox, run_jobs):
    product = three_option_product()
    draft = publication_save(
        product_id=product.pk, account_id=shop.pk, data=publish_input(product), user_id=None
    )
    assert draft.status == PublicationStatus.DRAFT
    publication = send(run_jobs, draft)
    assert (publication.status, publication.error_code) == (PublicationStatus.LIVE, "")
    ((item_id, item),) = shopee_sandbox.items.items()
    assert publication.items == [
        {"item_id": str(item_id), "suffix": "", "state": "live", "reason": ""}
    ]
    assert item.extra["tier_variation"] == [
        {
            "name": "Màu / Size",
            "option_list": [
                {"option": "Đỏ / M"},
                {"option": "Đỏ / L"},
                {"option": "Xanh / M"},
                {"option": "Xanh / L"},
            ],
        },
        {"name": "Chất liệu", "option_list": [{"option": "Cotton"}, {"option": "Linen"}]},
    ]
    assert len(publication.uploaded) == 2
    assert item.extra["image_id_list"] == [
        publication.uploaded[str(pk)] for pk in publication.image_ids
    ]
    linked = {
        (x.item_id, x.model_id): (x.variant.sku, x.linked_manually, x.platform_price)
        for x in Listing.objects.filter(account=shop).select_related("variant")
    }
    assert linked == {
        (str(item_id), str(m.model_id)): (m.model_sku, True, Decimal(m.price)) for m in item.models
    }
    assert sorted(v.sku for v in product.variants.all()) == sorted(m.model_sku for m in item.models)
    by_sku = {m.model_sku: m for m in item.models}
    assert by_sku["POLO-X-L-L"].tier_index == [3, 1]
    assert by_sku["POLO-X-L-L"].price == 269000


def test_our_stock_reaches_the_new_models_through_the_push_rules(shop, shopee_sandbox, run_jobs):
    warehouse = WarehouseFactory()
    shop.warehouse = warehouse
    shop.save(update_fields=["warehouse"])
    product = three_option_product(prefix="STK", stock={warehouse.pk: 7})
    publication = publish(run_jobs, shop, product)
    item = shopee_sandbox.items[int(publication.items[0]["item_id"])]
    assert {m.model_sku: m.stock for m in item.models} == {
        v.sku: {"": 7} for v in product.variants.all()
    }


def test_a_send_held_by_another_worker_does_nothing(shop, shopee_sandbox, settings):
    product = three_option_product(prefix="LCK")
    publication = publication_save(
        product_id=product.pk, account_id=shop.pk, data=publish_input(product), user_id=None
    )
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.SENDING)
    with cache_lock(send_lock_name(publication.pk)):  # another worker is sending it
        assert publication_send(publication_id=publication.pk).status == PublicationStatus.SENDING
        assert shopee_sandbox.call_count("/api/v2/product/add_item") == 0
    assert publication_send(publication_id=publication.pk).status == PublicationStatus.LIVE


def test_split_per_material_makes_two_items(shop, shopee_sandbox, run_jobs):
    product = three_option_product(prefix="SPL")
    data = publish_input(product, plan={"mode": "split", "split_on": 2})
    publication = publish(run_jobs, shop, product, data)
    assert publication.status == PublicationStatus.LIVE
    items = sorted(shopee_sandbox.items.values(), key=lambda x: x.item_id)
    assert [(x.name, len(x.models)) for x in items] == [
        ("Áo polo nam cổ bẻ Cotton", 4),
        ("Áo polo nam cổ bẻ Linen", 4),
    ]
    assert [r["suffix"] for r in publication.items] == ["Cotton", "Linen"]
    assert Listing.objects.filter(account=shop, variant__product=product).count() == 8
    assert items[1].extra["tier_variation"][0] == {
        "name": "Màu",
        "option_list": [{"option": "Đỏ"}, {"option": "Xanh"}],
    }


def test_rejected_review_keeps_the_reason(shop, shopee_sandbox, run_jobs):
    shopee_sandbox.publishing.review = "review"
    product = three_option_product(prefix="REV")
    publication = publish(run_jobs, shop, product)
    assert publication.status == PublicationStatus.IN_REVIEW
    item_id = int(publication.items[0]["item_id"])
    review_item(shopee_sandbox, item_id, approve=False, reason="Ảnh bìa có chữ (watermark)")
    publication = publication_review(publication_id=publication.pk)
    assert publication.status == PublicationStatus.REJECTED
    assert publication.reject_reasons == ["Ảnh bìa có chữ (watermark)"]


def test_failure_is_recorded_and_send_again_resumes(shop, shopee_sandbox, run_jobs):
    shopee_sandbox.publishing.option_limit = 3  # "Màu / Size" has 4 options: refused
    product = three_option_product(prefix="RES")
    publication = publish(run_jobs, shop, product)
    assert (publication.status, publication.error_code) == (
        PublicationStatus.FAILED,
        "error_tier_opt_too_many",
    )
    ((item_id, _item),) = shopee_sandbox.items.items()
    assert publication.items[0]["item_id"] == str(item_id)
    assert Listing.objects.filter(account=shop).count() == 0
    shopee_sandbox.publishing.option_limit = 20
    with run_jobs():
        assert publication_queue(publication_id=publication.pk) is True
        with pytest.raises(PublishError):  # not while it is being sent
            publication_save(
                product_id=product.pk, account_id=shop.pk, data=publish_input(product), user_id=None
            )
    publication.refresh_from_db()
    assert (publication.status, publication.error_code) == (PublicationStatus.LIVE, "")
    assert list(shopee_sandbox.items) == [item_id]  # finished, not created again
    assert shopee_sandbox.call_count("/api/v2/product/add_item") == 1
    assert Listing.objects.filter(account=shop, item_id=str(item_id)).count() == 8


def test_missing_images_fail_before_any_item(shop, shopee_sandbox, run_jobs):
    product = three_option_product(prefix="NOI", images=0)
    publication = publish(run_jobs, shop, product)
    assert (publication.status, publication.error_code) == (PublicationStatus.FAILED, "no_images")
    assert shopee_sandbox.items == {}


def test_push_changes_sends_name_and_prices(shop, shopee_sandbox, run_jobs):
    product = three_option_product(prefix="PSH")
    publication = publish(run_jobs, shop, product)
    edit_product(product, name="Áo polo nam cổ bẻ 2026", sku="PSH-D-M-C", price=Decimal("239000"))
    publication = publication_push(publication_id=publication.pk)
    assert (publication.error_code, publication.pushed_at is not None) == ("", True)
    item = shopee_sandbox.items[int(publication.items[0]["item_id"])]
    prices = {m.model_sku: m.price for m in item.models}
    assert (item.name, prices["PSH-D-M-C"], prices["PSH-X-L-L"]) == (
        "Áo polo nam cổ bẻ 2026",
        239000,
        269000,
    )


def test_the_beat_job_reads_reviews_that_ended(shop, shopee_sandbox, run_jobs):
    from channels_sync.sandbox.shopee_listings import REVIEW_REASON
    from channels_sync.tasks_publishing import review_publications_all

    shopee_sandbox.publishing.review = "reject"  # rejected at the first read after 0 s
    product = three_option_product(prefix="BEAT")
    publication = publish(run_jobs, shop, product)
    assert publication.status == PublicationStatus.IN_REVIEW
    assert review_publications_all.run() == 1
    publication.refresh_from_db()
    assert (publication.status, publication.reject_reasons) == (
        PublicationStatus.REJECTED,
        [REVIEW_REASON],
    )
    assert review_publications_all.run() == 0  # nothing in review any more


def test_an_error_on_our_side_fails_the_publication_instead_of_leaving_it_sending(
    shop, shopee_sandbox
):
    product = three_option_product(prefix="GONE")
    image = product.images.order_by("position").first()
    image.image.storage.delete(image.image.name)  # the file went missing from the media store
    publication = publication_save(
        product_id=product.pk, account_id=shop.pk, data=publish_input(product), user_id=None
    )
    assert publication_queue(publication_id=publication.pk) is True
    with pytest.raises(FileNotFoundError):
        publication_send(publication_id=publication.pk)
    publication.refresh_from_db()
    assert (publication.status, publication.error_code, publication.items) == (
        PublicationStatus.FAILED,
        "internal",
        [],
    )
    assert shopee_sandbox.items == {}
