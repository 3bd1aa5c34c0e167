import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from common.money import ParseError, parse_money, parse_percent, parse_quantity
from inventory.errors import InventoryError
from inventory.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    StockLevel,
    StockMovement,
    Variant,
)
from inventory.services.catalogue import VariantInput, category_save, product_create
from inventory.services.imports.apply import ImportInvalid, catalogue_import_apply
from inventory.services.imports.plan import RowError, catalogue_import_plan
from inventory.services.stock import stock_reserve
from tests.conftest import job_of
from tests.inventory.factories import BrandFactory, SupplierFactory, WarehouseFactory

# --- Numbers as staff type them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150000", Decimal("150000")),
        ("150.000", Decimal("150000")),  # Vietnamese thousands
        ("150,000", Decimal("150000")),
        ("1.250.000", Decimal("1250000")),
        ("1.250.000,00", Decimal("1250000")),
        ("1,250,000.00", Decimal("1250000")),
        ("150.000 ₫", Decimal("150000")),
        ("150000.00", Decimal("150000")),
        (150000, Decimal("150000")),
        (150000.0, Decimal("150000")),  # a spreadsheet number cell
        (Decimal("99000"), Decimal("99000")),
    ],
)
def test_parse_money_vnd(text, expected):
    amount = parse_money(text, currency="VND")
    assert amount == expected
    assert amount.as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("199.50", Decimal("199.50")),
        ("199,5", Decimal("199.50")),
        ("1,500", Decimal("1500.00")),
        ("1,500.25", Decimal("1500.25")),
        ("1.500", Decimal("1.50")),  # in baht a lone point is the decimal point
        ("฿ 2,000", Decimal("2000.00")),
        (199.5, Decimal("199.50")),
    ],
)
def test_parse_money_thb(text, expected):
    assert parse_money(text, currency="THB") == expected


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("199.50", "VND", "VND amounts have no decimals: “199.50”."),
        ("0.125", "THB", "THB amounts have at most 2 decimals: “0.125”."),
        ("-5", "VND", "An amount cannot be negative."),
        ("12k", "VND", "“12k” is not an amount."),
        ("1.2.3", "VND", "“1.2.3” is not an amount."),
        ("1,2.500,3", "VND", "“1,2.500,3” is not an amount."),
        ("", "VND", "Enter an amount."),
    ],
)
def test_parse_money_refuses(text, currency, message):
    with pytest.raises(ParseError) as caught:
        parse_money(text, currency=currency)
    assert str(caught.value) == message


def test_parse_quantity_and_percent():
    assert [parse_quantity(v) for v in ("12", "1.000", "1,000", 7, 7.0, "3.0")] == [
        12,
        1000,
        1000,
        7,
        7,
        3,
    ]
    for bad in ("1,5", "-1", "x", 2.5):
        with pytest.raises(ParseError):
            parse_quantity(bad)
    assert [parse_percent(v) for v in ("10", "8,5%", "7.00", 10)] == [
        Decimal("10.00"),
        Decimal("8.50"),
        Decimal("7.00"),
        Decimal("10.00"),
    ]
    for bad in ("101", "abc", "5.555"):
        with pytest.raises(ParseError):
            parse_percent(bad)


# --- Dry run ----------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db

HEADER = [
    "product_id",
    "product_name",
    "category",
    "brand",
    "option1_name",
    "option1_value",
    "sku",
    "barcode",
    "cost_price",
    "vat_rate",
    "sale_price",
    "preferred_supplier",
    "variant_active",
    "stock:HCM01",
]


@pytest.fixture
def shop():
    hcm = WarehouseFactory(code="HCM01")
    mug = product_create(
        name="Ly sứ",
        variants=[
            VariantInput(
                sku="LY-01",
                cost_price=Decimal("20000"),
                sale_price=Decimal("59000"),
                initial_stock={hcm.pk: 10},
            )
        ],
    )
    return {"hcm": hcm, "mug": mug}


def row(**cells):
    return [cells.get(column, "") for column in HEADER]


def snapshot():
    return (
        list(Product.objects.order_by("pk").values_list("name", "updated_at")),
        list(Variant.objects.order_by("pk").values_list("sku", "sale_price", "updated_at")),
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved")),
        StockMovement.objects.count(),
        Category.objects.count(),
        Brand.objects.count(),
    )


