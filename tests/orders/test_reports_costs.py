"""Best sellers without `inventory.view_costs`: no cost, profit or margin in the page, the chart,
the CSV / Excel file or the selector's rows, and no sorting by profit."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from orders.selectors import reports
from tests.orders.test_reports import PERIOD, filters, shop  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# SCARF's cost, profit and margin (tests/orders/test_reports.py::test_best_sellers_csv)
HIDDEN = ("Cost", "Profit", "Margin", "100,000", "144,091", "59.0")


@pytest.fixture
def reader(make_user, client):
    """A sales user who was given the reports, not the costs."""
    user = make_user("sales")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="orders", codename="view_reports")
    )
    client.force_login(user)
    return user


def test_selector_leaves_cost_profit_and_margin_out(shop):  # noqa: F811
    report = reports.best_sellers(filters=filters(), with_costs=False)
    scarf = report.rows[0].figures
    assert (scarf.units, scarf.net_revenue, scarf.cost, scarf.profit, scarf.margin) == (
        5,
        268500,
        None,
        None,
        None,
    )
    with pytest.raises(ValueError, match="profit"):
        reports.best_sellers(filters=filters(), sort=reports.SORT_PROFIT, with_costs=False)


def test_page_without_the_permission(client, reader, shop):  # noqa: F811
    response = client.get(reverse("orders:report_best_sellers"), {**PERIOD, "sort": "profit"})
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["report"].sort == "units"
    assert "268,500" in body
    assert [text for text in HIDDEN if text in body] == []
    assert 'value="profit"' not in body
    index = client.get(reverse("orders:reports")).content.decode()
    assert [text for text in ("cost", "profit", "margin") if text in index.lower()] == []


def test_csv_and_xlsx_without_the_permission(client, reader, shop):  # noqa: F811
    url = reverse("orders:report_best_sellers")
    content = client.get(url, {**PERIOD, "format": "csv"}).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows[:2] == [
        ["SKU", "Product", "Category", "Units sold", "Net revenue", "VAT", "Revenue excl. VAT"],
        ["SCARF", "Khăn <script>alert(1)</script>", "Fashion", "5", "268500", "24409", "244091"],
    ]
    book = load_workbook(io.BytesIO(client.get(url, {**PERIOD, "format": "xlsx"}).content))
    header = [cell.value for cell in next(book.worksheets[0].iter_rows())]
    assert [h for h in header if h in ("Cost", "Profit", "Margin (%)")] == []


@pytest.mark.parametrize("role", ["manager", "accountant"])
def test_page_with_the_permission(client, login_as, shop, role):  # noqa: F811
    login_as(role)
    body = client.get(reverse("orders:report_best_sellers"), PERIOD).content.decode()
    assert [text in body for text in HIDDEN] == [True] * len(HIDDEN)


def test_the_website_api_never_describes_a_cost(client):
    """The OpenAPI document lists every field the API answers with: none is a cost."""
    document = client.get("/api/v1/openapi.json").content.decode().lower()
    assert [word for word in ("cost", "profit", "margin") if word in document] == []
