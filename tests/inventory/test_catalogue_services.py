from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from inventory.errors import InventoryError
from inventory.models import (
    Category,
    Product,
    ProductImage,
    ProductOption,
    StockLevel,
    StockMovement,
    Variant,
)
from inventory.services.catalogue import (
    PlanRow,
    VariantError,
    VariantInput,
    VariantUpdate,
    brand_save,
    category_ensure_path,
    category_save,
    option_value_renames,
    product_create,
    product_image_delete,
    product_image_move,
    product_images_add,
    product_update,
    sku_suggest,
    variant_matrix,
    variant_plan,
)
from inventory.services.stock import stock_receive
from tests.inventory.factories import BrandFactory, SupplierFactory, WarehouseFactory
from tests.inventory.factories_catalogue import image_upload, shirt

# --- Pure functions ---------------------------------------------------------------------------


def test_variant_matrix_is_every_combination_in_order():
    assert variant_matrix([("Màu", ["Đỏ", "Xanh"]), ("Size", ["S", "M", "L"])]) == [
        ("Đỏ", "S"),
        ("Đỏ", "M"),
        ("Đỏ", "L"),
        ("Xanh", "S"),
        ("Xanh", "M"),
        ("Xanh", "L"),
    ]
    assert variant_matrix([]) == [()]
    with pytest.raises(InventoryError):
        variant_matrix([("a", ["1"]), ("b", ["1"]), ("c", ["1"]), ("d", ["1"])])


def test_renames_are_values_edited_in_place_only():
    assert option_value_renames(["Do", "Xanh"], ["Đỏ", "Xanh"]) == {"Do": "Đỏ"}
    assert option_value_renames(["xanh  navy"], ["Xanh Navy"]) == {"xanh  navy": "Xanh Navy"}
    # Another word in the same place is another value: blue stock never becomes black.
    assert option_value_renames(["Đỏ", "Xanh"], ["Đỏ", "Đen"]) == {}
    # A value moved to another place is not a rename; nor is a longer or shorter list.
    assert option_value_renames(["Đỏ", "Xanh"], ["Xanh", "Đen"]) == {}
    assert option_value_renames(["Đỏ"], ["Đỏ", "Xanh"]) == {}
    # Another option altogether (name changed): values are not carried over.
    assert option_value_renames(["Đỏ"], ["S"], same_option=False) == {}


def test_plan_adds_new_combinations_and_keeps_existing_variants():
    plan = variant_plan(
        old_options=[("Màu", ["Đỏ", "Xanh"])],
        new_options=[("Màu", ["Đỏ", "Xanh", "Đen"], 1)],
        existing=[(10, ("Đỏ", "", "")), (11, ("Xanh", "", ""))],
    )
    assert plan == [
        PlanRow(("Đỏ",), 10, "existing"),
        PlanRow(("Xanh",), 11, "existing"),
        PlanRow(("Đen",), None, "new"),
    ]


def test_plan_follows_a_renamed_value():
    plan = variant_plan(
        old_options=[("Màu", ["Do", "Xanh"])],
        new_options=[("Màu", ["Đỏ", "Xanh"], 1)],
        existing=[(10, ("Do", "", "")), (11, ("Xanh", "", ""))],
    )
    assert plan == [PlanRow(("Đỏ",), 10, "existing"), PlanRow(("Xanh",), 11, "existing")]


def test_plan_gives_an_added_option_its_first_value():
    plan = variant_plan(
        old_options=[("Màu", ["Đỏ", "Xanh"])],
        new_options=[("Màu", ["Đỏ", "Xanh"], 1), ("Size", ["M", "L"], None)],
        existing=[(10, ("Đỏ", "", "")), (11, ("Xanh", "", ""))],
    )
    assert plan == [
        PlanRow(("Đỏ", "M"), 10, "existing"),
        PlanRow(("Đỏ", "L"), None, "new"),
        PlanRow(("Xanh", "M"), 11, "existing"),
        PlanRow(("Xanh", "L"), None, "new"),
    ]


def test_plan_keeps_variants_of_removed_values_as_orphans():
    plan = variant_plan(
        old_options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S", "M"])],
        new_options=[("Màu", ["Đỏ"], 1)],
        existing=[(1, ("Đỏ", "S", "")), (2, ("Đỏ", "M", "")), (3, ("Xanh", "S", ""))],
    )
    # The option Size is gone: the older red variant keeps "Đỏ", the others stay as they were.
    assert plan == [
        PlanRow(("Đỏ",), 1, "existing"),
        PlanRow(("Đỏ", "M"), 2, "orphan"),
        PlanRow(("Xanh", "S"), 3, "orphan"),
    ]


