"""TikTokPublisher over real HTTP against the TikTok sandbox (which checks every signature):
categories with permissions, attributes (`is_requried`), paged brands, the shop's warehouse,
the multipart image upload, the create body of 7.3.2 with 3 sales attributes, the idempotency
key, the documented create errors, the audit with its reason, and partial_edit + prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from channels_sync.adapters.base import PermanentError
from channels_sync.adapters.publishing import (
    AttributeChoice,
    AttributeInput,
    AttributeValue,
    ListingChanges,
    ListingDraft,
    ListingVariant,
    PlatformBrand,
    ReviewState,
    ReviewStatus,
    VariationDimension,
    VariationLimits,
    publisher_for,
)
from channels_sync.adapters.tiktok_publish import TikTokPublisher, description_html
from channels_sync.sandbox.tiktok_listing_audit import audit_product
from channels_sync.sandbox.tiktok_listings import configure_listings, listings_state
from tests.channels_sync.publish_setup import listing_draft, png
from tests.channels_sync.test_tiktok_adapter_http import SHOP, connect, sent

CREATE = "/product/202309/products"
COLOURS, SIZES, MATERIALS = ("Đỏ", "Xanh"), ("M", "L"), ("Cotton", "Linen")
SQUARE = (600, 600)  # TikTok: images of 600 x 600 px at least


@pytest.fixture
def publisher(tiktok_sandbox) -> TikTokPublisher:
    found = publisher_for(connect(tiktok_sandbox, warehouses=["WH01", "WH02"]))
    assert isinstance(found, TikTokPublisher)
    return found


def three_options() -> tuple[tuple[VariationDimension, ...], tuple[ListingVariant, ...]]:
    dims = (
        VariationDimension("Màu", COLOURS),
        VariationDimension("Size", SIZES),
        VariationDimension("Chất liệu", MATERIALS),
    )
    variants = tuple(
        ListingVariant(
            str(100 + n),
            f"POLO-{c[0]}-{s}-{m[0]}",
            (c, s, m),
            Decimal("249000") + (Decimal("20000") if m == "Linen" else 0),
            n % 3,
        )
        for n, (c, s, m) in enumerate((c, s, m) for c in COLOURS for s in SIZES for m in MATERIALS)
    )
    return dims, variants


TIKTOK_DRAFT = {
    "title": "Áo polo nam cổ bẻ vải cá sấu thoáng mát",
    "description": "Áo polo vải cá sấu.\nThấm hút mồ hôi & form regular.",
    "category_id": "601226",
    "brand": PlatformBrand("7082427311584347905", "Coolmate"),
    "attributes": (
        AttributeChoice("100392", ("1000059",)),
        AttributeChoice("100401", (), "Hè"),
    ),
}


def draft(publisher: TikTokPublisher, **changes) -> ListingDraft:
    dims, variants = three_options()
    values = TIKTOK_DRAFT | {"dimensions": dims, "variants": variants} | changes
    return listing_draft(publisher, png(SQUARE), **values)


def test_categories_attributes_brands_and_limits(tiktok_sandbox, publisher):
    leaves = [(c.category_id, c.path) for c in publisher.categories() if c.leaf]
    assert leaves == [
        ("700439", "Nhà cửa & Đời sống > Bình giữ nhiệt"),
        ("700437", "Nhà cửa & Đời sống > Cốc & Ly"),
        ("700440", "Nhà cửa & Đời sống > Khăn & Vải"),
        ("700438", "Nhà cửa & Đời sống > Nồi & Chảo"),
        ("601226", "Thời trang nam > Áo > Áo polo"),
        ("601227", "Thời trang nam > Áo > Áo thun"),
    ]  # "Quần jeans" is a leaf but INVITE_ONLY: not offered
    attrs = publisher.category_attributes(category_id="601226")
    assert [(a.attribute_id, a.name, a.mandatory, a.input, a.max_values) for a in attrs] == [
        ("100392", "Chất liệu", True, AttributeInput.MULTI_SELECT, 3),
        ("100401", "Mùa", False, AttributeInput.TEXT, 1),
        ("100398", "Phong cách", False, AttributeInput.SELECT_OR_TEXT, 1),
    ]  # the sales attributes (colour, size) are not product attributes
    assert attrs[0].values[0] == AttributeValue("1000059", "Cotton")
    brands = publisher.brands(category_id="601226")
    assert [b.name for b in brands.brands] == ["Coolmate", "Routine", "Yame"]
    assert (brands.mandatory, brands.no_brand) == (False, PlatformBrand("0", "No brand"))
    assert publisher.variation_limits(category_id="601226") == VariationLimits(
        3, 100, 100, 50, (25, 255), 9
    )
    assert publisher.warehouse() == "WH01"
    with pytest.raises(PermanentError) as error:
        publisher.category_attributes(category_id="999")
    assert error.value.code == "12052023"
    params, _body = sent(tiktok_sandbox, "/product/202309/brands")[0]
    assert (params["page_size"], params["category_id"]) == (["100"], ["601226"])


def test_brands_are_paged_with_the_token(tiktok_sandbox, publisher, monkeypatch):
    many = tuple((str(7000 + n), f"Brand {n:03}") for n in range(150))
    monkeypatch.setattr("channels_sync.sandbox.tiktok_listings.BRANDS", many)  # sandbox data
    found = publisher.brands(category_id="601226")
    assert [b.brand_id for b in found.brands] == [b for b, _n in many]
    pages = sent(tiktok_sandbox, "/product/202309/brands")
    assert [p.get("page_token", [""])[0] != "" for p, _b in pages] == [False, True]


def test_image_upload_is_multipart_unsigned_body_without_cipher(tiktok_sandbox, publisher):
    image = publisher.upload_image(filename="a.png", content=png(SQUARE))
    stored = listings_state(tiktok_sandbox).images[image.image_id]
    assert (stored.width, stored.height, stored.use_case) == (600, 600, "MAIN_IMAGE")
    assert image.url == f"{tiktok_sandbox.base_url}/img/{image.image_id}"
    params, body = sent(tiktok_sandbox, "/product/202309/images/upload")[0]
    assert "shop_cipher" not in params
    assert body["use_case"] == "MAIN_IMAGE"
    for content in (b"not an image", png((200, 200))):
        with pytest.raises(PermanentError) as error:
            publisher.upload_image(filename="a.png", content=content)
        assert error.value.code == "12052300"
    assert len(listings_state(tiktok_sandbox).images) == 1


def test_create_three_sales_attributes_links_every_variant(tiktok_sandbox, publisher):
    listing = draft(publisher)
    created = publisher.create_listing(listing)
    product = tiktok_sandbox.products[created.item_id]
    assert (created.state, product.status) == (ReviewState.IN_REVIEW, "PENDING")
    by_sku = {s.seller_sku: s for s in product.skus}
    assert [(v.key, v.seller_sku, v.model_id) for v in created.variants] == [
        (v.key, v.seller_sku, by_sku[v.seller_sku].sku_id) for v in listing.variants
    ]
    assert by_sku["POLO-X-L-L"].options == ["Xanh", "L", "Linen"]
    assert by_sku["POLO-X-L-L"].price == "269000"
    ((params, body),) = sent(tiktok_sandbox, CREATE)
    assert params["shop_cipher"] == [tiktok_sandbox.shops[SHOP].cipher]
    assert (
        body["description"]
        == "<p>Áo polo vải cá sấu.</p><p>Thấm hút mồ hôi &amp; form regular.</p>"
    )
    assert body["package_weight"] == {"value": "0.3", "unit": "KILOGRAM"}
    assert body["package_dimensions"] == {
        "length": "30",
        "width": "20",
        "height": "3",
        "unit": "CENTIMETER",
    }
    assert body["product_attributes"] == [
        {"id": "100392", "values": [{"id": "1000059"}]},
        {"id": "100401", "values": [{"name": "Hè"}]},
    ]
    assert (body["brand_id"], body["category_version"], body["save_mode"]) == (
        "7082427311584347905",
        "v1",
        "LISTING",
    )
    assert body["skus"][0] == {
        "external_sku_id": "100",
        "sales_attributes": [
            {"name": "Màu", "value_name": "Đỏ"},
            {"name": "Size", "value_name": "M"},
            {"name": "Chất liệu", "value_name": "Cotton"},
        ],
        "price": {"amount": "249000", "currency": "VND"},
        "inventory": [{"warehouse_id": "WH01", "quantity": 1}],  # stock 0 -> the floor 1
        "seller_sku": "POLO-Đ-M-C",
    }
    assert [s["inventory"][0]["quantity"] for s in body["skus"][:3]] == [1, 1, 2]
    assert len(body["idempotency_key"]) == 36
    assert body["idempotency_key"][14] == "4"


def test_a_retried_create_gets_the_first_product_back(tiktok_sandbox, publisher):
    listing = draft(publisher)
    first = publisher.create_listing(listing)
    again = publisher.create_listing(listing)  # the answer to the first was "lost"
    assert again.item_id == first.item_id
    assert again.variants == first.variants
    assert len(tiktok_sandbox.products) == 1
    keys = [body["idempotency_key"] for _p, body in sent(tiktok_sandbox, CREATE)]
    assert keys[0] == keys[1]
    other = publisher.create_listing(draft(publisher, title=listing.title + " mới"))
    assert other.item_id != first.item_id


def test_skus_without_a_usable_seller_sku_are_matched_by_our_id(tiktok_sandbox, publisher):
    dims = (VariationDimension("Dung tích", ("350ml", "500ml")),)
    variants = (
        ListingVariant("7", "CUP 350", ("350ml",), Decimal("89000"), 3),  # a space: not sent
        ListingVariant("8", "CUP-500", ("500ml",), Decimal("99000"), 3),
    )
    created = publisher.create_listing(
        draft(
            publisher,
            category_id="700437",
            attributes=(AttributeChoice("100520", (), "350", "ml"),),
            brand=None,
            dimensions=dims,
            variants=variants,
        )
    )
    product = tiktok_sandbox.products[created.item_id]
    ids = {s.options[0]: s.sku_id for s in product.skus}
    assert [(v.key, v.seller_sku, v.model_id) for v in created.variants] == [
        ("7", "CUP 350", ids["350ml"]),
        ("8", "CUP-500", ids["500ml"]),
    ]
    _params, body = sent(tiktok_sandbox, CREATE)[0]
    assert "seller_sku" not in body["skus"][0]
    assert "brand_id" not in body
    assert body["product_attributes"] == [{"id": "100520", "values": [{"name": "350 ml"}]}]
    assert tiktok_sandbox.call_count(f"/product/202309/products/{created.item_id}") == 1


def test_create_errors_are_the_documented_ones(tiktok_sandbox, publisher):
    dims, variants = three_options()
    four = (*dims, VariationDimension("Kiểu", ("A",)))
    same = ListingVariant("9", "DUP-1", variants[0].options, Decimal("249000"))
    cheap = ListingVariant("1", "P-1", variants[0].options, Decimal("0.5"))
    cases = [
        ({"title": "Áo polo ngắn"}, "12052051"),
        ({"category_id": "601153"}, "12052024"),
        ({"category_id": "601302"}, "12052220"),
        ({"category_id": "1"}, "12052023"),
        ({"attributes": ()}, "12052104"),
        ({"attributes": (AttributeChoice("100392", (), "Lụa"),)}, "12052247"),
        ({"attributes": (AttributeChoice("100392", ("42",)),)}, "12052240"),
        ({"weight_grams": 0}, "12052181"),
        ({"image_ids": ("nope",)}, "12052300"),
        (
            {
                "dimensions": four,
                "variants": tuple(
                    ListingVariant(v.key, v.seller_sku, (*v.options, "A"), v.price)
                    for v in variants
                ),
            },
            "12052525",
        ),
        ({"variants": (variants[0], same)}, "12052560"),
        ({"variants": (cheap,)}, "12052073"),
    ]
    for changes, code in cases:
        with pytest.raises(PermanentError) as error:
            publisher.create_listing(draft(publisher, **changes))
        assert error.value.code == code, changes
    assert tiktok_sandbox.products == {}
    configure_listings(tiktok_sandbox, create_zero_quantity=False)
    publisher.create_quantity_floor = 0  # type: ignore[misc]  # as if 0 were accepted
    with pytest.raises(PermanentError) as error:
        publisher.create_listing(draft(publisher))
    assert error.value.code == "12052055"


def test_unknown_brand_is_dropped_with_a_warning(tiktok_sandbox, publisher):
    created = publisher.create_listing(draft(publisher, brand=PlatformBrand("123", "Nope")))
    assert created.raw["warnings"] == [
        {"message": "The brand is not available: the product has No Brand."}
    ]


def test_audit_rejected_with_reason_then_edit_approved(tiktok_sandbox, publisher):
    configure_listings(tiktok_sandbox, audit="manual")
    created = publisher.create_listing(draft(publisher))
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.IN_REVIEW, "")
    ]
    audit_product(tiktok_sandbox, created.item_id, False, "Ảnh chính có chữ quảng cáo")
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.REJECTED, "Ảnh chính có chữ quảng cáo")
    ]
    first = created.variants[0].model_id
    image = publisher.upload_image(filename="b.png", content=png(SQUARE, "#ffffff"))
    publisher.update_listing(
        item_id=created.item_id,
        changes=ListingChanges(
            title="Áo polo nam cổ bẻ vải cá sấu - bản mới",
            description="Mô tả mới",
            image_ids=(image.image_id,),
            prices={first: Decimal("239000")},
        ),
    )
    product = tiktok_sandbox.products[created.item_id]
    assert (product.status, product.sku(first).price) == ("PENDING", "239000")
    ((_params, body),) = sent(tiktok_sandbox, f"{CREATE}/{created.item_id}/partial_edit")
    assert body == {
        "title": "Áo polo nam cổ bẻ vải cá sấu - bản mới",
        "description": "<p>Mô tả mới</p>",
        "main_images": [{"uri": image.image_id}],
    }  # never `skus`: left out, they would be deleted
    assert len(product.skus) == 8
    audit_product(tiktok_sandbox, created.item_id, True)
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.LIVE, "")
    ]


def test_edit_of_a_live_product_waits_for_its_audit(tiktok_sandbox, publisher):
    created = publisher.create_listing(draft(publisher))  # audit "approve", at once
    assert publisher.review_status(item_ids=[created.item_id])[0].state == ReviewState.LIVE
    configure_listings(tiktok_sandbox, audit="manual")
    publisher.update_listing(
        item_id=created.item_id, changes=ListingChanges(title="Áo polo nam bản cập nhật mùa hè")
    )
    product = tiktok_sandbox.products[created.item_id]
    assert (product.status, product.title) == (
        "ACTIVATE",
        "Áo polo nam cổ bẻ vải cá sấu thoáng mát",
    )
    audit_product(tiktok_sandbox, created.item_id, True)
    assert product.title == "Áo polo nam bản cập nhật mùa hè"


def test_partial_edit_skus_replace_the_list(tiktok_sandbox, publisher):
    """The sandbox's rule 7.3.4: SKU ids left out of `skus` are deleted."""
    created = publisher.create_listing(draft(publisher))
    keep = tiktok_sandbox.products[created.item_id].skus[0]
    entry = {
        "id": keep.sku_id,
        "sales_attributes": [
            {"name": "Màu", "value_name": "Đỏ"},
            {"name": "Size", "value_name": "M"},
            {"name": "Chất liệu", "value_name": "Cotton"},
        ],
        "price": {"amount": "250000", "currency": "VND"},
        "inventory": [{"warehouse_id": "WH01", "quantity": 4}],
    }
    publisher.tiktok.call(
        "POST", f"{CREATE}/{created.item_id}/partial_edit", body={"skus": [entry]}
    )
    product = tiktok_sandbox.products[created.item_id]
    assert [(s.sku_id, s.price) for s in product.skus] == [(keep.sku_id, "250000")]


