"""ShopeePublisher over real HTTP against the Shopee sandbox: the category tree, attributes,
brands, image upload (multipart), add_item + init_tier_variation, update_item, the review
step with its reason, and the documented errors; and the pure variation plan."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.adapters.base import PermanentError
from channels_sync.adapters.publishing import (
    AttributeChoice,
    AttributeInput,
    ListingChanges,
    ListingDraft,
    ListingVariant,
    OptionAxis,
    PlanMode,
    PlatformBrand,
    ReviewState,
    ReviewStatus,
    VariationDimension,
    VariationLimits,
    plan_variations,
    publisher_for,
)
from channels_sync.adapters.shopee_publish import ShopeePublisher
from channels_sync.sandbox.shopee_items import review_item
from tests.channels_sync.publish_setup import listing_draft, png
from tests.channels_sync.test_shopee_adapter_http import connect, sent

SHOPEE_LIMITS = VariationLimits(2, 50, 20, 20)


@pytest.fixture
def publisher(shopee_sandbox) -> ShopeePublisher:
    shopee_sandbox.publishing.tier_delay = 0.2
    found = publisher_for(connect(shopee_sandbox))
    assert isinstance(found, ShopeePublisher)
    found.step_delay = 0.25
    return found


SHOPEE_DRAFT = {
    "title": "Áo thun cotton cổ tròn",
    "description": "Áo thun 100% cotton, form regular, giặt máy nước lạnh.",
    "category_id": "100111",
    "brand": None,
    "attributes": (AttributeChoice("100134", ("7001",)),),
    "dimensions": (
        VariationDimension("Màu", ("Đỏ", "Xanh")),
        VariationDimension("Size", ("M", "L")),
    ),
    "variants": tuple(
        ListingVariant(f"{n}", f"AO-{c}-{s}", (c, s), Decimal("199000"), 0)
        for n, (c, s) in enumerate([("Đỏ", "M"), ("Đỏ", "L"), ("Xanh", "M"), ("Xanh", "L")])
    ),
}


def draft(publisher: ShopeePublisher, **changes) -> ListingDraft:
    return listing_draft(publisher, png(), **(SHOPEE_DRAFT | changes))


def test_category_tree_attributes_and_brands(shopee_sandbox, publisher):
    tree = publisher.categories()
    leaves = [(c.category_id, c.path) for c in tree if c.leaf]
    assert leaves == [
        ("100021", "Nhà Cửa & Đời Sống > Dụng cụ nhà bếp"),
        ("100022", "Nhà Cửa & Đời Sống > Vũ khí"),
        ("100012", "Thời Trang Nam > Quần"),
        ("100112", "Thời Trang Nam > Áo > Áo sơ mi"),
        ("100111", "Thời Trang Nam > Áo > Áo thun"),
    ]
    attrs = publisher.category_attributes(category_id="100111")
    assert [(a.attribute_id, a.mandatory, a.input, a.units) for a in attrs] == [
        ("100134", True, AttributeInput.SELECT, ()),
        ("100155", False, AttributeInput.TEXT, ()),
        ("100210", False, AttributeInput.TEXT, ("g/m2", "oz")),
    ]
    assert [v.name for v in attrs[0].values] == ["Cotton", "Polyester", "Linen"]
    brands = publisher.brands(category_id="100111")
    assert [b.name for b in brands.brands] == ["Coolmate", "Routine", "Yame"]
    assert (brands.mandatory, brands.no_brand) == (False, PlatformBrand("0", "No Brand"))
    shopee_sandbox.publishing.brand_mandatory = True
    assert publisher.brands(category_id="100111").no_brand is None
    assert publisher.variation_limits(category_id="100111") == VariationLimits(
        2, 50, 20, 20, (10, 120), 9
    )


def test_image_upload_is_multipart_and_returns_an_id(shopee_sandbox, publisher):
    image = publisher.upload_image(filename="a.png", content=png())
    assert image.image_id in shopee_sandbox.publishing.images
    assert image.url == f"{shopee_sandbox.base_url}/file/{image.image_id}"
    with pytest.raises(PermanentError) as error:
        publisher.upload_image(filename="a.txt", content=b"not an image")
    assert error.value.code == "error_file"


def test_create_two_tiers_links_every_variant_to_a_model(shopee_sandbox, publisher):
    created = publisher.create_listing(draft(publisher))
    item = shopee_sandbox.items[int(created.item_id)]
    assert created.state == ReviewState.LIVE
    assert item.extra["tier_variation"] == [
        {"name": "Màu", "option_list": [{"option": "Đỏ"}, {"option": "Xanh"}]},
        {"name": "Size", "option_list": [{"option": "M"}, {"option": "L"}]},
    ]
    models = {m.model_sku: (m.model_id, m.tier_index) for m in item.models}
    assert [(v.key, v.seller_sku, v.model_id) for v in created.variants] == [
        (str(n), sku, str(models[sku][0]))
        for n, sku in enumerate(["AO-Đỏ-M", "AO-Đỏ-L", "AO-Xanh-M", "AO-Xanh-L"])
    ]
    assert models["AO-Xanh-M"][1] == [1, 0]
    ((_params, body),) = sent(shopee_sandbox, "product/add_item")
    assert body["weight"] == 0.3
    assert body["logistic_info"] == [
        {"logistic_id": 50011, "enabled": True},
        {"logistic_id": 50012, "enabled": True},
    ]
    assert body["brand"] == {"brand_id": 0, "original_brand_name": "No Brand"}
    assert "item_sku" not in body


def test_add_item_errors_are_the_documented_ones(shopee_sandbox, publisher):
    cases = [
        ({"attributes": ()}, "error_less_required_attribute"),
        ({"category_id": "100011"}, "error_param"),
        ({"category_id": "100022"}, "error_category_is_block"),
        ({"title": "Áo"}, "error_item_name_is_too_short"),
        ({"weight_grams": 0}, "error_param"),
        ({"image_ids": ("nope",)}, "error_param"),
    ]
    for changes, code in cases:
        with pytest.raises(PermanentError) as error:
            publisher.create_listing(draft(publisher, **changes))
        assert error.value.code == code, changes
    assert shopee_sandbox.items == {}


def test_three_tiers_are_refused_and_the_item_is_reported(shopee_sandbox, publisher):
    dims = (
        VariationDimension("A", ("1",)),
        VariationDimension("B", ("2",)),
        VariationDimension("C", ("3",)),
    )
    variants = (ListingVariant("9", "X-1", ("1", "2", "3"), Decimal("150000")),)
    with pytest.raises(PermanentError) as error:
        publisher.create_listing(draft(publisher, dimensions=dims, variants=variants))
    assert error.value.message == "The level of tier-variation over 2."
    assert error.value.item_id == str(next(iter(shopee_sandbox.items)))  # type: ignore[attr-defined]


def test_review_rejected_with_reason_and_update(shopee_sandbox, publisher):
    shopee_sandbox.publishing.review = "review"
    single = (ListingVariant("5", "MUG-1", (), Decimal("89000"), 4),)
    created = publisher.create_listing(draft(publisher, dimensions=(), variants=single))
    assert created.state == ReviewState.IN_REVIEW
    assert created.variants[0].model_id == ""
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.IN_REVIEW, "")
    ]
    review_item(shopee_sandbox, int(created.item_id), approve=False, reason="Ảnh mờ")
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.REJECTED, "Ảnh mờ")
    ]
    publisher.update_listing(
        item_id=created.item_id,
        changes=ListingChanges(title="Cốc sứ trắng 350ml mới", prices={"": Decimal("95000")}),
    )
    item = shopee_sandbox.items[int(created.item_id)]
    assert (item.name, item.models[0].price) == ("Cốc sứ trắng 350ml mới", 95000)


def test_plan_three_options_merge_or_split():
    axes = [
        OptionAxis("Màu", ("Đỏ", "Xanh")),
        OptionAxis("Size", ("S", "M", "L")),
        OptionAxis("Chất liệu", ("Cotton", "Linen")),
    ]
    variants = [
        (f"{c}{s}{m}", (c, s, m))
        for c in axes[0].values
        for s in axes[1].values
        for m in axes[2].values
    ]
    plan = plan_variations(axes=axes, variants=variants, limits=SHOPEE_LIMITS)
    assert (plan.mode, plan.merged, plan.problems) == (PlanMode.MERGE, (0, 2), ())
    (listing,) = plan.listings
    assert listing.dimensions[0] == VariationDimension(
        "Màu / Chất liệu", ("Đỏ / Cotton", "Đỏ / Linen", "Xanh / Cotton", "Xanh / Linen")
    )
    assert listing.variants[0] == ("ĐỏSCotton", ("Đỏ / Cotton", "S"))
    split = plan_variations(
        axes=axes, variants=variants, limits=SHOPEE_LIMITS, mode=PlanMode.SPLIT, split_on=2
    )
    assert [(x.title_suffix, len(x.variants)) for x in split.listings] == [
        ("Cotton", 6),
        ("Linen", 6),
    ]
    tight = VariationLimits(2, 50, 20, 7)  # every merged pair has an option over 7 characters
    assert plan_variations(axes=axes, variants=variants, limits=tight).mode == PlanMode.SPLIT
    forced = plan_variations(
        axes=axes, variants=variants, limits=tight, mode=PlanMode.MERGE, merged=(0, 2)
    )
    assert forced.problems == ("option_too_long",)


def test_control_api_sets_publishing_options_and_ends_reviews(shopee_sandbox, publisher):
    import requests

    base = f"{shopee_sandbox.base_url}/_sandbox"
    answer = requests.post(f"{base}/publishing", json={"review": "review"}, timeout=5)
    assert answer.json() == {"ok": True}
    assert requests.post(f"{base}/publishing", json={"nope": 1}, timeout=5).status_code == 400
    single = (ListingVariant("5", "MUG-2", (), Decimal("89000"), 4),)
    created = publisher.create_listing(draft(publisher, dimensions=(), variants=single))
    assert created.state == ReviewState.IN_REVIEW
    body = {"item_id": int(created.item_id), "approve": True}
    assert requests.post(f"{base}/review_item", json=body, timeout=5).json() == {"ok": True}
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.LIVE, "")
    ]
