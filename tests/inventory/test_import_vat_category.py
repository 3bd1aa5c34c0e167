"""The VAT category column of the catalogue export and import: written as the model's code,
read from the code, KCT / KKKNT or the label in any of our languages, checked with the rate."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from common.money import ParseError
from inventory.models import Variant, VatCategory
from inventory.services.catalogue import VariantInput, product_create
from inventory.services.imports.apply import catalogue_import_apply
from inventory.services.imports.parse import parse_vat_category
from inventory.services.imports.plan import RowError, catalogue_import_plan
from tests.conftest import job_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("rate", "rate"),
        (" RATE ", "rate"),
        ("not_subject", "not_subject"),
        ("not_declared", "not_declared"),
        ("KCT", "not_subject"),
        ("kkknt", "not_declared"),
        ("Not subject to VAT (KCT)", "not_subject"),
        ("Không chịu thuế GTGT (KCT)", "not_subject"),
        ("không kê khai,  tính nộp thuế (KKKNT)", "not_declared"),
        ("ตามอัตราภาษี", "rate"),
    ],
)
def test_the_category_is_read_from_its_code_abbreviation_or_label(cell, expected):
    assert parse_vat_category(cell) == expected


def test_an_unknown_category_says_what_to_write_in_the_users_language():
    with pytest.raises(ParseError) as error:
        parse_vat_category("10%")
    assert str(error.value) == (
        "Write rate (a VAT rate), kct (not subject to VAT) or kkknt (VAT not declared)."
    )
    with translation.override("vi"), pytest.raises(ParseError) as error:
        parse_vat_category("miễn thuế")
    assert str(error.value) == (
        "Ghi rate (theo thuế suất), kct (không chịu thuế GTGT) hoặc kkknt "
        "(không kê khai, tính nộp thuế GTGT)."
    )


@pytest.fixture
def catalogue():
    return product_create(
        name="Nông sản",
        options=[("Loại", ["Gạo", "Hạt giống", "Phế liệu"])],
        variants=[
            VariantInput(sku="GAO-01", options=("Gạo",), sale_price=D("30000"), vat_rate=D("5")),
            VariantInput(
                sku="HAT-01",
                options=("Hạt giống",),
                sale_price=D("12000"),
                vat_category=VatCategory.NOT_SUBJECT,
                vat_rate=D(0),
            ),
            VariantInput(
                sku="PHE-01",
                options=("Phế liệu",),
                sale_price=D("5000"),
                vat_category=VatCategory.NOT_DECLARED,
                vat_rate=D(0),
            ),
        ],
    )


def vat_of_variants():
    return list(Variant.objects.order_by("sku").values_list("sku", "vat_category", "vat_rate"))


def test_the_plan_checks_the_category_with_the_rate_row_by_row(catalogue):
    header = ["product_id", "product_name", "option1_name", "option1_value", "sku"]
    header += ["vat_category", "vat_rate", "sale_price"]
    pid = str(catalogue.pk)
    before = vat_of_variants()
    plan = catalogue_import_plan(
        header=header,
        rows=[
            [pid, "Nông sản", "Loại", "Gạo", "GAO-01", "thuế 0", "", ""],
            [pid, "Nông sản", "Loại", "Hạt giống", "HAT-01", "kct", "10", ""],
            [pid, "Nông sản", "Loại", "Phế liệu", "PHE-01", "rate", "7", ""],
            ["", "Phân bón", "", "", "PB-01", "kkknt", "5", "90000"],
            ["", "Phân vi sinh", "", "", "PVS-01", "rate", "", "90000"],
        ],
    )
    assert plan.errors == [
        RowError(
            2,
            "vat_category",
            "Write rate (a VAT rate), kct (not subject to VAT) or kkknt (VAT not declared).",
        ),
        RowError(
            3,
            "vat_rate",
            "Goods not subject to VAT or not declared have no VAT rate: leave it at 0.",
        ),
        RowError(4, "vat_rate", "The VAT rate must be one of 0, 5, 8, 10 %."),
        RowError(
            5,
            "vat_rate",
            "Goods not subject to VAT or not declared have no VAT rate: leave it at 0.",
        ),
    ]
    assert vat_of_variants() == before


def test_a_blank_rate_beside_a_category_without_rate_is_zero_and_a_blank_category_keeps_its_own(
    catalogue,
):
    header = ["product_id", "product_name", "option1_name", "option1_value", "sku"]
    header += ["vat_category", "vat_rate", "sale_price"]
    pid = str(catalogue.pk)
    rows = [
        # rate 5 % -> KCT, rate left blank: 0
        [pid, "Nông sản", "Loại", "Gạo", "GAO-01", "KCT", "", ""],
        # KCT -> the VAT-rate category at 8 %
        [pid, "Nông sản", "Loại", "Hạt giống", "HAT-01", "rate", "8", ""],
        # blank category: stays KKKNT
        [pid, "Nông sản", "Loại", "Phế liệu", "PHE-01", "", "", "6000"],
        # new variants: blank is the VAT-rate category at 10 %, a category alone has rate 0
        ["", "Phân bón", "", "", "PB-01", "", "", "90000"],
        ["", "Vé số", "", "", "VS-01", "Không kê khai, tính nộp thuế (KKKNT)", "", "10000"],
    ]
    plan = catalogue_import_plan(header=header, rows=rows)
    assert plan.errors == []
    assert (plan.summary.variants_created, plan.summary.variants_updated) == (2, 3)
    catalogue_import_apply(header=header, rows=rows, filename="vat.csv", user_id=None)
    assert vat_of_variants() == [
        ("GAO-01", "not_subject", D("0.00")),
        ("HAT-01", "rate", D("8.00")),
        ("PB-01", "rate", D("10.00")),
        ("PHE-01", "not_declared", D("0.00")),
        ("VS-01", "not_declared", D("0.00")),
    ]
    assert Variant.objects.get(sku="PHE-01").sale_price == D("6000.00")


def _export_table(client, run_jobs, kind):
    with run_jobs():
        response = client.post(reverse("inventory:product_export"), {"format": kind})
    job = job_of(response)
    download = client.get(reverse("job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_round_trip_export_edit_import(
    client, login_as, catalogue, kind, run_jobs, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    header, rows = _export_table(client, run_jobs, kind)
    assert header.index("vat_category") == header.index("vat_rate") - 1
    exported = {
        str(r[header.index("sku")]): (
            r[header.index("vat_category")],
            str(r[header.index("vat_rate")]),
        )
        for r in rows
    }
    assert exported == {
        "GAO-01": ("rate", "5"),
        "HAT-01": ("not_subject", "0"),
        "PHE-01": ("not_declared", "0"),
    }
    before = vat_of_variants()
    assert not catalogue_import_apply(
        header=header, rows=rows, filename="same", user_id=None
    ).has_changes
    assert vat_of_variants() == before
    # Edited as staff would: rice becomes KCT (rate cleared), the seeds 8 %.
    column, rate = header.index("vat_category"), header.index("vat_rate")
    for row in rows:
        if row[header.index("sku")] == "GAO-01":
            row[column], row[rate] = "kct", "0"
        if row[header.index("sku")] == "HAT-01":
            row[column], row[rate] = "rate", "8"
    summary = catalogue_import_apply(header=header, rows=rows, filename="vat", user_id=None)
    assert (summary.variants_updated, summary.variants_unchanged) == (2, 1)
    assert vat_of_variants() == [
        ("GAO-01", "not_subject", D("0.00")),
        ("HAT-01", "rate", D("8.00")),
        ("PHE-01", "not_declared", D("0.00")),
    ]


def test_the_upload_page_explains_the_column(client, login_as):
    login_as("manager")
    page = client.get(reverse("inventory:product_import")).content.decode()
    assert "vat_category" in page
    assert "Percent: 0, 5, 8, 10. 0 or blank for kct and kkknt." in page