def test_dry_run_reports_every_problem_by_row_and_column_and_changes_nothing(shop):
    stock_reserve(variant_id=shop["mug"].variants.get().pk, warehouse_id=shop["hcm"].pk, quantity=4)
    before = snapshot()
    rows = [
        row(
            product_name="Áo thun",
            option1_name="Màu",
            option1_value="Đỏ",
            sku="AO-DO",
            sale_price="199.50",
        ),
        row(
            product_name="Áo thun",
            option1_name="Màu",
            option1_value="Xanh",
            sku="ao-do",
            sale_price="199000",
        ),
        row(
            product_name="Áo thun",
            option1_name="Màu",
            option1_value="",
            sku="AO-DEN",
            vat_rate="120",
        ),
        row(product_name="Ly sứ", sku="LY-01", **{"stock:HCM01": "3"}),
        row(product_name="Nồi", sku="NOI 1", preferred_supplier="Không có"),
        row(
            product_name="Chảo",
            sku="CHAO-1",
            product_id="999",
            cost_price="abc",
            variant_active="maybe",
        ),
    ]
    plan = catalogue_import_plan(header=HEADER, rows=rows)
    assert plan.errors == [
        RowError(2, "sale_price", "VND amounts have no decimals: “199.50”."),
        RowError(3, "sku", "SKU ao-do is also on row 2."),
        RowError(4, "option1_value", "Enter a value for Màu."),
        RowError(4, "vat_rate", "Enter a rate from 0 to 100 with at most 2 decimals."),
        RowError(5, "stock:HCM01", "4 units are reserved for orders; on hand cannot be lower."),
        RowError(6, "sku", "SKU NOI 1: use letters, digits and . _ / - (at most 64)."),
        RowError(7, "product_id", "There is no product 999; leave empty for a new product."),
    ]
    assert snapshot() == before


def test_dry_run_checks_the_header_first(shop):
    plan = catalogue_import_plan(
        header=["product_name", "sale price", "stock:XX9", "option1_name"],
        rows=[["A", "1", "2", "x"]],
    )
    assert plan.errors == [
        RowError(1, "sale price", "Unknown column."),
        RowError(1, "stock:XX9", "No warehouse has the code XX9."),
        RowError(
            1, "option1_name", "Option columns come in pairs: option1_name and option1_value."
        ),
        RowError(1, "sku", "This column is required."),
    ]


def test_unknown_category_and_brand_are_created_unknown_supplier_is_an_error(shop):
    SupplierFactory(name="Xưởng Bình Tân")
    header = ["product_name", "category", "brand", "sku", "preferred_supplier"]
    rows = [
        ["Nón lá", "Thời trang / Phụ kiện", "Huế Craft", "NON-1", "xưởng bình tân"],
        ["Nón kết", "thời trang / phụ kiện", "huế craft", "NON-2", "Ai đó"],
    ]
    plan = catalogue_import_plan(header=header, rows=rows)
    assert plan.errors == [RowError(3, "preferred_supplier", "There is no supplier named Ai đó.")]
    rows[1][4] = ""
    plan = catalogue_import_plan(header=header, rows=rows)
    assert plan.ok
    assert plan.summary.categories_created == ["Thời trang / Phụ kiện"]
    assert plan.summary.brands_created == ["Huế Craft"]
    catalogue_import_apply(header=header, rows=rows, filename="non.csv", user_id=None)
    accessories = Category.objects.get(name="Phụ kiện")
    assert accessories.full_name == "Thời trang / Phụ kiện"
    assert set(Product.objects.filter(category=accessories).values_list("name", "brand__name")) == {
        ("Nón lá", "Huế Craft"),
        ("Nón kết", "Huế Craft"),
    }
    assert Variant.objects.get(sku="NON-1").preferred_supplier.name == "Xưởng Bình Tân"


# --- Apply ------------------------------------------------------------------------------------