def test_plan_offers_combinations_that_never_had_a_variant_unticked():
    plan = variant_plan(
        old_options=[("Size", ["S", "M"])],
        new_options=[("Size", ["S", "M"], 1)],
        existing=[(1, ("S", "", ""))],
    )
    assert plan == [PlanRow(("S",), 1, "existing"), PlanRow(("M",), None, "missing")]


def test_sku_suggestion_is_ascii_upper_case():
    assert sku_suggest(prefix="ao-thun", options=("Đỏ tươi", "XL")) == "AOTHUN-DOTUOI-XL"
    assert sku_suggest(prefix="", options=()) == ""


# --- Creating products ------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_create_writes_initial_stock_to_the_ledger(make_user):
    user = make_user("manager")
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    product = product_create(
        name="Ly sứ",
        variants=[VariantInput(sku="LY-01", initial_stock={hcm.pk: 12, hn.pk: 3})],
        user_id=user.pk,
    )
    variant = product.variants.get()
    movements = list(
        StockMovement.objects.filter(variant=variant)
        .order_by("warehouse__code")
        .values_list("warehouse__code", "kind", "on_hand_delta", "on_hand_after", "source_type")
    )
    assert movements == [
        ("HCM01", "initial", 12, 12, "product"),
        ("HN01", "initial", 3, 3, "product"),
    ]
    assert StockMovement.objects.filter(created_by=user).count() == 2
    assert sorted(StockLevel.objects.values_list("on_hand", flat=True)) == [3, 12]


def test_create_refuses_a_taken_sku_whatever_its_case():
    shirt()
    with pytest.raises(VariantError) as caught:
        product_create(
            name="Khác",
            variants=[VariantInput(sku="LY-1"), VariantInput(sku="ao-do-s")],
        )
    assert (caught.value.index, caught.value.field) == (1, "sku")
    assert str(caught.value) == "SKU AO-DO-S is already used by Áo thun cổ tròn."
    assert Product.objects.count() == 1


def test_create_refuses_the_same_sku_twice_and_a_taken_barcode():
    with pytest.raises(VariantError) as twice:
        product_create(
            name="P",
            options=[("Size", ["S", "M"])],
            variants=[
                VariantInput(sku="X-1", options=("S",)),
                VariantInput(sku="x-1", options=("M",)),
            ],
        )
    assert (twice.value.index, str(twice.value)) == (1, "SKU x-1 is used by two variants.")
    product_create(name="A", variants=[VariantInput(sku="A-1", barcode="8930001000018")])
    with pytest.raises(VariantError) as taken:
        product_create(name="B", variants=[VariantInput(sku="B-1", barcode="8930001000018")])
    assert (taken.value.index, taken.value.field) == (0, "barcode")
    assert Product.objects.count() == 1


def test_profit_and_margin_exactly():
    product = product_create(
        name="Nồi",
        options=[("Cỡ", ["20cm", "24cm"])],
        variants=[
            VariantInput(
                sku="N-1",
                options=("20cm",),
                cost_price=Decimal("100000"),
                sale_price=Decimal("165000"),
                vat_rate=Decimal("10"),
            ),
            VariantInput(
                sku="N-2", options=("24cm",), cost_price=Decimal("50"), sale_price=Decimal("0")
            ),
        ],
    )
    first, free = product.variants.order_by("sku")
    # 165,000 incl. 10 % VAT = 150,000 net; minus the 100,000 cost.
    assert first.sale_price_ex_vat == Decimal("150000")
    assert first.profit == Decimal("50000")
    assert first.margin_percent.quantize(Decimal("0.01")) == Decimal("33.33")
    assert free.profit == Decimal("-50")
    assert free.margin_percent is None


# --- Editing products -------------------------------------------------------------------------


def _rows(product, **changes):
    """Update rows for every variant of the product, as they are, with some changes."""
    rows = []
    for v in product.variants.order_by("pk"):
        data = {
            "variant_id": v.pk,
            "sku": v.sku,
            "options": tuple(v.option_values),
            "cost_price": v.cost_price,
            "sale_price": v.sale_price,
            "vat_rate": v.vat_rate,
            "is_active": v.is_active,
        }
        data.update(changes.get(v.sku, {}))
        rows.append(VariantUpdate(**data))
    return rows


