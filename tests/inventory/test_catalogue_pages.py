from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from inventory.models import (
    Brand,
    Category,
    Product,
    ProductImage,
    StockMovement,
    Variant,
)
from inventory.services.catalogue import VariantInput, category_save, product_create
from inventory.services.stock import stock_reserve
from tests.inventory.factories import BrandFactory, WarehouseFactory
from tests.inventory.factories_catalogue import (
    editor_data,
    image_upload,
    row_index,
    rows,
    shirt,
)

pytestmark = pytest.mark.django_db

# --- Product list -----------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    hcm = WarehouseFactory(code="HCM01")
    fashion = category_save(name="Thời trang")
    shirts = category_save(name="Áo", parent=fashion)
    kitchen = category_save(name="Nhà bếp")
    coolmate = BrandFactory(name="Coolmate")
    tee = shirt(warehouse=hcm, stock=10, name="Áo thun cổ tròn")
    tee.category, tee.brand = shirts, coolmate
    tee.save()
    pan = product_create(
        name="Chảo chống dính",
        category=kitchen,
        variants=[
            VariantInput(
                sku="CHAO-26",
                barcode="8930001000018",
                sale_price=Decimal("329000"),
                low_stock_threshold=5,
                initial_stock={hcm.pk: 4},
            )
        ],
    )
    mug = product_create(
        name="Ly sứ",
        category=kitchen,
        variants=[
            VariantInput(sku="LY-01", sale_price=Decimal("59000"), initial_stock={hcm.pk: 2})
        ],
    )
    stock_reserve(variant_id=mug.variants.get().pk, warehouse_id=hcm.pk, quantity=2)
    old = product_create(name="Đầm cũ", category=fashion, variants=[VariantInput(sku="DAM-OLD")])
    old.is_active = False
    old.save()
    return {
        "hcm": hcm,
        "fashion": fashion,
        "shirts": shirts,
        "kitchen": kitchen,
        "coolmate": coolmate,
        "tee": tee,
        "pan": pan,
        "mug": mug,
        "old": old,
    }


def names(response):
    return [p.name for p in response.context["page"].items]


def test_list_shows_one_row_per_product_with_its_figures(client, login_as, catalogue):
    login_as("sales")
    response = client.get(reverse("inventory:product_list"))
    assert response.status_code == 200
    summary = [
        (p.name, p.variant_count, p.price_min, p.price_max, p.available, p.stock_state)
        for p in response.context["page"].items
    ]
    assert summary == [  # newest first
        ("Đầm cũ", 1, Decimal("0.00"), Decimal("0.00"), 0, 2),
        ("Ly sứ", 1, Decimal("59000.00"), Decimal("59000.00"), 0, 2),
        ("Chảo chống dính", 1, Decimal("329000.00"), Decimal("329000.00"), 4, 1),
        ("Áo thun cổ tròn", 4, Decimal("165000.00"), Decimal("165000.00"), 40, 0),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ao thun"}, ["Áo thun cổ tròn"]),  # accents folded
        ({"q": "ĐẦM"}, ["Đầm cũ"]),
        ({"q": "ao-xanh-m"}, ["Áo thun cổ tròn"]),  # SKU, any case
        ({"q": "8930001000018"}, ["Chảo chống dính"]),  # barcode
        ({"state": "out"}, ["Đầm cũ", "Ly sứ"]),
        ({"state": "low"}, ["Chảo chống dính"]),
        ({"state": "in"}, ["Chảo chống dính", "Áo thun cổ tròn"]),
        ({"active": "0"}, ["Đầm cũ"]),
        ({"active": "1", "state": "out"}, ["Ly sứ"]),
    ],
)
def test_list_filters(client, login_as, catalogue, params, expected):
    login_as("sales")
    assert names(client.get(reverse("inventory:product_list"), params)) == expected


def test_category_filter_includes_subcategories_and_brand_filter(client, login_as, catalogue):
    login_as("sales")
    url = reverse("inventory:product_list")
    assert names(client.get(url, {"category": catalogue["fashion"].pk})) == [
        "Đầm cũ",
        "Áo thun cổ tròn",
    ]
    assert names(client.get(url, {"category": catalogue["shirts"].pk})) == ["Áo thun cổ tròn"]
    assert names(client.get(url, {"brand": catalogue["coolmate"].pk})) == ["Áo thun cổ tròn"]