def test_apply_creates_updates_and_sets_stock_through_the_ledger(shop, make_user):
    user = make_user("manager")
    rows = [
        row(
            product_name="Áo thun",
            option1_name="Màu",
            option1_value="Đỏ",
            sku="AO-DO",
            cost_price="80.000",
            sale_price="165.000",
            **{"stock:HCM01": "12"},
        ),
        row(
            product_name="Áo thun",
            option1_name="Màu",
            option1_value="Xanh",
            sku="AO-XANH",
            cost_price="80000",
            sale_price="165000",
        ),
        row(
            product_id=str(shop["mug"].pk),
            product_name="Ly sứ",
            sku="ly-01",
            sale_price="65.000",
            **{"stock:HCM01": "7"},
        ),
    ]
    summary = catalogue_import_apply(
        header=HEADER, rows=rows, filename="thang-11.csv", user_id=user.pk
    )
    assert (
        summary.products_created,
        summary.products_updated,
        summary.variants_created,
        summary.variants_updated,
        summary.stock_changes,
    ) == (1, 0, 2, 1, 2)
    shirt = Product.objects.get(name="Áo thun")
    assert list(ProductOption.objects.filter(product=shirt).values_list("name", "values")) == [
        ("Màu", ["Đỏ", "Xanh"]),
    ]
    red = Variant.objects.get(sku="AO-DO")
    assert (red.cost_price, red.sale_price, red.vat_rate, red.search_text) == (
        Decimal("80000.00"),
        Decimal("165000.00"),
        Decimal("10.00"),
        "ao-do ao thun do",
    )
    assert Variant.objects.get(sku="LY-01").sale_price == Decimal("65000.00")
    moves = list(
        StockMovement.objects.filter(kind="adjustment")
        .order_by("variant__sku")
        .values_list(
            "variant__sku", "on_hand_delta", "on_hand_after", "reason_code", "source_type",
            "created_by",
        )
    )  # fmt: skip
    assert moves == [
        ("AO-DO", 12, 12, "import", "import", user.pk),
        ("LY-01", -3, 7, "import", "import", user.pk),
    ]
    texts = {m.reason_text for m in StockMovement.objects.filter(kind="adjustment")}
    assert texts == {"Import thang-11.csv"}


def test_apply_is_all_or_nothing(shop):
    """The second product's variants swap their values: the database refuses half way through,
    after the first product was created and stock moved. Nothing of it may remain."""
    pair = product_create(
        name="Dép",
        options=[("Màu", ["Đỏ", "Xanh"])],
        variants=[
            VariantInput(sku="DEP-A", options=("Đỏ",)),
            VariantInput(sku="DEP-B", options=("Xanh",)),
        ],
    )
    before = snapshot()
    rows = [
        row(product_name="Mới", sku="NEW-1", **{"stock:HCM01": "5"}),
        row(product_name="Ly sứ", sku="LY-01", **{"stock:HCM01": "2"}),
        row(
            product_id=str(pair.pk),
            product_name="Dép",
            option1_name="Màu",
            option1_value="Xanh",
            sku="DEP-A",
        ),
        row(
            product_id=str(pair.pk),
            product_name="Dép",
            option1_name="Màu",
            option1_value="Đỏ",
            sku="DEP-B",
        ),
    ]
    assert catalogue_import_plan(header=HEADER, rows=rows).ok  # each row is fine on its own
    with pytest.raises(InventoryError, match="Nothing was changed"):
        catalogue_import_apply(header=HEADER, rows=rows, filename="x.csv", user_id=None)
    assert snapshot() == before


def test_apply_plans_again_and_refuses_when_stock_was_reserved_meanwhile(shop):
    rows = [row(product_name="Ly sứ", sku="LY-01", sale_price="70000", **{"stock:HCM01": "1"})]
    assert catalogue_import_plan(header=HEADER, rows=rows).ok
    stock_reserve(variant_id=shop["mug"].variants.get().pk, warehouse_id=shop["hcm"].pk, quantity=5)
    before = snapshot()
    with pytest.raises(ImportInvalid) as caught:
        catalogue_import_apply(header=HEADER, rows=rows, filename="x.csv", user_id=None)
    assert caught.value.plan.errors == [
        RowError(2, "stock:HCM01", "5 units are reserved for orders; on hand cannot be lower.")
    ]
    assert snapshot() == before