def test_update_adds_new_combinations():
    product = shirt(sizes=("S",))
    rows = [*_rows(product), VariantUpdate(sku="AO-DEN-S", options=("Đen", "S"))]
    product_update(
        product=product,
        name=product.name,
        variants=rows,
        options=[("Màu", ["Đỏ", "Xanh", "Đen"]), ("Size", ["S"])],
    )
    assert list(product.variants.order_by("pk").values_list("sku", "option1", "option2")) == [
        ("AO-DO-S", "Đỏ", "S"),
        ("AO-XANH-S", "Xanh", "S"),
        ("AO-DEN-S", "Đen", "S"),
    ]
    option = ProductOption.objects.get(product=product, position=1)
    assert option.values == ["Đỏ", "Xanh", "Đen"]


def test_a_variant_whose_value_is_removed_must_be_disabled_and_then_stays():
    warehouse = WarehouseFactory()
    product = shirt(sizes=("S",), warehouse=warehouse, stock=2)
    options = [("Màu", ["Đỏ"]), ("Size", ["S"])]
    with pytest.raises(VariantError) as caught:
        product_update(product=product, name=product.name, variants=_rows(product), options=options)
    assert caught.value.index == 1
    assert caught.value.field == "is_active"
    assert ProductOption.objects.get(product=product, position=1).values == ["Đỏ", "Xanh"]
    product_update(
        product=product,
        name=product.name,
        options=options,
        variants=_rows(product, **{"AO-XANH-S": {"is_active": False}}),
    )
    blue = Variant.objects.get(sku="AO-XANH-S")
    assert (blue.is_active, blue.option1) == (False, "Xanh")


def test_a_variant_with_history_cannot_be_deleted_one_without_can():
    warehouse = WarehouseFactory()
    product = shirt(sizes=("S",))
    stock_receive(
        variant_id=Variant.objects.get(sku="AO-DO-S").pk, warehouse_id=warehouse.pk, quantity=1
    )
    with pytest.raises(VariantError) as caught:
        product_update(
            product=product,
            name=product.name,
            options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
            variants=_rows(product, **{"AO-DO-S": {"delete": True}}),
        )
    assert "has stock or history" in str(caught.value)
    assert product.variants.count() == 2
    product_update(
        product=product,
        name=product.name,
        options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
        variants=_rows(product, **{"AO-XANH-S": {"delete": True}}),
    )
    assert list(product.variants.values_list("sku", flat=True)) == ["AO-DO-S"]


def test_update_keeps_variants_it_is_not_given():
    product = shirt(sizes=("S",))
    red = Variant.objects.get(sku="AO-DO-S")
    product_update(
        product=product,
        name="Áo mới",
        options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
        variants=[VariantUpdate(variant_id=red.pk, sku="AO-DO-S", options=("Đỏ", "S"))],
    )
    assert product.variants.count() == 2
    # Its search text follows the new product name all the same.
    assert Variant.objects.get(sku="AO-XANH-S").search_text == "ao-xanh-s ao moi xanh s"


def test_update_refreshes_search_text_on_name_sku_and_barcode():
    product = shirt(sizes=("S",))
    product_update(
        product=product,
        name="Áo Polo Đẹp",
        options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
        variants=_rows(product, **{"AO-DO-S": {"sku": "POLO-1", "barcode": "8930001000018"}}),
    )
    texts = dict(product.variants.values_list("sku", "search_text"))
    assert texts == {
        "POLO-1": "polo-1 8930001000018 ao polo dep do s",
        "AO-XANH-S": "ao-xanh-s ao polo dep xanh s",
    }


def test_update_sku_clash_names_the_row_and_changes_nothing():
    shirt(prefix="OTHER", name="Khác")
    product = shirt(sizes=("S",))
    with pytest.raises(VariantError) as caught:
        product_update(
            product=product,
            name="Đổi tên",
            options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
            variants=_rows(product, **{"AO-XANH-S": {"sku": "other-do-s"}}),
        )
    assert (caught.value.index, caught.value.field) == (1, "sku")
    assert Product.objects.get(pk=product.pk).name == "Áo thun cổ tròn"


def test_update_can_swap_nothing_silently_on_integrity_errors():
    product = shirt(sizes=("S",))
    rows = _rows(product, **{"AO-DO-S": {"sku": "AO-XANH-S"}, "AO-XANH-S": {"sku": "AO-DO-S"}})
    with pytest.raises(VariantError):
        product_update(
            product=product,
            name=product.name,
            options=[("Màu", ["Đỏ", "Xanh"]), ("Size", ["S"])],
            variants=rows,
        )
    assert dict(product.variants.values_list("option1", "sku")) == {
        "Đỏ": "AO-DO-S",
        "Xanh": "AO-XANH-S",
    }