def test_list_htmx_renders_the_table_only(client, login_as, catalogue):
    login_as("sales")
    response = client.get(reverse("inventory:product_list"), {"q": "ly"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<section id="product-table"')
    assert names(response) == ["Ly sứ"]


def test_list_query_count_does_not_grow_with_rows(
    client, login_as, catalogue, django_assert_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("owner")
    url = reverse("inventory:product_list")
    client.get(url)  # warm the permission cache of the session
    # Session, user, the page's ids, their figures, the category and brand choices.
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(30):
        product = shirt(warehouse=catalogue["hcm"], stock=1, prefix=f"P{n}", name=f"Áo {n}")
        ProductImage.objects.create(
            product=product, image=f"products/images/{n}.png", thumbnail=f"products/thumbs/{n}.webp"
        )
    # A category filter adds its own lookup and the tree walk.
    with django_assert_num_queries(8):
        response = client.get(url, {"category": catalogue["fashion"].pk, "q": "ao"})
    assert len(response.context["page"].items) == 1
    with django_assert_num_queries(6):
        response = client.get(url, {"page": 1})
    assert len(response.context["page"].items) == 34
    assert response.context["page"].items[0].thumb == "products/thumbs/29.webp"
    with django_assert_num_queries(6):
        response = client.get(url, {"state": "low"})
    assert [p.name for p in response.context["page"].items] == ["Chảo chống dính"]


# --- Permissions ------------------------------------------------------------------------------


def test_sales_can_read_but_not_edit(client, login_as, catalogue):
    login_as("sales")
    tee = catalogue["tee"]
    assert client.get(reverse("inventory:product_detail", args=[tee.pk])).status_code == 200
    assert client.post(reverse("inventory:product_export"), {"format": "csv"}).status_code == 302
    for url in (
        reverse("inventory:product_edit", args=[tee.pk]),
        reverse("inventory:product_create"),
        reverse("inventory:product_import"),
        reverse("inventory:category_list"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("inventory:product_edit", args=[tee.pk]), {"name": "Hacked"})
    assert response.status_code == 403
    assert Product.objects.get(pk=tee.pk).name == "Áo thun cổ tròn"


def test_warehouse_staff_cannot_import_or_upload_images(
    client, login_as, catalogue, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("warehouse")
    assert client.get(reverse("inventory:product_import")).status_code == 403
    url = reverse("inventory:product_image_upload", args=[catalogue["tee"].pk])
    assert client.post(url, {"images": image_upload()}).status_code == 403
    assert ProductImage.objects.count() == 0


# --- The editor -------------------------------------------------------------------------------


def test_create_a_product_with_options_matrix_and_initial_stock(client, login_as):
    user = login_as("manager")
    hcm = WarehouseFactory(code="HCM01")
    url = reverse("inventory:product_create")
    editor = client.get(url).context["editor"]
    data = editor_data(editor)
    data.update(
        {
            "name": "Váy hoa nhí",
            "opt-0-name": "Màu",
            "opt-0-values": "Đỏ, Xanh",
            "opt-1-name": "Size",
            "opt-1-values": "S, M",
            "sku_prefix": "vay",
            "action": "matrix",
        }
    )
    editor = client.post(url, data).context["editor"]
    assert rows(editor) == [
        (("Đỏ", "S"), "new", "VAY-DO-S"),
        (("Đỏ", "M"), "new", "VAY-DO-M"),
        (("Xanh", "S"), "new", "VAY-XANH-S"),
        (("Xanh", "M"), "new", "VAY-XANH-M"),
    ]
    data = editor_data(editor)
    data.update({"fill-cost_price": "150.000", "fill-sale_price": "350000", "action": "fill"})
    editor = client.post(url, data).context["editor"]
    data = editor_data(editor)
    blue_m = row_index(editor, ("Xanh", "M"))
    data[f"v-{blue_m}-is_active"] = ""  # not wanted: not created
    data.pop(f"v-{blue_m}-is_active")
    data[f"v-{row_index(editor, ('Đỏ', 'S'))}-stock_{hcm.pk}"] = "1.000"
    data["action"] = "save"
    response = client.post(url, data)
    product = Product.objects.get(name="Váy hoa nhí")
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:product_detail", args=[product.pk])
    assert list(product.variants.order_by("pk").values_list("sku", "cost_price", "sale_price")) == [
        ("VAY-DO-S", Decimal("150000.00"), Decimal("350000.00")),
        ("VAY-DO-M", Decimal("150000.00"), Decimal("350000.00")),
        ("VAY-XANH-S", Decimal("150000.00"), Decimal("350000.00")),
    ]
    movement = StockMovement.objects.get()
    assert (movement.variant.sku, movement.kind, movement.on_hand_delta, movement.created_by) == (
        "VAY-DO-S",
        "initial",
        1000,
        user,
    )
    assert product.variants.get(sku="VAY-DO-S").search_text == "vay-do-s vay hoa nhi do s"


def test_sku_taken_in_another_case_is_a_form_error_not_a_500(client, login_as):
    shirt()
    login_as("manager")
    url = reverse("inventory:product_create")
    data = editor_data(client.get(url).context["editor"])
    data.update({"name": "Áo khác", "v-0-sku": "ao-do-s", "v-0-sale_price": "100000"})
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["editor"].variants.forms[0]
    assert form.errors == {"sku": ["SKU AO-DO-S is already used by Áo thun cổ tròn."]}
    assert Product.objects.count() == 1


def test_bad_money_and_missing_sku_are_field_errors(client, login_as):
    login_as("manager")
    url = reverse("inventory:product_create")
    data = editor_data(client.get(url).context["editor"])
    data.update({"name": "Lỗi", "v-0-sku": "", "v-0-sale_price": "12,5k", "v-0-cost_price": "-5"})
    response = client.post(url, data)
    errors = response.context["editor"].variants.forms[0].errors
    assert errors == {
        "sale_price": ["“12,5k” is not an amount."],
        "cost_price": ["An amount cannot be negative."],
    }
    data.update({"v-0-sale_price": "199000", "v-0-cost_price": ""})
    errors = client.post(url, data).context["editor"].variants.forms[0].errors
    assert errors == {"sku": ["Enter the SKU."]}
    assert Product.objects.count() == 0


def test_editing_options_adds_rows_and_orphans_must_be_disabled(client, login_as):
    warehouse = WarehouseFactory()
    product = shirt(warehouse=warehouse, stock=3, sizes=("S",))
    login_as("manager")
    url = reverse("inventory:product_edit", args=[product.pk])
    editor = client.get(url).context["editor"]
    assert rows(editor) == [
        (("Đỏ", "S"), "existing", "AO-DO-S"),
        (("Xanh", "S"), "existing", "AO-XANH-S"),
    ]
    data = editor_data(editor)
    data.update(
        {"opt-0-values": "Đỏ, Đen", "opt-1-values": "S, M", "sku_prefix": "AO", "action": "matrix"}
    )
    fragment = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="variants-card"')
    assert 'value="AO-DEN-M"' in fragment
    editor = client.post(url, data).context["editor"]
    assert rows(editor) == [
        (("Đỏ", "S"), "existing", "AO-DO-S"),
        (("Đỏ", "M"), "new", "AO-DO-M"),
        (("Đen", "S"), "new", "AO-DEN-S"),
        (("Đen", "M"), "new", "AO-DEN-M"),
        (("Xanh", "S"), "orphan", "AO-XANH-S"),
    ]
    orphan = editor.variants.forms[4]
    assert orphan["is_active"].value() is False
    assert orphan.has_history is True
    assert orphan.fields["delete"].disabled is True
    # New rows copy the prices of their neighbour.
    assert editor.variants.forms[1]["sale_price"].value() == "165.000"
    data = editor_data(editor)
    data["action"] = "save"
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(
        product.variants.order_by("pk").values_list("sku", "option1", "option2", "is_active")
    ) == [
        ("AO-DO-S", "Đỏ", "S", True),
        ("AO-XANH-S", "Xanh", "S", False),
        ("AO-DO-M", "Đỏ", "M", True),
        ("AO-DEN-S", "Đen", "S", True),
        ("AO-DEN-M", "Đen", "M", True),
    ]
    assert Variant.objects.get(sku="AO-XANH-S").movements.count() == 1  # history kept


def test_an_orphan_ticked_active_again_is_refused(client, login_as):
    product = shirt(sizes=("S",))
    login_as("manager")
    url = reverse("inventory:product_edit", args=[product.pk])
    data = editor_data(client.get(url).context["editor"])
    data.update({"opt-0-values": "Đỏ", "action": "matrix"})
    editor = client.post(url, data).context["editor"]
    data = editor_data(editor)
    data[f"v-{row_index(editor, ('Xanh', 'S'))}-is_active"] = "on"
    data["action"] = "save"
    response = client.post(url, data)
    form = response.context["editor"].variants.forms[1]
    assert form.errors == {
        "is_active": ["Variant AO-XANH-S no longer matches the options: disable it."]
    }
    assert Variant.objects.get(sku="AO-XANH-S").is_active is True


def test_saving_with_options_changed_but_rows_not_updated_shows_the_new_rows(client, login_as):
    product = shirt(sizes=("S",))
    login_as("manager")
    url = reverse("inventory:product_edit", args=[product.pk])
    data = editor_data(client.get(url).context["editor"])
    data.update({"opt-1-values": "S, XL", "action": "save"})
    response = client.post(url, data)
    editor = response.context["editor"]
    assert (
        editor.notice
        == "The variant rows were updated from the options. Check them and save again."
    )
    assert [r[:2] for r in rows(editor)] == [
        (("Đỏ", "S"), "existing"),
        (("Đỏ", "XL"), "new"),
        (("Xanh", "S"), "existing"),
        (("Xanh", "XL"), "new"),
    ]
    assert product.variants.count() == 2


def test_delete_a_variant_without_history(client, login_as):
    product = shirt(sizes=("S",))
    login_as("manager")
    url = reverse("inventory:product_edit", args=[product.pk])
    editor = client.get(url).context["editor"]
    data = editor_data(editor)
    data[f"v-{row_index(editor, ('Xanh', 'S'))}-delete"] = "on"
    data[f"v-{row_index(editor, ('Xanh', 'S'))}-is_active"] = ""
    assert client.post(url, data).status_code == 302
    assert list(product.variants.values_list("sku", flat=True)) == ["AO-DO-S"]


def test_variant_figures_endpoint(client, login_as):
    login_as("manager")  # sales may not see profit (test_costs_visibility)
    url = reverse("inventory:variant_figures")
    params = {"prefix": "v-3", "v-3-cost_price": "100.000", "v-3-vat_rate": "10"}
    response = client.get(url, {**params, "v-3-sale_price": "165000"})
    # 165,000 incl. 10 % VAT is 150,000 net: 50,000 profit, 33.3 % margin.
    assert response.content.decode().strip() == (
        '<span class="">₫50,000</span><span class="muted small"> · 33.3%</span>'
    )
    loss = client.get(url, {**params, "v-3-sale_price": "99.000"}).content.decode()
    assert loss.strip().startswith('<span class="bad">-₫10,000</span>')
    bad = client.get(url, {"prefix": "v-0", "v-0-sale_price": "abc"})
    assert bad.content.decode().strip() == '<span class="muted">—</span>'


def test_image_upload_page_makes_a_thumbnail_and_media_is_served(
    client, login_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = shirt()
    login_as("manager")
    url = reverse("inventory:product_image_upload", args=[product.pk])
    response = client.post(
        url,
        {"images": [image_upload("a.png"), image_upload("b.png", (200, 900))]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    images = list(product.images.order_by("position"))
    assert [i.position for i in images] == [0, 1]
    assert all(i.thumbnail.name.endswith(".webp") for i in images)
    media = client.get(reverse("inventory:product_media", args=[images[1].thumbnail.name]))
    assert media["Content-Type"] == "image/webp"
    assert client.get(reverse("inventory:product_media", args=["imports/x.csv"])).status_code == 404
    default_storage.save("products/images/page.html", ContentFile(b"<script>alert(1)</script>"))
    html = client.get(reverse("inventory:product_media", args=["products/images/page.html"]))
    assert (html["Content-Type"], html["Content-Disposition"]) == (
        "application/octet-stream",
        'attachment; filename="page.html"',
    )
    not_image = client.post(
        url, {"images": [image_upload("c.png").__class__("c.png", b"text", "image/png")]}
    )
    assert not_image.status_code == 302
    assert product.images.count() == 2


def test_video_upload_and_link(client, login_as, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    product = product_create(name="Bình", variants=[VariantInput(sku="B-1")])
    login_as("manager")
    url = reverse("inventory:product_edit", args=[product.pk])
    data = editor_data(client.get(url).context["editor"])
    data["video"] = SimpleUploadedFile("clip.exe", b"MZ", content_type="video/mp4")
    response = client.post(url, data)
    assert "video" in response.context["form"].errors
    data["video"] = SimpleUploadedFile(
        "clip.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4"
    )
    data["video_url"] = "https://www.youtube.com/watch?v=abc"
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.video.name.startswith("products/videos/clip")
    assert product.video_url == "https://www.youtube.com/watch?v=abc"


# --- Categories and brands --------------------------------------------------------------------


def test_category_pages(client, login_as):
    login_as("manager")
    client.post(reverse("inventory:category_create"), {"name": "Thời trang"})
    fashion = Category.objects.get()
    client.post(reverse("inventory:category_create"), {"name": "Áo", "parent": fashion.pk})
    shirts = Category.objects.get(name="Áo")
    page = client.get(reverse("inventory:category_list"))
    assert [(c.full_name, c.depth) for c in page.context["categories"]] == [
        ("Thời trang", 0),
        ("Thời trang / Áo", 1),
    ]
    # Cannot move a category into its own child: the child is not even offered.
    edit = client.get(reverse("inventory:category_edit", args=[fashion.pk]))
    assert list(edit.context["form"].fields["parent"].queryset) == []
    response = client.post(
        reverse("inventory:category_edit", args=[fashion.pk]),
        {"name": "Thời trang", "parent": shirts.pk},
    )
    assert response.context["form"].errors == {
        "parent": ["Select a valid choice. That choice is not one of the available choices."]
    }
    duplicate = client.post(
        reverse("inventory:category_create"), {"name": "áo", "parent": fashion.pk}
    )
    assert duplicate.context["form"].errors == {
        "name": ["There is already a category named áo here."]
    }
    assert Category.objects.count() == 2


def test_brand_pages(client, login_as):
    login_as("manager")
    assert client.post(reverse("inventory:brand_create"), {"name": "Coolmate"}).status_code == 302
    duplicate = client.post(reverse("inventory:brand_create"), {"name": "COOLMATE"})
    assert duplicate.context["form"].errors == {
        "name": ["There is already a brand named COOLMATE."]
    }
    brand = Brand.objects.get()
    assert (
        client.post(
            reverse("inventory:brand_edit", args=[brand.pk]), {"name": "Cool Mate"}
        ).status_code
        == 302
    )
    assert Brand.objects.get().name == "Cool Mate"


def test_the_product_page_shows_no_dimensions_or_weight_that_were_not_entered(client, login_as):
    bare = product_create(name="Khăn", variants=[VariantInput(sku="KHAN-1")])
    boxed = product_create(
        name="Hộp",
        variants=[
            VariantInput(sku="HOP-1", weight_grams=250, length_cm=30, width_cm=20, height_cm=5)
        ],
    )
    login_as("manager")
    html = client.get(reverse("inventory:product_detail", args=[bare.pk])).content.decode()
    assert "\u00d7" not in html.split("<tbody>")[1]
    assert '<td class="num"></td>\n        <td class="num"></td>' in html
    html = client.get(reverse("inventory:product_detail", args=[boxed.pk])).content.decode()
    assert '<td class="num">250</td>\n        <td class="num">30\u00d720\u00d75</td>' in html
