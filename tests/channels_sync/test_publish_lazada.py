"""LazadaPublisher over real HTTP against the Lazada sandbox (signatures checked there): the
category tree, attributes, brands, image upload (multipart), /product/create with custom sales
attributes, the documented errors, the look-up by SellerSku before a create, hiding, QC with
its reason, /product/update and prices; and the pure payload pieces."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image

from channels_sync.adapters.base import AuthError, PermanentError
from channels_sync.adapters.lazada_listing import (
    create_payload,
    fit_image,
    html_description,
    variation_names,
)
from channels_sync.adapters.lazada_publish import LazadaPublisher
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
from channels_sync.sandbox.lazada_catalog import NO_BRAND, state
from channels_sync.sandbox.lazada_listings import configure_listings, qc_finish
from tests.channels_sync.publish_setup import listing_draft, png
from tests.channels_sync.test_lazada_adapter_http import SELLER, connect


@pytest.fixture
def publisher(lazada_sandbox) -> LazadaPublisher:
    found = publisher_for(connect(lazada_sandbox, currency="VND"))
    assert isinstance(found, LazadaPublisher)
    return found


def sent(sandbox, path: str) -> list[dict]:
    return [json.loads(p["payload"]) for name, p in sandbox.calls if name == path]


COMBOS = [("Đỏ", "M"), ("Đỏ", "L"), ("Xanh", "M"), ("Xanh", "L")]
LAZADA_DRAFT = {
    "title": "Áo thun cotton cổ tròn",
    "description": "Áo thun 100% cotton.\nGiặt máy <30°C & phơi trong bóng râm.",
    "category_id": "10111",
    "brand": PlatformBrand("20001", "Coolmate"),
    "attributes": (AttributeChoice("material", ("Cotton",)),),
    "dimensions": (
        VariationDimension("Màu", ("Đỏ", "Xanh")),
        VariationDimension("Size", ("M", "L")),
    ),
    "variants": tuple(
        ListingVariant(str(n), f"AO-{c}-{s}", (c, s), Decimal("199000"), 5)
        for n, (c, s) in enumerate(COMBOS)
    ),
}


def draft(publisher: LazadaPublisher, **changes) -> ListingDraft:
    return listing_draft(publisher, png(), **(LAZADA_DRAFT | changes))


def test_category_tree_attributes_and_brands(lazada_sandbox, publisher):
    tree = publisher.categories()
    assert [(c.category_id, c.path) for c in tree if c.leaf] == [
        ("10212", "Nhà cửa & Đời sống > Dụng cụ nhà bếp > Bình giữ nhiệt"),
        ("10211", "Nhà cửa & Đời sống > Dụng cụ nhà bếp > Chảo"),
        ("10220", "Nhà cửa & Đời sống > Khăn & Vải"),
        ("10120", "Thời trang nam > Quần jeans"),
        ("10112", "Thời trang nam > Áo > Áo polo"),
        ("10111", "Thời trang nam > Áo > Áo thun"),
    ]
    assert [c.category_id for c in tree if not c.leaf] == ["10200", "10210", "10100", "10110"]
    ((_path, params),) = [c for c in lazada_sandbox.calls if c[0] == "/category/tree/get"]
    assert params["language_code"] == "vi_VN"
    attrs = publisher.category_attributes(category_id="10111")
    assert [(a.attribute_id, a.name, a.mandatory, a.input) for a in attrs] == [
        ("material", "Chất liệu", True, AttributeInput.SELECT),
        ("occasion", "Dịp", False, AttributeInput.MULTI_SELECT),
        ("warranty_type", "Loại bảo hành", False, AttributeInput.SELECT),
        ("model", "Mẫu mã", False, AttributeInput.TEXT),
    ]
    assert attrs[0].values == (
        AttributeValue("Cotton", "Cotton"),
        AttributeValue("Linen", "Vải lanh"),
        AttributeValue("Polyester", "Polyester"),
    )
    brands = publisher.brands(category_id="10111")
    assert [b.name for b in brands.brands] == [
        "Bếp Việt",
        "Coolmate",
        "Routine",
        "Siam Home",
        "Sài Gòn Wear",
    ]
    assert (brands.mandatory, brands.no_brand) == (False, PlatformBrand("30768", "No Brand"))
    assert publisher.variation_limits(category_id="10111") == VariationLimits(
        2, 50, 50, 20, (1, 255), 8
    )
    with pytest.raises(PermanentError) as error:
        publisher.category_attributes(category_id="10110")
    assert error.value.code == "4134"


def test_brands_are_paged_by_start_row(lazada_sandbox, publisher):
    configure_listings(lazada_sandbox, brands=[(40000 + n, f"Brand {n:03d}") for n in range(400)])
    brands = publisher.brands()
    assert len(brands.brands) == 405
    rows = [p for name, p in lazada_sandbox.calls if name == "/category/brands/query"]
    assert [(p["startRow"], p["pageSize"]) for p in rows] == [
        ("0", "200"),
        ("200", "200"),
        ("400", "200"),
    ]


def test_image_upload_is_multipart_and_fitted(lazada_sandbox, publisher):
    image = publisher.upload_image(filename="a.png", content=png())
    assert image.url == image.image_id
    assert image.url.startswith(f"{lazada_sandbox.origin}/p/")
    assert image.url.endswith(".png")
    small = publisher.upload_image(filename="b.png", content=png((120, 90)))
    stored = state(lazada_sandbox).images[small.url.rsplit("/", 1)[1].split(".")[0]]
    assert Image.open(BytesIO(stored)).size == (440, 330)
    assert small.url.endswith(".jpg")
    with pytest.raises(PermanentError) as error:
        publisher.upload_image(filename="a.txt", content=b"not an image")
    assert error.value.code == "ImageFormatError"
    config = publisher.lazada.config
    broken = LazadaPublisher(
        type(publisher.lazada)(type(config)(**{**config.__dict__, "access_token": "x"}))
    )
    with pytest.raises(AuthError):
        broken.upload_image(filename="a.png", content=png())
    assert len(state(lazada_sandbox).images) == 2


def test_create_with_two_sales_attributes_links_every_sku(lazada_sandbox, publisher):
    created = publisher.create_listing(draft(publisher))
    product = lazada_sandbox.products[int(created.item_id)]
    assert created.state == ReviewState.LIVE
    by_sku = {s.seller_sku: s.sku_id for s in product.skus}
    assert [(v.key, v.seller_sku, v.model_id) for v in created.variants] == [
        (str(n), f"AO-{c}-{s}", str(by_sku[f"AO-{c}-{s}"])) for n, (c, s) in enumerate(COMBOS)
    ]
    ((body,),) = [sent(lazada_sandbox, "/product/create")]
    product_node = body["Request"]["Product"]
    assert product_node["variation"] == {
        "variation1": {
            "name": "Màu",
            "hasImage": False,
            "customize": True,
            "options": {"option": ["Đỏ", "Xanh"]},
        },
        "variation2": {
            "name": "Size",
            "hasImage": False,
            "customize": True,
            "options": {"option": ["M", "L"]},
        },
    }
    assert product_node["Attributes"] == {
        "name": "Áo thun cotton cổ tròn",
        "description": (
            "<p>Áo thun 100% cotton.</p><p>Giặt máy &lt;30°C &amp; phơi trong bóng râm.</p>"
        ),
        "brand_id": "20001",
        "material": "Cotton",
    }
    assert product_node["Skus"]["Sku"][2] == {
        "SellerSku": "AO-Xanh-M",
        "quantity": "5",
        "price": "199000",
        "package_weight": "0.30",
        "package_length": "30",
        "package_width": "20",
        "package_height": "3",
        "saleProp": {"Màu": "Xanh", "Size": "M"},
    }
    assert lazada_sandbox.sellable(int(created.item_id), by_sku["AO-Xanh-M"]) == 5


def test_create_errors_are_the_documented_ones(lazada_sandbox, publisher):
    cases = [
        ({"attributes": ()}, "4110"),
        ({"attributes": (AttributeChoice("material", ("Wool",)),)}, "4115"),
        ({"category_id": "10110"}, "4134"),
        ({"category_id": "99"}, "201"),
        ({"brand": PlatformBrand("1", "Fake")}, "4142"),
        ({"image_ids": ("https://example.com/a.jpg",)}, "4138"),
        ({"height_cm": 0}, "package_required"),
    ]
    for changes, code in cases:
        with pytest.raises(PermanentError) as error:
            publisher.create_listing(draft(publisher, **changes))
        assert error.value.code == code, changes
    three = (
        VariationDimension("Màu", ("Đỏ",)),
        VariationDimension("Size", ("M",)),
        VariationDimension("Chất liệu", ("Cotton",)),
    )
    one = (ListingVariant("1", "AO-3", ("Đỏ", "M", "Cotton"), Decimal("199000")),)
    with pytest.raises(PermanentError) as error:
        publisher.create_listing(draft(publisher, dimensions=three, variants=one))
    assert (error.value.code, error.value.message) == (
        "too_many_dimensions",
        "variation: Total sale prop more than maxItems 2",
    )
    assert lazada_sandbox.products == {}


def test_a_create_answered_too_late_is_found_by_sku_not_made_twice(lazada_sandbox, publisher):
    first = publisher.create_listing(draft(publisher))
    again = publisher.create_listing(draft(publisher))
    assert (again.item_id, again.variants) == (first.item_id, first.variants)
    assert len(lazada_sandbox.products) == 1
    assert len(sent(lazada_sandbox, "/product/create")) == 1
    clash = (ListingVariant("9", "AO-Đỏ-M", (), Decimal("99000")),)
    with pytest.raises(PermanentError) as error:
        publisher.create_listing(
            draft(
                publisher,
                dimensions=(),
                variants=(*clash, clash[0].__class__("8", "NEW-1", (), Decimal(1))),
            )
        )
    assert (error.value.code, error.value.message) == (
        "4135",
        "SellerSku already used by another product: AO-Đỏ-M",
    )


def test_no_brand_and_hidden_single_sku(lazada_sandbox, publisher):
    single = (ListingVariant("5", "MUG-1", (), Decimal("89000"), 4),)
    created = publisher.create_listing(
        draft(publisher, brand=None, dimensions=(), variants=single, live=False)
    )
    assert created.state == ReviewState.INACTIVE
    body = sent(lazada_sandbox, "/product/create")[0]["Request"]["Product"]
    assert body["Attributes"]["brand_id"] == str(NO_BRAND["VN"])
    assert "variation" not in body
    assert "saleProp" not in body["Skus"]["Sku"][0]
    assert lazada_sandbox.products[int(created.item_id)].status == "InActive"
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.INACTIVE, "")
    ]


def test_qc_rejected_with_reason_then_update_and_approved(lazada_sandbox, publisher):
    configure_listings(lazada_sandbox, qc="reject")
    created = publisher.create_listing(draft(publisher))
    item_id = created.item_id
    assert created.state == ReviewState.IN_REVIEW
    assert publisher.review_status(item_ids=[item_id]) == [
        ReviewStatus(item_id, ReviewState.IN_REVIEW, "")
    ]
    qc_finish(lazada_sandbox, int(item_id), approve=False, reason="Ảnh có logo")
    assert publisher.review_status(item_ids=[item_id]) == [
        ReviewStatus(item_id, ReviewState.REJECTED, "Ảnh có logo")
    ]
    image = publisher.upload_image(filename="c.png", content=png(color="#c62828"))
    sku_ids = [v.model_id for v in created.variants]
    publisher.update_listing(
        item_id=item_id,
        changes=ListingChanges(
            title="Áo thun cotton mới",
            image_ids=(image.image_id,),
            prices={sku_ids[0]: Decimal("189000")},
        ),
    )
    ((body,),) = [sent(lazada_sandbox, "/product/update")]
    assert body["Request"]["Product"] == {
        "ItemId": item_id,
        "Attributes": {"name": "Áo thun cotton mới"},
        "Images": {"Image": [image.image_id]},
        "Skus": {"Sku": [{"SkuId": s} for s in sku_ids]},
    }
    product = lazada_sandbox.products[int(item_id)]
    assert (product.name, product.status) == ("Áo thun cotton mới", "Pending QC")
    assert lazada_sandbox.price(int(item_id), int(sku_ids[0])) == Decimal("189000")
    qc_finish(lazada_sandbox, int(item_id), approve=True)
    assert publisher.review_status(item_ids=[item_id]) == [
        ReviewStatus(item_id, ReviewState.LIVE, "")
    ]
    with pytest.raises(PermanentError) as error:
        publisher.review_status(item_ids=["1"])
    assert error.value.code == "E016"


def test_qc_ends_by_itself_after_the_configured_time(lazada_sandbox, publisher):
    configure_listings(lazada_sandbox, qc="review", qc_seconds=60)
    created = publisher.create_listing(draft(publisher))
    assert publisher.review_status(item_ids=[created.item_id])[0].state == ReviewState.IN_REVIEW
    lazada_sandbox.advance(61)
    assert publisher.review_status(item_ids=[created.item_id])[0].state == ReviewState.LIVE
    listed = publisher.lazada.listings()
    assert sorted(x.seller_sku for x in listed) == sorted(f"AO-{c}-{s}" for c, s in COMBOS)


def test_xml_payloads_are_accepted_and_json_needs_arrays(lazada_sandbox, publisher):
    import requests

    image = publisher.upload_image(filename="a.png", content=png())
    xml = (
        "<Request><Product><PrimaryCategory>10211</PrimaryCategory>"
        f"<Images><Image><![CDATA[{image.url}]]></Image></Images>"
        "<Attributes><name>Chảo 26cm</name><brand_id>20004</brand_id></Attributes>"
        "<Skus><Sku><SellerSku>CH-26</SellerSku><price>329000</price><quantity>3</quantity>"
        "<package_weight>0.9</package_weight><package_length>30</package_length>"
        "<package_width>30</package_width><package_height>8</package_height></Sku></Skus>"
        "</Product></Request>"
    )
    adapter = publisher.lazada
    data = adapter.call("POST", "/product/create", {"payload": xml})["data"]
    assert data["sku_list"][0]["seller_sku"] == "CH-26"
    flat = {
        "Request": {"Product": {"PrimaryCategory": "10211", "Skus": {"Sku": {"SellerSku": "X"}}}}
    }
    answer = requests.post(
        adapter.base_url + "/product/create",
        data=adapter.signed("/product/create", {"payload": json.dumps(flat)}, seller=True),
        timeout=5,
    ).json()
    assert (answer["code"], answer["message"]) == ("1001", "Skus.Sku must be an array")


def test_pure_pieces():
    assert variation_names(["Màu / Chất liệu", "Kích thước sản phẩm", "Kích thước sản phẩm"]) == [
        "Màu/Chất liệu",
        "Kích thước sản",
        "Kích thước sản3",
    ]
    assert html_description("a\n\n<b>") == "<p>a</p><p>&lt;b&gt;</p>"
    content, extension = fit_image(png((6000, 400)))
    assert (extension, Image.open(BytesIO(content)).size) == (".jpg", (5000, 333))
    assert fit_image(png()) == (png(), ".png")
    draft_ = ListingDraft(
        "T",
        "d",
        "1",
        None,
        (AttributeChoice("warranty_type", ("Local Warranty",)),),
        ("u",),
        1250,
        1,
        1,
        1,
        (),
        (ListingVariant("1", "S", (), Decimal("10.50")),),
    )
    payload = create_payload(draft_, brand_id="7", sku_attributes=frozenset({"warranty_type"}))
    (sku,) = payload["Request"]["Product"]["Skus"]["Sku"]
    assert (sku["warranty_type"], sku["price"], sku["package_weight"]) == (
        "Local Warranty",
        "10.50",
        "1.25",
    )
    assert SELLER


def test_image_migrate_takes_public_host_names_only(lazada_sandbox, publisher):
    adapter = publisher.lazada

    def migrate(url: str) -> dict:
        payload = f"<Request><Image><Url><![CDATA[{url}]]></Url></Image></Request>"
        return adapter.call("POST", "/image/migrate", {"payload": payload})["data"]

    image = migrate("https://cdn.example.com/a.jpg?w=1&h=2")["image"]
    assert image["url"] == f"{lazada_sandbox.origin}/p/{image['hash_code']}.jpg"
    for url in ("http://127.0.0.1/a.jpg", "https://cdn.example.com:8443/a.jpg", "ftp://x/a.jpg"):
        with pytest.raises(PermanentError) as error:
            migrate(url)
        assert error.value.code == "4169", url


def test_control_api_sets_listing_options_and_ends_qc(lazada_sandbox, publisher):
    import requests

    base = f"{lazada_sandbox.origin}/_sandbox"
    body = {"qc": "review", "qc_reason": "Sai ngành hàng"}
    assert requests.post(f"{base}/publishing", json=body, timeout=5).json() == {"ok": True}
    assert requests.post(f"{base}/publishing", json={"nope": 1}, timeout=5).status_code == 400
    created = publisher.create_listing(draft(publisher))
    assert created.state == ReviewState.IN_REVIEW
    end = {"item_id": int(created.item_id), "approve": False}
    assert requests.post(f"{base}/qc_finish", json=end, timeout=5).json() == {"ok": True}
    assert publisher.review_status(item_ids=[created.item_id]) == [
        ReviewStatus(created.item_id, ReviewState.REJECTED, "Sai ngành hàng")
    ]