def test_control_api_configures_the_audit(tiktok_sandbox, publisher):
    base = f"{tiktok_sandbox.base_url}/_sandbox"
    answer = requests.post(f"{base}/configure_listings", json={"audit": "manual"}, timeout=5)
    assert answer.json() == {"ok": True, "result": None}
    assert requests.post(f"{base}/configure_listings", json={"x": 1}, timeout=5).status_code == 400
    created = publisher.create_listing(draft(publisher))
    body = {"product_id": created.item_id, "approve": False, "reason": "Sai danh mục"}
    assert requests.post(f"{base}/audit_product", json=body, timeout=5).json()["ok"] is True
    assert publisher.review_status(item_ids=[created.item_id])[0].reason == "Sai danh mục"


def test_description_html_escapes_and_keeps_lines():
    assert description_html("a < b\n\n c") == "<p>a &lt; b</p><p>c</p>"


def test_rate_limit_on_create_is_retried(tiktok_sandbox, publisher):
    listing = draft(publisher)
    tiktok_sandbox.configure(qps=1)
    first = publisher.create_listing(listing)
    again = publisher.create_listing(listing)  # within the second: HTTP 429, backed off
    assert again.item_id == first.item_id
    assert tiktok_sandbox.call_count(CREATE, status=429) >= 1
    assert tiktok_sandbox.call_count(CREATE, status=200) == 2


def test_the_key_ignores_stock_so_a_retry_with_new_stock_is_the_same_create(
    tiktok_sandbox, publisher
):
    listing = draft(publisher)
    first = publisher.create_listing(listing)
    moved = tuple(
        ListingVariant(v.key, v.seller_sku, v.options, v.price, v.stock + 5)
        for v in listing.variants
    )
    again = publisher.create_listing(draft(publisher, image_ids=listing.image_ids, variants=moved))
    assert again.item_id == first.item_id
    assert len(tiktok_sandbox.products) == 1


def test_an_upload_over_the_rate_limit_is_backed_off(tiktok_sandbox, publisher):
    tiktok_sandbox.configure(qps=1)
    first = publisher.upload_image(filename="a.png", content=png(SQUARE))
    second = publisher.upload_image(filename="b.png", content=png(SQUARE, "#ffffff"))
    assert first.image_id != second.image_id
    upload = "/product/202309/images/upload"
    assert tiktok_sandbox.call_count(upload, status=429) >= 1
    assert tiktok_sandbox.call_count(upload, status=200) == 2