def test_options_must_keep_their_count_and_combinations_stay_unique(shop):
    pair = product_create(
        name="Dép", options=[("Màu", ["Đỏ"])], variants=[VariantInput(sku="DEP-A", options=("Đỏ",))]
    )
    header = [
        "product_id",
        "product_name",
        "option1_name",
        "option1_value",
        "option2_name",
        "option2_value",
        "sku",
    ]
    plan = catalogue_import_plan(
        header=header,
        rows=[
            [pair.pk, "Dép", "Màu", "Đỏ", "Size", "40", "DEP-A"],
        ],
    )
    assert plan.errors == [
        RowError(
            2,
            "option1_name",
            "This product has 1 option; add or remove options in the product editor.",
        )
    ]
    plan = catalogue_import_plan(
        header=header, rows=[[pair.pk, "Dép", "Màu", "đỏ", "", "", "DEP-B"]]
    )
    assert plan.errors == [
        RowError(2, "option1_value", "Variant DEP-A already has these option values.")
    ]
    catalogue_import_apply(
        header=header,
        rows=[[pair.pk, "Dép", "Màu", "Xanh", "", "", "DEP-B"]],
        filename="d.csv",
        user_id=None,
    )
    assert ProductOption.objects.get(product=pair).values == ["Đỏ", "Xanh"]


# --- Round trips ------------------------------------------------------------------------------


@pytest.fixture
def full_catalogue(shop):
    hn = WarehouseFactory(code="HN01")
    supplier = SupplierFactory(name="Xưởng Bình Tân")
    shirts = category_save(name="Áo", parent=category_save(name="Thời trang"))
    product = product_create(
        name='=Áo thun "cổ tròn", cotton',
        category=shirts,
        brand_id=BrandFactory(name="Coolmate").pk,
        description='Dòng 1\nDòng 2; có dấu phẩy, và "ngoặc"',
        specifications=[
            {"name": "Chất liệu", "value": "Cotton 100%"},
            {"name": "Xuất xứ", "value": "Việt Nam"},
        ],
        options=[("Màu", ["Đỏ", "Xanh navy"]), ("Size", ["S", "XL"])],
        variants=[
            VariantInput(
                sku="AO-DO-S",
                options=("Đỏ", "S"),
                barcode="8930001000018",
                cost_price=Decimal("85000"),
                sale_price=Decimal("199000"),
                vat_rate=Decimal("8"),
                weight_grams=220,
                length_cm=30,
                width_cm=25,
                height_cm=2,
                low_stock_threshold=5,
                preferred_supplier_id=supplier.pk,
                initial_stock={shop["hcm"].pk: 12, hn.pk: 3},
            ),
            VariantInput(
                sku="AO-XANH-XL",
                options=("Xanh navy", "XL"),
                sale_price=Decimal("209000"),
                is_active=False,
            ),
        ],
    )
    product.is_active = False
    product.save()
    return product


def _export(client, run_jobs, kind):
    """The catalogue export, started from the page, run as a background job, downloaded."""
    with run_jobs():
        response = client.post(reverse("inventory:product_export"), {"format": kind})
    job = job_of(response)
    job.refresh_from_db()
    assert (job.status, job.kind) == ("done", "catalogue_export")
    assert job.download_name.startswith("catalogue-")
    assert job.download_name.endswith(f".{kind}")
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    return b"".join(download.streaming_content)


