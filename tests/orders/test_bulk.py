"""Bulk actions of the order list: confirm, cancel, assign a warehouse (each order on its own,
reported one by one), the picking list PDF, CSV and Excel exports, caps and permissions."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import User
from inventory.services.stock import stock_receive
from orders.errors import Shortage
from orders.forms_list import BulkSelectionForm
from orders.models import Order, OrderEvent
from orders.services.bulk import (
    DONE,
    REFUSED,
    UNCHANGED,
    BulkResult,
    orders_bulk_assign_warehouse,
    orders_bulk_cancel,
    orders_bulk_confirm,
)
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_cancel, order_confirm, order_ship
from tests.inventory.factories import ProductFactory
from tests.orders.factories import (
    BANGKOK_ADDRESS,
    HCM_ADDRESS,
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def statuses(*orders: Order) -> list[str]:
    return [Order.objects.get(pk=o.pk).status for o in orders]


@pytest.fixture
def shop(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    hn = WarehouseFactory(code="HN01", name="Kho Hà Nội")
    shirt = stocked_variant(
        hcm,
        5,
        price="150000",
        sku="AO-001",
        product=ProductFactory(name="Áo thun cổ tròn"),
        option1="Đỏ",
        option2="XL",
        barcode="8930000000017",
    )
    silk = stocked_variant(
        hcm, 10, price="420000", sku="SILK-01", product=ProductFactory(name="ผ้าไหมไทย")
    )
    stock_receive(variant_id=shirt.pk, warehouse_id=hn.pk, quantity=4)
    buyer = make_customer(name="Nguyễn Thị Hoa", phones=("0912 345 678",))
    return {"hcm": hcm, "hn": hn, "shirt": shirt, "silk": silk, "buyer": buyer}


def three_orders(shop):
    """Oldest first: 2 shirts, 10 shirts (more than the 5 in stock), 1 silk."""
    buyer, hcm, shirt, silk = shop["buyer"], shop["hcm"], shop["shirt"], shop["silk"]
    first = make_order(buyer, hcm, [(shirt, 2)], now=local(2025, 3, 1, 9, 0))
    short = make_order(buyer, hcm, [(shirt, 10)], now=local(2025, 3, 1, 10, 0))
    third = make_order(buyer, hcm, [(silk, 1)], now=local(2025, 3, 1, 11, 0))
    return first, short, third


# --- Confirm ----------------------------------------------------------------------------------


def test_bulk_confirm_confirms_the_others_and_reports_the_short_one(shop):
    first, short, third = three_orders(shop)
    results = orders_bulk_confirm(order_ids=[third.pk, short.pk, first.pk], user_id=None)
    message = (
        f"Not enough stock in HCM01 for order {short.number}: AO-001: 10 requested, 3 available."
    )
    assert results == [
        BulkResult(order_id=first.pk, number=first.number, outcome=DONE),
        BulkResult(
            order_id=short.pk,
            number=short.number,
            outcome=REFUSED,
            message=message,
            shortages=(
                Shortage(variant_id=shop["shirt"].pk, sku="AO-001", requested=10, available=3),
            ),
        ),
        BulkResult(order_id=third.pk, number=third.number, outcome=DONE),
    ]
    assert statuses(first, short, third) == ["processing", "new", "processing"]
    assert level(shop["shirt"], shop["hcm"]) == (5, 2)
    assert level(shop["silk"], shop["hcm"]) == (10, 1)
    assert short.lines.get().quantity_reserved == 0
    assert OrderEvent.objects.filter(order=short).values_list("kind", flat=True).get() == "created"


def test_bulk_confirm_page_reports_each_order(client, login_as, shop):
    login_as("sales")
    first, short, third = three_orders(shop)
    response = client.post(
        reverse("orders:order_bulk_confirm"),
        {"order": [first.pk, short.pk, third.pk], "query": "status=new&page=2"},
    )
    assert response.status_code == 200
    assert [(r.number, r.outcome) for r in response.context["results"]] == [
        (first.number, DONE),
        (short.number, REFUSED),
        (third.number, DONE),
    ]
    html = response.content.decode()
    assert "2 orders done" in html
    assert "1 order refused" in html
    assert (
        f"Not enough stock in HCM01 for order {short.number}: AO-001: 10 requested, "
        "3 available." in html
    )
    assert "7 missing (10 requested, 3 available)" in html
    assert 'href="/orders/?status=new"' in html  # back to the list as it was, page dropped
    assert statuses(first, short, third) == ["processing", "new", "processing"]


def test_bulk_confirm_over_htmx_returns_the_report_and_reloads_the_table(client, login_as, shop):
    login_as("sales")
    first, short, _third = three_orders(shop)
    response = client.post(
        reverse("orders:order_bulk_confirm"),
        {"order": [first.pk, short.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "orders-changed"
    html = response.content.decode()
    assert html.startswith('<section id="bulk-report"')
    assert "<html" not in html
    assert "data-close-report" in html


def test_bulk_confirm_all_matching_the_filter(client, login_as, shop):
    login_as("sales")
    buyer, hcm, silk = shop["buyer"], shop["hcm"], shop["silk"]
    website = make_order(buyer, hcm, [(silk, 1)], channel="website", now=local(2025, 3, 2, 8))
    shopee = make_order(buyer, hcm, [(silk, 1)], channel="shopee", now=local(2025, 3, 2, 9))
    response = client.post(
        reverse("orders:order_bulk_confirm"),
        {"scope": "filter", "query": "channel=shopee&status=new", "order": [website.pk]},
    )
    assert [r.number for r in response.context["results"]] == [shopee.number]
    assert statuses(website, shopee) == ["new", "processing"]


def test_selection_is_capped():
    form = BulkSelectionForm(QueryDict("order=1&order=2&order=3"), limit=2)
    assert not form.is_valid()
    assert form.errors["__all__"] == [
        "More than 2 orders are selected: narrow the filter down to at most 2 orders at a time."
    ]
    form = BulkSelectionForm(QueryDict("order=1&order=2&order=2"), limit=2)
    assert form.is_valid()
    assert form.order_ids == [1, 2]


def test_filter_scope_is_capped(client, login_as, shop):
    login_as("sales")
    orders = [
        make_order(shop["buyer"], shop["hcm"], [(shop["silk"], 1)], channel="shopee")
        for _ in range(3)
    ]
    form = BulkSelectionForm(QueryDict("scope=filter&query=channel%3Dshopee"), limit=2)
    assert not form.is_valid()
    form = BulkSelectionForm(QueryDict("scope=filter&query=channel%3Dshopee"), limit=3)
    assert form.is_valid()
    assert form.order_ids == [o.pk for o in reversed(orders)]


def test_empty_selection_changes_nothing(client, login_as, shop):
    login_as("sales")
    first, _short, _third = three_orders(shop)
    response = client.post(reverse("orders:order_bulk_confirm"), {"query": "channel=phone"})
    assert response.status_code == 302
    assert response["Location"] == "/orders/?channel=phone"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Select at least one order."]
    response = client.post(reverse("orders:order_bulk_confirm"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Select at least one order." in response.content.decode()
    assert statuses(first) == ["new"]


def test_warehouse_role_cannot_confirm(client, login_as, shop):
    login_as("warehouse")
    first, _short, _third = three_orders(shop)
    response = client.post(reverse("orders:order_bulk_confirm"), {"order": [first.pk]})
    assert response.status_code == 403
    assert statuses(first) == ["new"]
    assert level(shop["shirt"], shop["hcm"]) == (5, 0)


def test_bulk_actions_accept_post_only(client, login_as):
    login_as("owner")
    for name in ("confirm", "cancel", "assign", "picking_list", "export"):
        assert client.get(reverse(f"orders:order_bulk_{name}")).status_code == 405


# --- Cancel -----------------------------------------------------------------------------------


def test_bulk_cancel_releases_stock(shop):
    first, _short, third = three_orders(shop)
    order_confirm(order_id=first.pk, user_id=None)
    shipped = make_order(shop["buyer"], shop["hcm"], [(shop["silk"], 2)])
    order_confirm(order_id=shipped.pk, user_id=None)
    order_ship(order_id=shipped.pk, user_id=None)
    assert level(shop["shirt"], shop["hcm"]) == (5, 2)
    results = orders_bulk_cancel(
        order_ids=[first.pk, third.pk, shipped.pk], user_id=None, reason="Khách đổi ý"
    )
    assert results == [
        BulkResult(order_id=first.pk, number=first.number, outcome=DONE),
        BulkResult(order_id=third.pk, number=third.number, outcome=DONE),
        BulkResult(
            order_id=shipped.pk,
            number=shipped.number,
            outcome=REFUSED,
            message=f"Order {shipped.number} is Shipped: it cannot be cancelled.",
        ),
    ]
    assert statuses(first, third, shipped) == ["cancelled", "cancelled", "shipped"]
    assert level(shop["shirt"], shop["hcm"]) == (5, 0)
    assert level(shop["silk"], shop["hcm"]) == (8, 0)
    event = OrderEvent.objects.filter(order=first, kind="status_changed").latest("id")
    assert event.data == {"reason": "Khách đổi ý", "released": {"AO-001": 2}}


def test_bulk_cancel_needs_a_reason(client, login_as, shop):
    login_as("sales")
    first, _short, _third = three_orders(shop)
    order_confirm(order_id=first.pk, user_id=None)
    response = client.post(
        reverse("orders:order_bulk_cancel"), {"order": [first.pk], "reason": "  "}
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Write why the orders are cancelled."
    ]
    assert statuses(first) == ["processing"]
    assert level(shop["shirt"], shop["hcm"]) == (5, 2)
    response = client.post(
        reverse("orders:order_bulk_cancel"), {"order": [first.pk], "reason": "Hết hàng"}
    )
    assert response.status_code == 200
    assert statuses(first) == ["cancelled"]
    assert level(shop["shirt"], shop["hcm"]) == (5, 0)


# --- Assign a warehouse -----------------------------------------------------------------------


def test_bulk_assign_warehouse(shop):
    buyer, hcm, hn, shirt, silk = (shop[k] for k in ("buyer", "hcm", "hn", "shirt", "silk"))
    unassigned = make_order(buyer, None, [(shirt, 1)], now=local(2025, 3, 1, 8))
    reserved = make_order(buyer, hcm, [(shirt, 2)], now=local(2025, 3, 1, 9))
    order_confirm(order_id=reserved.pk, user_id=None)
    already = make_order(buyer, hn, [(shirt, 1)], now=local(2025, 3, 1, 10))
    too_big = make_order(buyer, hcm, [(shirt, 3)], now=local(2025, 3, 1, 11))
    order_confirm(order_id=too_big.pk, user_id=None)
    shipped = make_order(buyer, hcm, [(silk, 1)], now=local(2025, 3, 1, 12))
    order_confirm(order_id=shipped.pk, user_id=None)
    order_ship(order_id=shipped.pk, user_id=None)
    assert level(shirt, hcm) == (5, 5)

    results = orders_bulk_assign_warehouse(
        order_ids=[o.pk for o in (unassigned, reserved, already, too_big, shipped)],
        warehouse_id=hn.pk,
        user_id=None,
    )
    assert [(r.number, r.outcome, r.message) for r in results] == [
        (unassigned.number, DONE, ""),
        (reserved.number, DONE, ""),
        (already.number, UNCHANGED, ""),
        (
            too_big.number,
            REFUSED,
            f"Not enough stock in HN01 for order {too_big.number}: "
            "AO-001: 3 requested, 2 available.",
        ),
        (shipped.number, REFUSED, f"Order {shipped.number} is Shipped: it cannot be edited."),
    ]
    warehouses = dict(
        Order.objects.filter(pk__in=[o.pk for o in results_orders(results)]).values_list(
            "number", "warehouse__code"
        )
    )
    assert warehouses == {
        unassigned.number: "HN01",
        reserved.number: "HN01",
        already.number: "HN01",
        too_big.number: "HCM01",
        shipped.number: "HCM01",
    }
    # the reservation of the processing order moved with it; the refused one kept its own
    assert level(shirt, hcm) == (5, 3)
    assert level(shirt, hn) == (4, 2)


def results_orders(results):
    return Order.objects.filter(number__in=[r.number for r in results])


def test_bulk_assign_page_needs_an_active_warehouse(client, login_as, shop):
    login_as("sales")
    order = make_order(shop["buyer"], None, [(shop["shirt"], 1)])
    closed = WarehouseFactory(code="OLD01", is_active=False)
    for value in ("", str(closed.pk), "abc"):
        response = client.post(
            reverse("orders:order_bulk_assign"), {"order": [order.pk], "warehouse": value}
        )
        assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).warehouse_id is None
    response = client.post(
        reverse("orders:order_bulk_assign"), {"order": [order.pk], "warehouse": shop["hn"].pk}
    )
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).warehouse_id == shop["hn"].pk


def test_warehouse_role_cannot_assign_or_cancel(client, login_as, shop):
    login_as("warehouse")
    order = make_order(shop["buyer"], None, [(shop["shirt"], 1)])
    assert (
        client.post(
            reverse("orders:order_bulk_assign"), {"order": [order.pk], "warehouse": shop["hn"].pk}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("orders:order_bulk_cancel"), {"order": [order.pk], "reason": "x"}
        ).status_code
        == 403
    )
    assert statuses(order) == ["new"]
    assert Order.objects.get(pk=order.pk).warehouse_id is None


# --- Picking list -----------------------------------------------------------------------------


needs_pdf = pytest.mark.needs("weasyprint", "pdftotext")


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@needs_pdf
def test_picking_list_pdf(client, login_as, shop, settings):
    settings.SHOP_NAME = "Cửa hàng Ánh Dương"
    login_as("warehouse")
    buyer, hcm, hn, shirt, silk = (shop[k] for k in ("buyer", "hcm", "hn", "shirt", "silk"))
    thai = make_customer(
        name="Somchai Jaidee", phones=("081-234-5678",), addresses=(BANGKOK_ADDRESS,)
    )
    one = make_order(buyer, hcm, [(shirt, 2), (silk, 1)], now=local(2025, 3, 1, 9))
    two = make_order(thai, hcm, [(silk, 3)], now=local(2025, 3, 1, 10))
    order_confirm(order_id=two.pk, user_id=None)
    north = make_order(buyer, hn, [(shirt, 4)], now=local(2025, 3, 1, 11))
    cancelled = make_order(buyer, hcm, [(shirt, 1)], now=local(2025, 3, 1, 12))
    order_cancel(order_id=cancelled.pk, user_id=None)
    response = client.post(
        reverse("orders:order_bulk_picking_list"),
        {"order": [one.pk, two.pk, north.pk, cancelled.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="picking-list-')
    text = pdf_text(response.content)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    for expected in [
        "Cửa hàng Ánh Dương",
        "PICKING LIST Orders: 3",
        "HCM01 · Kho Hồ Chí Minh 2 orders, 6 units",
        "SKU PRODUCT BARCODE QUANTITY",
        "AO-001 Áo thun cổ tròn (Đỏ / XL) 8930000000017 2",
        "SILK-01 ผ้าไหมไทย 4",
        f"{one.number} · Nguyễn Văn An · 0912 345 678 Phone · New · 01/03/2025 09:00",
        "AO-001 Áo thun cổ tròn (Đỏ / XL) 2",
        "SILK-01 ผ้าไหมไทย 1",
        f"{two.number} · Somchai Jaidee · +66 81 234 5678 Phone · Processing · 01/03/2025 10:00",
        "SILK-01 ผ้าไหมไทย 3",
        "HN01 · Kho Hà Nội 1 order, 4 units",
        "AO-001 Áo thun cổ tròn (Đỏ / XL) 8930000000017 4",
        f"{north.number} · Nguyễn Văn An · 0912 345 678 Phone · New · 01/03/2025 11:00",
        "AO-001 Áo thun cổ tròn (Đỏ / XL) 4",
        f"Left out (already shipped, finished or cancelled): {cancelled.number} (Cancelled)",
    ]:
        assert expected in lines, "\n".join(lines)
    # HCM01 first, then HN01 on its own page; the cancelled order is in no total
    assert text.index("HCM01 · Kho") < text.index("HN01 · Kho")
    assert "\f" in text[text.index("HCM01 · Kho") : text.index("HN01 · Kho")]
    assert text.count("AO-001") == 4


def test_accountant_may_print_but_user_without_export_may_not(client, login_as, shop):
    order = make_order(shop["buyer"], shop["hcm"], [(shop["shirt"], 1)])
    user = User.objects.create_user(username="viewer", password="x-Long-passw0rd")
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(user)
    assert client.get("/orders/").status_code == 200
    for name in ("picking_list", "export"):
        response = client.post(reverse(f"orders:order_bulk_{name}"), {"order": [order.pk]})
        assert response.status_code == 403


# --- Exports ----------------------------------------------------------------------------------


@pytest.fixture
def exported(shop):
    buyer, hcm, shirt, silk = shop["buyer"], shop["hcm"], shop["shirt"], shop["silk"]
    late = make_order(
        buyer,
        hcm,
        [(shirt, 2), (silk, 1)],
        channel="shopee",
        external_number="=2503ABC",
        payment_method="marketplace",
        shipping_fee=Decimal("30000"),
        notes="Giao giờ hành chính",
        # A gift: the recipient is another person, with her own phone.
        shipping=dataclasses.replace(
            HCM_ADDRESS, recipient_name="Lê Thị Mai", recipient_phone="0903 333 444"
        ),
        now=local(2025, 3, 5, 23, 59),
    )
    order_payment_record(
        order_id=late.pk,
        kind="payment",
        amount=Decimal("100000"),
        method="marketplace",
        user_id=None,
    )
    early = make_order(
        buyer, None, [(silk, 1)], discount_total=Decimal("20000"), now=local(2025, 3, 1, 8, 5)
    )
    return early, late


def test_csv_export(client, login_as, exported):
    login_as("accountant")
    early, late = exported
    response = client.post(
        reverse("orders:order_bulk_export"), {"order": [late.pk, early.pk], "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    body = b"".join(response.streaming_content).decode("utf-8")
    address = "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    assert body.split("\r\n") == [
        "\ufeffNumber,Created,Channel,Channel order number,Status,Payment status,"
        "Payment method,Customer,Customer phone,Recipient,Recipient phone,Address,Warehouse,"
        "Currency,Subtotal,Order discount,Shipping fee,VAT,Total,Paid,Lines,Notes",
        f"{late.number},2025-03-05 23:59,Shopee,'=2503ABC,New,Paid,"
        f"Paid on marketplace,Nguyễn Thị Hoa,0912 345 678,Lê Thị Mai,0903 333 444,"
        f'"{address}",HCM01,VND,'
        "720000,0,30000,65455,750000,750000,AO-001 x 2; SILK-01 x 1,Giao giờ hành chính",
        f"{early.number},2025-03-01 08:05,Phone,,New,Unpaid,Cash on delivery,Nguyễn Thị Hoa,"
        f'0912 345 678,Nguyễn Văn An,0912 345 678,"{address}",,VND,420000,20000,0,36364,400000,0,'
        "SILK-01 x 1,",
        "",
    ]


def test_xlsx_export(client, login_as, exported):
    login_as("sales")
    early, late = exported
    response = client.post(
        reverse("orders:order_bulk_export"),
        {"scope": "filter", "query": "sort=created", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Orders", "Order lines"]
    orders = [list(row) for row in workbook["Orders"].iter_rows(values_only=True)]
    address = "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    assert orders == [
        [
            "Number", "Created", "Channel", "Channel order number", "Status", "Payment status",
            "Payment method", "Customer", "Customer phone", "Recipient", "Recipient phone",
            "Address", "Warehouse",
            "Currency", "Subtotal", "Order discount", "Shipping fee", "VAT", "Total", "Paid",
            "Lines", "Notes",
        ],
        [
            early.number, datetime(2025, 3, 1, 8, 5), "Phone", None, "New", "Unpaid",
            "Cash on delivery", "Nguyễn Thị Hoa", "0912 345 678", "Nguyễn Văn An", "0912 345 678",
            address,
            None, "VND", 420000, 20000, 0, 36364, 400000, 0, "SILK-01 x 1", None,
        ],
        [
            late.number, datetime(2025, 3, 5, 23, 59), "Shopee", "=2503ABC", "New",
            "Paid", "Paid on marketplace", "Nguyễn Thị Hoa", "0912 345 678",
            "Lê Thị Mai", "0903 333 444", address, "HCM01", "VND", 720000, 0, 30000, 65455,
            750000, 750000, "AO-001 x 2; SILK-01 x 1", "Giao giờ hành chính",
        ],
    ]  # fmt: skip
    sheet = workbook["Orders"]
    assert sheet["O2"].number_format == "#,##0"
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["D3"].data_type == "s"  # "=2503ABC" stays text
    lines = [list(row) for row in workbook["Order lines"].iter_rows(values_only=True)]
    assert lines == [
        ["Number", "SKU", "Product", "Quantity", "Unit price", "Discount", "VAT rate (%)",
         "Line total", "Currency"],
        [early.number, "SILK-01", "ผ้าไหมไทย", 1, 420000, 0, 10, 420000, "VND"],
        [late.number, "AO-001", "Áo thun cổ tròn (Đỏ / XL)", 2, 150000, 0, 10, 300000, "VND"],
        [late.number, "SILK-01", "ผ้าไหมไทย", 1, 420000, 0, 10, 420000, "VND"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Thuế suất VAT (%)"), ("th", "อัตรา VAT (%)")]
)
def test_line_export_headings_are_capitalised_headings(language, heading):
    from django.utils import translation

    from orders.services.bulk import line_export_columns

    with translation.override(language):
        assert line_export_columns()[6].title == heading


def test_thb_amounts_keep_two_decimals(client, login_as, shop):
    login_as("sales")
    thai = make_customer(
        name="Somchai Jaidee", phones=("081-234-5678",), addresses=(BANGKOK_ADDRESS,)
    )
    order = make_order(
        thai,
        shop["hcm"],
        [(shop["silk"], 1)],
        currency="THB",
        shipping_fee=Decimal("35.5"),
        now=local(2025, 3, 1, 8, 0),
    )
    response = client.post(
        reverse("orders:order_bulk_export"), {"order": [order.pk], "format": "csv"}
    )
    row = b"".join(response.streaming_content).decode("utf-8").split("\r\n")[1]
    assert ",THB,420000.00,0.00,35.50,38181.82,420035.50,0.00," in row
    response = client.post(
        reverse("orders:order_bulk_export"), {"order": [order.pk], "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Orders"]
    assert sheet["Q2"].value == 35.5
    assert sheet["Q2"].number_format == "#,##0.00"


def test_export_rejects_an_unknown_format(client, login_as, exported):
    login_as("sales")
    early, _late = exported
    response = client.post(
        reverse("orders:order_bulk_export"), {"order": [early.pk], "format": "pdf"}
    )
    assert response.status_code == 302
