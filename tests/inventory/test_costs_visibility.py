"""Cost price, profit, margin and values at cost are shown only with `inventory.view_costs`
(owner, manager, accountant): product pages and editor, catalogue export and import, purchase
orders, goods receipts, reorder suggestions and stock counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from inventory.models import GoodsReceiptLine, Variant
from inventory.permissions import VIEW_COSTS, can_see_costs
from inventory.services.counts import count_line_set, count_start
from inventory.services.purchasing import ReceiptLineInput, goods_receipt_post
from tests.conftest import job_of
from tests.inventory.factories import (
    ProductFactory,
    SupplierFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_catalogue import editor_data
from tests.inventory.factories_movements import put
from tests.inventory.factories_purchasing import make_order
from tests.inventory.test_purchasing_pdf import needs_pdf, pdf_text

pytestmark = pytest.mark.django_db

# A cost, and the profit it gives at 165.000 incl. 10 % VAT (150,000 - 76,543), as no other
# figure on these pages could spell them.
COST, PROFIT = "76,543", "73,457"
HIDDEN = ("Cost", "Profit", "Margin", COST, PROFIT)


def perm(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def shop():
    hcm = WarehouseFactory(code="HCM01")
    supplier = SupplierFactory(name="Dệt May Hòa Bình")
    variant = VariantFactory(
        product=ProductFactory(name="Áo thun cổ tròn"),
        sku="AO-01",
        cost_price=Decimal("76543"),
        sale_price=Decimal("165000"),
        vat_rate=Decimal("10"),
        preferred_supplier=supplier,
        low_stock_threshold=20,  # so that it is suggested for reordering
    )
    put(variant, hcm, 3)
    return {"hcm": hcm, "supplier": supplier, "variant": variant, "product": variant.product}


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def assert_hidden(html: str, *extra: str) -> None:
    assert [text for text in (*HIDDEN, *extra) if text in html] == []


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", True),
        ("manager", True),
        ("accountant", True),
        ("sales", False),
        ("warehouse", False),
    ],
)
def test_only_owner_manager_and_accountant_may_see_costs(make_user, role, sees):
    user = make_user(role)
    assert (user.has_perm(VIEW_COSTS), can_see_costs(user)) == (sees, sees)


def test_the_permission_has_a_translated_name():
    assert perm(VIEW_COSTS).name == "Can see costs and profit"


# --- Product page and editor ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "warehouse"])
def test_product_page_hides_cost_profit_and_margin(client, login_as, shop, role):
    login_as(role)
    html = page(client, reverse("inventory:product_detail", args=[shop["product"].pk]))
    assert "165,000" in html
    assert_hidden(html)


@pytest.mark.parametrize("role", ["manager", "accountant"])
def test_product_page_shows_cost_profit_and_margin(client, login_as, shop, role):
    login_as(role)
    html = page(client, reverse("inventory:product_detail", args=[shop["product"].pk]))
    assert [text in html for text in HIDDEN] == [True] * len(HIDDEN)


def catalogue_editor_without_costs(make_user, client):
    """A sales user who was also given the right to edit the catalogue, not to see costs."""
    user = make_user("sales")
    user.user_permissions.add(
        *(
            perm(p)
            for p in (
                "inventory.add_product",
                "inventory.change_product",
                "inventory.add_variant",
                "inventory.change_variant",
            )
        )
    )
    client.force_login(user)
    return user


def test_editor_without_the_permission_has_no_cost_field_and_keeps_the_cost(
    client, make_user, shop
):
    catalogue_editor_without_costs(make_user, client)
    url = reverse("inventory:product_edit", args=[shop["product"].pk])
    response = client.get(url)
    html = response.content.decode()
    assert_hidden(html, "cost_price", "figures")
    data = editor_data(response.context["editor"])
    assert [key for key in data if "cost" in key] == []
    data.update({"v-0-sale_price": "175000", "action": "save"})
    saved = client.post(url, data)
    assert saved.status_code == 302
    variant = Variant.objects.get(pk=shop["variant"].pk)
    assert (variant.sale_price, variant.cost_price) == (Decimal("175000"), Decimal("76543"))


def test_editor_without_the_permission_ignores_a_posted_cost(client, make_user, shop):
    catalogue_editor_without_costs(make_user, client)
    url = reverse("inventory:product_edit", args=[shop["product"].pk])
    data = editor_data(client.get(url).context["editor"])
    data.update({"v-0-cost_price": "1000", "fill-cost_price": "2000", "action": "save"})
    assert client.post(url, data).status_code == 302
    assert Variant.objects.get(pk=shop["variant"].pk).cost_price == Decimal("76543")


def test_editor_with_the_permission_edits_the_cost(client, login_as, shop):
    login_as("manager")
    url = reverse("inventory:product_edit", args=[shop["product"].pk])
    response = client.get(url)
    html = response.content.decode()
    assert ["v-0-cost_price" in html, "Cost" in html, PROFIT in html] == [True, True, True]
    data = editor_data(response.context["editor"])
    data.update({"v-0-cost_price": "70000", "action": "save"})
    assert client.post(url, data).status_code == 302
    assert Variant.objects.get(pk=shop["variant"].pk).cost_price == Decimal("70000")


def test_live_profit_figures_need_the_permission(client, login_as, make_user, shop):
    params = {"prefix": "v-0", "v-0-cost_price": "76543", "v-0-sale_price": "165000"}
    url = reverse("inventory:variant_figures")
    catalogue_editor_without_costs(make_user, client)
    assert client.get(url, params).status_code == 403
    login_as("manager")
    assert PROFIT in page(client, url, **params)


# --- Catalogue export and import ---------------------------------------------------------------


def export(client, run_jobs, kind: str) -> tuple[list, list[list]]:
    """The export as its starter downloads it once its background job is done."""
    with run_jobs():
        started = client.post(reverse("inventory:product_export"), {"format": kind})
    job = job_of(started)
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["sales", "warehouse"])
def test_export_leaves_the_cost_column_out(
    client, login_as, shop, kind, role, run_jobs, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as(role)
    header, rows = export(client, run_jobs, kind)
    assert "cost_price" not in header
    assert len(header) == len(rows[0])
    assert [str(cell) for cell in rows[0] if str(cell) in ("76543", "76543.00")] == []
    assert str(dict(zip(header, rows[0], strict=True))["sale_price"]) == "165000"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["manager", "accountant"])
def test_export_has_the_cost_column_for_those_who_may_see_it(
    client, login_as, shop, kind, role, run_jobs, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login_as(role)
    header, rows = export(client, run_jobs, kind)
    assert str(dict(zip(header, rows[0], strict=True))["cost_price"]) == "76543"


def importer_without_costs(make_user, client):
    user = catalogue_editor_without_costs(make_user, client)
    user.user_permissions.add(perm("inventory.add_stockmovement"))
    return user


def upload(client, rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = client.post(
        reverse("inventory:product_import"),
        {"file": SimpleUploadedFile("catalogue.csv", buffer.getvalue().encode())},
    )
    assert response.status_code == 302
    return response["Location"]


def test_import_with_a_cost_column_is_refused_without_the_permission(
    client, make_user, shop, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    importer_without_costs(make_user, client)
    review = upload(
        client,
        [
            ["product_id", "product_name", "sku", "cost_price", "sale_price"],
            [str(shop["product"].pk), "Áo thun cổ tròn", "AO-01", "1000", "170000"],
        ],
    )
    plan = client.get(review).context["plan"]
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (1, "cost_price", "You may not import cost prices.")
    ]
    applied = client.post(review)
    assert applied.status_code == 200
    variant = Variant.objects.get(pk=shop["variant"].pk)
    assert (variant.cost_price, variant.sale_price) == (Decimal("76543"), Decimal("165000"))


def test_import_without_a_cost_column_keeps_the_cost(
    client, make_user, shop, settings, tmp_path, run_jobs
):
    settings.MEDIA_ROOT = tmp_path
    importer_without_costs(make_user, client)
    upload_page = page(client, reverse("inventory:product_import"))
    assert "cost_price" not in upload_page
    review = upload(
        client,
        [
            ["product_id", "product_name", "sku", "sale_price"],
            [str(shop["product"].pk), "Áo thun cổ tròn", "AO-01", "170000"],
        ],
    )
    with run_jobs():
        job = job_of(client.post(review))
    job.refresh_from_db()
    assert (job.status, job.params["with_costs"]) == ("done", False)
    variant = Variant.objects.get(pk=shop["variant"].pk)
    assert (variant.cost_price, variant.sale_price) == (Decimal("76543"), Decimal("170000"))


def test_import_with_a_cost_column_by_a_manager_changes_the_cost(
    client, login_as, shop, settings, tmp_path, run_jobs
):
    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    assert "cost_price" in page(client, reverse("inventory:product_import"))
    review = upload(
        client,
        [
            ["product_id", "product_name", "sku", "cost_price"],
            [str(shop["product"].pk), "Áo thun cổ tròn", "AO-01", "70000"],
        ],
    )
    with run_jobs():
        job = job_of(client.post(review))
    job.refresh_from_db()
    assert (job.status, job.params["with_costs"]) == ("done", True)
    assert Variant.objects.get(pk=shop["variant"].pk).cost_price == Decimal("70000")


# --- Purchasing --------------------------------------------------------------------------------


@pytest.fixture
def purchase(shop):
    order = make_order(
        supplier=shop["supplier"],
        warehouse=shop["hcm"],
        lines=[(shop["variant"], 4, "76543")],
        confirm=True,
    )
    receipt = goods_receipt_post(
        order_id=order.pk, lines=[ReceiptLineInput(order.lines.get().pk, 1)]
    )
    return {"order": order, "receipt": receipt}


def purchasing_pages(purchase) -> list[str]:
    order, receipt = purchase["order"], purchase["receipt"]
    return [
        reverse("inventory:purchase_order_list"),
        reverse("inventory:purchase_order_detail", args=[order.pk]),
        reverse("inventory:goods_receipt_list"),
        reverse("inventory:goods_receipt_detail", args=[receipt.pk]),
        reverse("inventory:goods_receipt_create", args=[order.pk]),
        reverse("inventory:reorder_suggestions"),
    ]


def test_warehouse_sees_purchasing_documents_without_prices(client, login_as, purchase):
    login_as("warehouse")
    for url in purchasing_pages(purchase):
        # 76,543 x 4 plus 10 % VAT, and 76,543 x 1 received
        assert_hidden(page(client, url), "Unit cost", "306,172", "336,789", "unit_cost"), url


def test_accountant_sees_the_prices_of_purchasing_documents(client, login_as, purchase):
    login_as("accountant")
    order_pages = purchasing_pages(purchase)
    del order_pages[4]  # receiving needs add_goodsreceipt
    for url in order_pages:  # the list shows the order's total: 76,543 x 4 + 10 % VAT
        html = page(client, url)
        assert COST in html or "336,789" in html, url


def test_purchase_order_form_helpers_need_the_permission(client, login_as, purchase, shop):
    login_as("warehouse")
    line = client.post(reverse("inventory:purchase_order_line"), {"variant": shop["variant"].pk})
    preview = client.post(reverse("inventory:purchase_order_preview"))
    assert (line.status_code, preview.status_code) == (403, 403)


def test_warehouse_receives_at_the_order_price(client, login_as, purchase):
    login_as("warehouse")
    order = purchase["order"]
    line = order.lines.get()
    response = client.post(
        reverse("inventory:goods_receipt_create", args=[order.pk]),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-order_line": str(line.pk),
            "lines-0-quantity": "3",
            "lines-0-unit_cost": "1",
            "warehouse": str(order.warehouse_id),
            "notes": "",
            "token": "b" * 32,
        },
    )
    assert response.status_code == 302
    received = GoodsReceiptLine.objects.exclude(receipt=purchase["receipt"]).get()
    assert (received.quantity, received.unit_cost) == (3, Decimal("76543"))


@needs_pdf
@pytest.mark.parametrize(("role", "priced"), [("warehouse", False), ("accountant", True)])
def test_purchase_order_pdf_has_prices_only_with_the_permission(
    client, login_as, purchase, role, priced
):
    login_as(role)
    response = client.get(reverse("inventory:purchase_order_pdf", args=[purchase["order"].pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert ["AO-01" in text, COST in text, "336,789" in text] == [True, priced, priced]


# --- Stock counts ------------------------------------------------------------------------------


@pytest.fixture
def count(shop):
    started = count_start(warehouse_id=shop["hcm"].pk)
    line = started.lines.get()
    count_line_set(count_id=started.pk, line_id=line.pk, counted=1)  # 2 short: -153,086
    return started


@pytest.mark.parametrize("role", ["warehouse"])
def test_count_pages_show_units_not_values(client, login_as, count, role):
    login_as(role)
    for url in (
        reverse("inventory:count_detail", args=[count.pk]),
        reverse("inventory:count_post", args=[count.pk]),
    ):
        assert_hidden(page(client, url), "Unit cost", "153,086"), url


def test_count_page_shows_values_to_the_accountant(client, login_as, count):
    login_as("accountant")
    html = page(client, reverse("inventory:count_detail", args=[count.pk]))
    assert [COST in html, "153,086" in html] == [True, True]
