"""A variant's VAT category: "rate" (0, 5, 8 or 10 % in Vietnam), not subject to VAT (KCT) or
not declared (KKKNT), both without a rate. Kept by PostgreSQL, the catalogue services, the
product editor (with "apply to all rows" and the live profit), the product page and the import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from inventory.errors import InventoryError
from inventory.models import Product, Variant, VatCategory
from inventory.services.catalogue import VariantInput, product_create
from tests.inventory.factories import VariantFactory
from tests.inventory.factories_catalogue import editor_data

D = Decimal
pytestmark = pytest.mark.django_db


def test_existing_variants_default_to_the_rate_category() -> None:
    variant = VariantFactory(vat_rate=D(8))
    variant.refresh_from_db()
    assert (variant.vat_category, variant.vat_rate) == ("rate", D(8))


@pytest.mark.parametrize(
    ("category", "rate", "constraint"),
    [
        ("not_subject", "10", "inventory_variant_vat_rate_zero_without_rate"),
        ("not_declared", "5", "inventory_variant_vat_rate_zero_without_rate"),
        ("exempt", "0", "inventory_variant_vat_category_valid"),
    ],
)
def test_postgresql_refuses_a_rate_without_the_rate_category(category, rate, constraint) -> None:
    variant = VariantFactory(vat_rate=D(10))
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(vat_category=category, vat_rate=D(rate))
    assert constraint in str(refused.value)
    variant.refresh_from_db()
    assert (variant.vat_category, variant.vat_rate) == ("rate", D(10))


def test_the_service_saves_each_category() -> None:
    product = product_create(
        name="Nông sản",
        options=[("Loại", ["Gạo", "Hạt giống", "Cà phê nhân"])],
        variants=[
            VariantInput(sku="GAO-5KG", options=("Gạo",), vat_rate=D(5)),
            VariantInput(
                sku="HAT-GIONG",
                options=("Hạt giống",),
                vat_category=VatCategory.NOT_SUBJECT,
                vat_rate=D(0),
            ),
            VariantInput(
                sku="CA-PHE-NHAN",
                options=("Cà phê nhân",),
                vat_category=VatCategory.NOT_DECLARED,
                vat_rate=D(0),
            ),
        ],
    )
    assert list(
        product.variants.order_by("sku").values_list("sku", "vat_category", "vat_rate")
    ) == [
        ("CA-PHE-NHAN", "not_declared", D(0)),
        ("GAO-5KG", "rate", D(5)),
        ("HAT-GIONG", "not_subject", D(0)),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            VariantInput(sku="A", vat_rate=D(7)),
            "The VAT rate must be one of 0, 5, 8, 10 %.",
        ),
        (
            VariantInput(sku="A", vat_rate=D("10.5")),
            "The VAT rate must be one of 0, 5, 8, 10 %.",
        ),
        (
            VariantInput(sku="A", vat_category=VatCategory.NOT_SUBJECT, vat_rate=D(10)),
            "Goods not subject to VAT or not declared have no VAT rate: leave it at 0.",
        ),
        (
            VariantInput(sku="A", vat_category="exempt", vat_rate=D(0)),
            "Value 'exempt' is not a valid choice.",
        ),
    ],
)
def test_the_service_refuses_a_rate_the_category_cannot_have(row, message) -> None:
    with pytest.raises(InventoryError) as refused:
        product_create(name="Sai thuế", variants=[row])
    assert str(refused.value) == message
    assert (Product.objects.count(), Variant.objects.count()) == (0, 0)


def test_thailand_has_its_own_rates(settings) -> None:
    settings.SHOP_CURRENCY = "THB"
    product_create(name="Thai tea", variants=[VariantInput(sku="TEA", vat_rate=D(7))])
    with pytest.raises(InventoryError) as refused:
        product_create(name="Tea 10", variants=[VariantInput(sku="TEA10", vat_rate=D(10))])
    assert str(refused.value) == "The VAT rate must be one of 0, 7 %."
    assert list(Variant.objects.values_list("sku", "vat_rate")) == [("TEA", D(7))]


def test_the_editor_saves_the_category_and_clears_the_rate(client, login_as) -> None:
    login_as("manager")
    url = reverse("inventory:product_create")
    data = editor_data(client.get(url).context["editor"])
    assert data["v-0-vat_category"] == "rate"
    data.update(
        {
            "name": "Hạt giống rau cải",
            "v-0-sku": "HAT-CAI",
            "v-0-sale_price": "12000",
            "v-0-vat_category": "not_subject",
            "v-0-vat_rate": "10",  # left as it was: the category decides
            "action": "save",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    variant = Variant.objects.get()
    assert (variant.vat_category, variant.vat_rate) == ("not_subject", D(0))
    page = client.get(reverse("inventory:product_detail", args=[variant.product_id]))
    assert "Not subject to VAT (KCT)" in page.content.decode()
    with translation.override("vi"):
        page = client.get(
            reverse("inventory:product_detail", args=[variant.product_id]),
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    assert "Không chịu thuế GTGT (KCT)" in page.content.decode()


def test_the_editor_refuses_a_rate_vietnam_does_not_have(client, login_as) -> None:
    login_as("manager")
    url = reverse("inventory:product_create")
    data = editor_data(client.get(url).context["editor"])
    data.update({"name": "Áo", "v-0-sku": "AO", "v-0-sale_price": "1000", "v-0-vat_rate": "7"})
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["editor"].variants.forms[0].errors
    assert errors == {"vat_rate": ["The VAT rate must be one of 0, 5, 8, 10 %."]}
    assert Product.objects.count() == 0


def test_apply_to_all_rows_sets_the_category(client, login_as) -> None:
    login_as("manager")
    url = reverse("inventory:product_create")
    data = editor_data(client.get(url).context["editor"])
    data.update({"name": "Cà phê nhân", "opt-0-name": "Loại", "opt-0-values": "Robusta, Arabica"})
    data["action"] = "matrix"
    editor = client.post(url, data).context["editor"]
    data = editor_data(editor)
    data.update({"fill-vat_category": "not_declared", "action": "fill"})
    editor = client.post(url, data).context["editor"]
    assert [f["vat_category"].value() for f in editor.variants.forms] == [
        "not_declared",
        "not_declared",
    ]


def test_the_live_profit_takes_no_vat_off_a_kct_price(client, login_as) -> None:
    """12,000 at 10 % is 10,909.09 without VAT: 909 profit over a 10,000 cost; KCT: 2,000."""
    login_as("manager")
    url = reverse("inventory:variant_figures")
    params = {"prefix": "v-0", "v-0-cost_price": "10000", "v-0-sale_price": "12000"}
    taxed = client.get(url, {**params, "v-0-vat_rate": "10", "v-0-vat_category": "rate"})
    assert taxed.content.decode().strip().startswith('<span class="">₫909</span>')
    kct = client.get(url, {**params, "v-0-vat_rate": "10", "v-0-vat_category": "not_subject"})
    assert kct.content.decode().strip() == (
        '<span class="">₫2,000</span><span class="muted small"> · 16.7%</span>'
    )


def test_an_import_cannot_give_a_kct_variant_a_rate_nor_a_rate_vietnam_lacks() -> None:
    from inventory.services.imports.plan import RowError, catalogue_import_plan

    seeds = product_create(
        name="Hạt giống",
        variants=[VariantInput(sku="HAT-01", vat_category=VatCategory.NOT_SUBJECT, vat_rate=D(0))],
    )
    header = ["product_id", "product_name", "sku", "vat_rate", "sale_price"]
    plan = catalogue_import_plan(
        header=header,
        rows=[
            [str(seeds.pk), "Hạt giống", "HAT-01", "10", "12000"],
            ["", "Áo mới", "AO-NEW", "7", "100000"],
            ["", "Sữa", "SUA-01", "8", "27000"],
        ],
    )
    assert plan.errors == [
        RowError(
            2,  # the header is row 1
            "vat_rate",
            "Goods not subject to VAT or not declared have no VAT rate: leave it at 0.",
        ),
        RowError(3, "vat_rate", "The VAT rate must be one of 0, 5, 8, 10 %."),
    ]
    assert list(Variant.objects.values_list("sku", "vat_category", "vat_rate")) == [
        ("HAT-01", "not_subject", D(0))
    ]
