"""Listings: pull over real HTTP from the Shopee sandbox, SKU matching, links made by staff,
products created from unlinked listings, the listings selectors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.models import ChannelAccount, Listing, ListingStatus, RunStatus
from channels_sync.selectors.listings import (
    listing_counts,
    listing_search,
    listings_unmatched,
    push_error_text,
    variants_for_link,
)
from channels_sync.services.apply import payload_apply
from channels_sync.services.listings import (
    listing_link,
    listings_create_products,
    listings_link_bulk,
    listings_pull,
)
from channels_sync.services.stock_queue import queue_drain
from inventory.models import Product, Variant
from orders.models import Order
from tests.channels_sync.apply_helpers import shopee_line, shopee_order, store
from tests.channels_sync.stock_setup import (
    SHOP_ID,
    WarehouseFactory,
    connect_shop,
    listing_for,
    offline_shop,
    variant_with_stock,
)
from tests.inventory.factories import VariantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]


def _rows(account):
    return list(
        Listing.objects.filter(account=account)
        .order_by("item_id", "model_id")
        .values_list("model_id", "seller_sku", "variant_id", "status", "linked_manually")
    )


def test_pull_stores_items_and_models_and_links_by_sku(shopee_sandbox):
    account = connect_shop(shopee_sandbox)
    a, c = VariantFactory(sku="AO-DO-M"), VariantFactory(sku="Non-Ket")
    item, (m1, m2) = shopee_sandbox.add_item(
        SHOP_ID,
        "AO",
        "Áo thun",
        [
            {"model_sku": " ao-do-m ", "price": 150000, "stock": 7},
            {"model_sku": "AO-XANH-L", "price": 160000, "stock": 2, "reserved_promotion_stock": 1},
        ],
    )
    single, _ = shopee_sandbox.add_item(SHOP_ID, "NON-KET", "Nón kết", price=90000, stock=4)

    run = listings_pull(account_id=account.pk)

    assert (run.status, run.counts) == (
        RunStatus.SUCCEEDED,
        {"fetched": 3, "created": 3, "linked": 2},
    )
    assert run.api_calls == 3  # item list, base info of both items, models of the first
    rows = Listing.objects.filter(account=account).order_by("item_id", "model_id")
    assert [
        (
            x.item_id,
            x.model_id,
            x.seller_sku,
            x.variant_id,
            x.platform_stock,
            x.platform_price,
            x.promotion_reserve,
            x.status,
        )
        for x in rows
    ] == [
        (str(item), str(m1), "ao-do-m", a.pk, 7, Decimal("150000.00"), 0, "active"),
        (str(item), str(m2), "AO-XANH-L", None, 2, Decimal("160000.00"), 1, "active"),
        (str(single), "", "NON-KET", c.pk, 4, Decimal("90000.00"), 0, "active"),
    ]
    assert queue_drain(account_id=account.pk) == {}  # queued only after commit


def test_a_second_pull_keeps_staff_links_and_marks_vanished_listings(
    shopee_sandbox, django_capture_on_commit_callbacks
):
    account = connect_shop(shopee_sandbox)
    a, other = VariantFactory(sku="AO-1"), VariantFactory(sku="KHAC-1")
    item, (m1,) = shopee_sandbox.add_item(
        SHOP_ID, "AO", "Áo", [{"model_sku": "AO-1", "price": 1000, "stock": 1}]
    )
    gone, _ = shopee_sandbox.add_item(SHOP_ID, "KHAC-1", "Khác", price=1000, stock=1)
    listings_pull(account_id=account.pk)
    listing = Listing.objects.get(account=account, item_id=str(item))
    with django_capture_on_commit_callbacks(execute=True):
        listing_link(listing_id=listing.pk, variant_id=other.pk, user_id=None)
    assert set(queue_drain(account_id=account.pk)) == {other.pk}
    with shopee_sandbox.lock:  # the seller deletes the second item (no sandbox call for it)
        shopee_sandbox.items[gone].status = "SELLER_DELETE"

    run = listings_pull(account_id=account.pk)

    assert run.counts == {"fetched": 1, "updated": 1, "deleted": 1}
    assert _rows(account) == [
        (str(m1), "AO-1", other.pk, "active", True),  # the SKU rule left the staff link
        ("", "KHAC-1", other.pk, "deleted", False),
    ]
    assert a.listings.count() == 0


def test_staff_unlink_stays_unlinked():
    account = offline_shop()
    variant = VariantFactory(sku="AO-1")
    listing = listing_for(account, variant, 1)

    listing_link(listing_id=listing.pk, variant_id=None, user_id=None)

    from channels_sync.services.listings import listings_match

    assert listings_match(account_id=account.pk) == []
    listing.refresh_from_db()
    assert (listing.variant_id, listing.linked_manually) == (None, True)


def test_sku_rule_follows_a_renamed_sku():
    account = offline_shop()
    old, new = VariantFactory(sku="OLD-1"), VariantFactory(sku="NEW-1")
    listing = listing_for(account, old, 1)
    Listing.objects.filter(pk=listing.pk).update(seller_sku="new-1", pushed_stock=4)

    from channels_sync.services.listings import listings_match

    assert listings_match(account_id=account.pk) == [("new-1", new.pk)]
    listing.refresh_from_db()
    assert (listing.variant_id, listing.pushed_stock) == (new.pk, None)


def test_link_bulk_changes_only_the_shops_listings_and_real_variants():
    shop, other_shop = offline_shop(), offline_shop(code="shopee-2", shop_id="2")
    v1, v2 = VariantFactory(), VariantFactory()
    mine = [listing_for(shop, None, n, seller_sku=f"X-{n}") for n in (1, 2, 3)]
    theirs = listing_for(other_shop, None, 9, seller_sku="X-9")

    changed = listings_link_bulk(
        account_id=shop.pk,
        links={mine[0].pk: v1.pk, mine[1].pk: 999999, theirs.pk: v2.pk, mine[2].pk: v2.pk},
        user_id=None,
    )

    assert changed == 2
    assert list(
        Listing.objects.order_by("item_id").values_list("item_id", "variant_id", "linked_manually")
    ) == [("1", v1.pk, True), ("2", None, False), ("3", v2.pk, True), ("9", None, False)]


def test_create_products_from_unlinked_listings():
    account = offline_shop()
    ours = VariantFactory(sku="CO-SAN")
    shirt = [
        listing_for(
            account,
            None,
            10,
            model,
            seller_sku=sku,
            name="Áo thun - " + sku,
            platform_price=Decimal(price),
        )
        for model, sku, price in ((1, "AT-DO", "150000"), (2, "AT-XANH", "155000"))
    ]
    known = listing_for(account, None, 11, seller_sku="co-san", name="Có sẵn")
    no_sku = listing_for(account, None, 12, seller_sku="", name="Không mã")
    before = Product.objects.count()

    linked = listings_create_products(
        listing_ids=[x.pk for x in (*shirt, known, no_sku)], user_id=None
    )

    assert linked == 3
    assert Product.objects.count() == before + 1
    product = Product.objects.latest("pk")
    assert product.name == "Áo thun - AT-DO"
    assert list(
        product.variants.order_by("sku").values_list("sku", "option1", "sale_price", "cost_price")
    ) == [
        ("AT-DO", "AT-DO", Decimal("150000"), Decimal("0")),
        ("AT-XANH", "AT-XANH", Decimal("155000"), Decimal("0")),
    ]
    new = {v.sku: v.pk for v in product.variants.all()}
    assert list(
        Listing.objects.order_by("item_id", "model_id").values_list("variant_id", "linked_manually")
    ) == [(new["AT-DO"], True), (new["AT-XANH"], True), (ours.pk, True), (None, False)]


def test_create_products_leaves_an_invalid_sku_unlinked():
    account = offline_shop()
    bad = listing_for(account, None, 10, seller_sku="áo có dấu", name="Áo")
    before = Variant.objects.count()

    assert listings_create_products(listing_ids=[bad.pk], user_id=None) == 0

    assert Variant.objects.count() == before
    bad.refresh_from_db()
    assert bad.variant_id is None


def test_selectors():
    shop, empty = offline_shop(), offline_shop(code="shopee-2", shop_id="2")
    variant = variant_with_stock(WarehouseFactory(), 0, sku="AO-THUN-1")
    linked = listing_for(shop, variant, 1, name="Áo thun", push_error="promotion_floor:5")
    free = listing_for(shop, None, 2, seller_sku="QUAN-1", name="Quần")
    listing_for(shop, None, 3, seller_sku="OLD", status=ListingStatus.DELETED)

    assert listing_counts(account_ids=[shop.pk, empty.pk]) == {
        shop.pk: {"total": 2, "linked": 1, "unlinked": 1, "push_errors": 1, "deleted": 1},
        empty.pk: {"total": 0, "linked": 0, "unlinked": 0, "push_errors": 0, "deleted": 0},
    }
    assert list(listings_unmatched(account_id=shop.pk)) == [free]
    assert list(listing_search(account_id=shop.pk, q="THUN")) == [linked]
    assert list(listing_search(account_id=shop.pk, q="2")) == [free]
    assert list(listing_search(account_id=shop.pk, push_errors=True)) == [linked]
    assert [x.item_id for x in listing_search(account_id=shop.pk, status="deleted")] == ["3"]
    assert variants_for_link(q="ao-thun-1") == [variant]
    assert variants_for_link(q="  ") == []
    assert push_error_text(linked) == "The platform holds 5 units for a promotion; it refused less."
    free.push_error = "Model is not found."
    assert push_error_text(free) == "Model is not found."


def test_a_staff_link_reapplies_the_orders_waiting_for_that_sku(
    make_user, django_capture_on_commit_callbacks
):
    warehouse = WarehouseFactory()
    account = offline_shop()
    ChannelAccount.objects.filter(pk=account.pk).update(warehouse=warehouse)
    trousers = variant_with_stock(warehouse, 5, sku="QUAN-KAKI-XL")
    body = shopee_order("251201Q00001", lines=[shopee_line("QUAN-XL", 2, 99000)])
    payload = payload_apply(payload_id=store(account, body).pk)
    assert (payload.status, payload.reason) == ("quarantined", "unknown_sku")
    listing = Listing.objects.filter(account=account, item_id="1001", model_id="2001").first()
    listing = listing or listing_for(account, None, 1001, 2001, seller_sku="QUAN-XL")
    staff = make_user("manager")

    with django_capture_on_commit_callbacks(execute=True):
        listing_link(listing_id=listing.pk, variant_id=trousers.pk, user_id=staff.pk)

    payload.refresh_from_db()
    assert (payload.status, payload.applied_by_id) == ("applied", staff.pk)
    order = Order.objects.get(external_number="251201Q00001")
    assert list(order.lines.values_list("sku", "quantity")) == [("QUAN-KAKI-XL", 2)]
    assert set(queue_drain(account_id=account.pk)) == {trousers.pk}