def test_update_sets_supplier_and_shipping_defaults():
    supplier = SupplierFactory()
    product = product_create(name="Bình", variants=[VariantInput(sku="B-1")])
    variant = product.variants.get()
    product_update(
        product=product,
        name="Bình",
        brand_id=BrandFactory().pk,
        variants=[
            VariantUpdate(
                variant_id=variant.pk,
                sku="B-1",
                weight_grams=350,
                length_cm=10,
                width_cm=8,
                height_cm=25,
                low_stock_threshold=4,
                preferred_supplier_id=supplier.pk,
                vat_rate=Decimal("8"),
            )
        ],
    )
    variant.refresh_from_db()
    assert (
        variant.weight_grams,
        variant.length_cm,
        variant.width_cm,
        variant.height_cm,
        variant.low_stock_threshold,
        variant.preferred_supplier_id,
        variant.vat_rate,
    ) == (350, 10, 8, 25, 4, supplier.pk, Decimal("8.00"))


# --- Images -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_upload_keeps_the_original_and_writes_a_small_thumbnail(media):
    product = product_create(name="Ảnh", variants=[VariantInput(sku="IMG-1")])
    [image] = product_images_add(product=product, uploads=[image_upload(size=(1200, 800))])
    with Image.open(default_storage.open(image.image.name)) as original:
        assert original.size == (1200, 800)
    with Image.open(default_storage.open(image.thumbnail.name)) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (320, 213))
    assert image.thumbnail.name.startswith("products/thumbs/")
    assert image.position == 0


def test_images_reorder_and_delete(media, django_capture_on_commit_callbacks):
    product = product_create(name="Ảnh", variants=[VariantInput(sku="IMG-1")])
    a, b, c = product_images_add(
        product=product,
        uploads=[image_upload("a.png"), image_upload("b.png"), image_upload("c.png")],
    )
    product_image_move(image=c, offset=-1)
    order = list(
        ProductImage.objects.filter(product=product)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    assert order == [a.pk, c.pk, b.pk]
    product_image_move(image=a, offset=-1)  # already first: stays
    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=a)
    positions = list(
        ProductImage.objects.filter(product=product)
        .order_by("position")
        .values_list("pk", "position")
    )
    assert positions == [(c.pk, 0), (b.pk, 1)]
    assert not default_storage.exists(a.image.name)
    assert not default_storage.exists(a.thumbnail.name)


def test_a_file_that_is_not_an_image_is_refused(media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    product = product_create(name="Ảnh", variants=[VariantInput(sku="IMG-1")])
    with pytest.raises(InventoryError):
        product_images_add(product=product, uploads=[SimpleUploadedFile("x.png", b"not a png")])
    assert ProductImage.objects.count() == 0


# --- Categories and brands --------------------------------------------------------------------


def test_category_tree_paths_and_moves():
    fashion = category_save(name="Thời trang")
    shirts = category_save(name="Áo", parent=fashion)
    polo = category_save(name="Polo", parent=shirts)
    assert polo.full_name == "Thời trang / Áo / Polo"
    home = category_save(name="Nhà cửa")
    category_save(name="Áo", parent=home, category=shirts)
    polo.refresh_from_db()
    assert polo.full_name == "Nhà cửa / Áo / Polo"
    with pytest.raises(InventoryError, match="inside itself"):
        category_save(name="Nhà cửa", parent=polo, category=home)
    with pytest.raises(InventoryError, match="already a category named"):
        category_save(name="áo", parent=home)
    assert Category.objects.count() == 4


def test_category_path_is_found_case_insensitively_or_created():
    existing = category_save(name="Thời trang")
    leaf = category_ensure_path(path=("thời trang", "Áo"))
    assert leaf.parent == existing
    assert category_ensure_path(path=("Thời Trang", "áo")) == leaf
    assert Category.objects.count() == 2


def test_brand_names_are_unique_whatever_the_case():
    brand_save(name="Coolmate")
    with pytest.raises(InventoryError):
        brand_save(name="coolmate ")


def test_a_16_bit_grey_image_gets_a_grey_thumbnail_not_a_blank_one(media):
    """Pillow's convert("RGB") clips 16-bit values above 255 to white: scans and some
    screenshot tools save such PNGs, and their thumbnails came out blank."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = BytesIO()
    Image.new("I;16", (400, 300), 30000).save(buffer, "PNG")
    upload = SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")
    product = product_create(name="Ảnh quét", variants=[VariantInput(sku="SCAN-1")])
    [image] = product_images_add(product=product, uploads=[upload])
    with Image.open(default_storage.open(image.thumbnail.name)) as thumb:
        assert thumb.size == (320, 240)
        low, high = thumb.convert("L").getextrema()
        assert 110 <= low <= high <= 125  # 30000 / 256 = 117 (WebP rounds), not 255 (white)