def _upload(client, name, content):
    response = client.post(
        reverse("inventory:product_import"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.context["form"].errors
    return response["Location"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_unchanged_changes_nothing(
    client, login_as, full_catalogue, kind, settings, tmp_path, run_jobs
):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    content = _export(client, run_jobs, kind)
    before = snapshot()
    review = client.get(_upload(client, f"catalogue.{kind}", content))
    plan = review.context["plan"]
    assert plan.errors == []
    s = plan.summary
    assert (
        s.rows,
        s.products_created,
        s.products_updated,
        s.variants_created,
        s.variants_updated,
        s.variants_unchanged,
        s.stock_changes,
    ) == (3, 0, 0, 0, 0, 3, 0)
    assert "Nothing to change" in review.content.decode()
    assert "Apply all changes" not in review.content.decode()
    assert snapshot() == before


def _table(kind, content):
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_content_and_applying_it_back_writes_nothing(
    client, login_as, full_catalogue, kind, run_jobs, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("sales")
    header, rows = _table(kind, _export(client, run_jobs, kind))
    assert header[-2:] == ["stock:HCM01", "stock:HN01"]
    record = dict(zip(header, rows[1], strict=True))
    # A text cell starting with "=" stays text: a forced string cell, or a leading ' in CSV.
    expected_name = (
        '=Áo thun "cổ tròn", cotton' if kind == "xlsx" else '\'=Áo thun "cổ tròn", cotton'
    )
    assert record["product_name"] == expected_name
    assert str(record["sku"]) == "AO-DO-S"
    assert str(record["barcode"]) == "8930001000018"
    assert str(record["sale_price"]) == "199000"
    assert str(record["vat_rate"]) == "8"
    assert record["specifications"] == "Chất liệu: Cotton 100%\nXuất xứ: Việt Nam"
    assert [str(record["stock:HCM01"]), str(record["stock:HN01"])] == ["12", "3"]
    before = snapshot()
    summary = catalogue_import_apply(header=header, rows=rows, filename="same", user_id=None)
    assert not summary.has_changes
    assert snapshot() == before


def test_xlsx_edited_in_excel_imports_numbers_and_text(
    client, login_as, shop, settings, tmp_path, run_jobs
):
    settings.MEDIA_ROOT = tmp_path
    manager = login_as("manager")
    book = Workbook()
    sheet = book.active
    sheet.append(["product_name", "sku", "barcode", "sale_price", "cost_price", "stock:HCM01"])
    sheet.append(["Ly sứ", "LY-01", 8930001000018, 65000, 21000.0, 8])
    sheet.append(["Đĩa", "DIA-01", None, "45.000", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    location = _upload(client, "sua.xlsx", buffer.getvalue())
    review = client.get(location)
    assert review.context["plan"].errors == []
    with run_jobs():
        response = client.post(location)
    job = job_of(response)
    job.refresh_from_db()
    assert (job.status, job.kind, job.owner, job.title) == (
        "done",
        "catalogue_import",
        manager,
        "Import sua.xlsx",
    )
    assert job.message == (
        "Import sua.xlsx applied: 1 products created, 0 updated; 1 variants created, "
        "1 updated; 1 stock adjustments."
    )
    assert (job.progress_done, job.progress_total, job.file_name) == (2, 2, "")
    assert job.result_url == reverse("inventory:product_list")
    page = client.get(response["Location"]).content.decode()
    assert job.message in page
    assert f'href="{reverse("inventory:product_list")}"' in page
    mug = Variant.objects.get(sku="LY-01")
    assert (mug.barcode, mug.sale_price, mug.cost_price) == (
        "8930001000018",
        Decimal("65000.00"),
        Decimal("21000.00"),
    )
    assert StockLevel.objects.get(variant=mug).on_hand == 8
    assert Variant.objects.get(sku="DIA-01").sale_price == Decimal("45000.00")
    assert list(tmp_path.joinpath("imports").iterdir()) == []  # the stored file is gone


# --- Pages ------------------------------------------------------------------------------------


def test_import_pages_keep_the_file_between_dry_run_and_apply(
    client, login_as, shop, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    content = "product_name;sku;sale_price\r\nLy sứ;LY-01;60.000\r\nBát;BAT-01;x\r\n".encode()
    location = _upload(client, "gia.csv", content)
    review = client.get(location)
    assert [(e.row, e.column, e.message) for e in review.context["errors"]] == [
        (3, "sale_price", "“x” is not an amount.")
    ]
    assert "Apply all changes" not in review.content.decode()
    refused = client.post(location)
    assert refused.status_code == 200
    assert refused.context["failed"] == "The file has errors; nothing was changed."
    assert Variant.objects.get(sku="LY-01").sale_price == Decimal("59000.00")
    client.post(location.rstrip("/") + "/discard/")
    assert client.get(location).status_code == 404
    assert list(tmp_path.joinpath("imports").iterdir()) == []


def test_an_import_belongs_to_the_session_that_uploaded_it(
    client, login_as, shop, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    location = _upload(client, "a.csv", b"product_name,sku\nLy,LY-01\n")
    login_as("owner")
    assert client.get(location).status_code == 404


def test_upload_refuses_other_files(client, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    response = client.post(
        reverse("inventory:product_import"), {"file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "File extension “txt” is not allowed. Allowed extensions are: csv, xlsx."
    ]
    bad_xlsx = _upload(client, "b.xlsx", b"not a zip")
    response = client.get(bad_xlsx, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This is not an Excel .xlsx file we can read."
    ]
    latin = _upload(client, "c.csv", "product_name,sku\nCà phê,CF-1\n".encode("cp1258"))
    response = client.get(latin, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."
    ]
    assert Product.objects.count() == 0
