"""COD: one parcel marked received, the carrier's COD statement (CSV and .xlsx) reconciled
against GHN sandbox parcels (over real HTTP) with each kind of difference, confirmed once;
a delivered and fully paid order is completed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.spreadsheets import MONEY, TEXT, Column, Table, csv_bytes, xlsx_bytes
from orders.models import Order, OrderEvent, Payment
from shipping.models import CodReceipt, CodStatement, Shipment
from shipping.services.cod import (
    cod_receive,
    statement_confirm,
    statement_reconcile,
    statement_same_file,
    statement_upload,
)
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote


@pytest.fixture
def walk(ghn_sandbox, ghn_callbacks, ghn_hook):
    """walk(shipment, until): move the sandbox parcel on the happy path, every callback handed
    to our endpoint."""

    def move(shipment: Shipment, until: str) -> None:
        ghn_sandbox.advance(shipment.tracking_number, "happy", until)
        assert ghn_sandbox.flush_callbacks()
        for _path, body in list(ghn_callbacks.received):
            assert ghn_hook(body).status_code == 200
        ghn_callbacks.received.clear()

    return move


@pytest.fixture
def make_parcel(ghn_sandbox, ghn_callbacks, ghn_account, ship_order, ship_spec, walk):
    """make(until): a GHN parcel of a new processing order, walked on the sandbox's happy path
    up to `until` ("" = only created) with every callback handed to our endpoint."""

    def make(until: str = "delivered", **spec_changes):
        order = ship_order()
        code = shipment_quote(order_id=order.pk, account_id=ghn_account.pk, spec=ship_spec(""))[
            0
        ].code
        shipment = shipment_create(
            order_id=order.pk,
            account_id=ghn_account.pk,
            spec=ship_spec(code, **spec_changes),
            service=ServiceChoice(code=code),
            user_id=None,
        )
        ghn_sandbox.flush_callbacks()
        ghn_callbacks.received.clear()
        if until:
            walk(shipment, until)
        return Shipment.objects.get(pk=shipment.pk)

    return make


HEADERS_VI = ("Mã vận đơn", "Tiền thu hộ (COD)", "Phí dịch vụ", "Ngày chuyển tiền")


def _statement(rows, headers=HEADERS_VI) -> Table:
    kinds = (TEXT, MONEY, MONEY, TEXT)
    return Table(
        sheet="COD",
        columns=[Column(title, kind) for title, kind in zip(headers, kinds, strict=True)],
        rows=rows,
    )


@pytest.mark.django_db
def test_a_statement_shows_each_difference_then_records_the_matches_once(
    make_parcel, ghn_account, admin_user
):
    good = make_parcel()
    differs = make_parcel()
    received = make_parcel()
    on_the_way = make_parcel(until="delivering")
    cod_receive(
        shipment_id=received.pk, amount=Decimal(330000), received_on=date(2026, 12, 1), user_id=None
    )
    rows = [
        (good.tracking_number, Decimal(330000), Decimal(22000), "05/12/2026"),
        (differs.tracking_number, Decimal(300000), Decimal(22000), "05/12/2026"),
        (received.tracking_number, Decimal(330000), Decimal(22000), "05/12/2026"),
        (on_the_way.tracking_number, Decimal(330000), Decimal(22000), "05/12/2026"),
        ("GHNXXXXXXX", Decimal(100000), Decimal(22000), "05/12/2026"),
        (good.tracking_number, Decimal(330000), Decimal(22000), "05/12/2026"),
        (differs.tracking_number.lower() + "Z", "abc", None, "05/12/2026"),
    ]
    data = csv_bytes(_statement(rows))
    statement = statement_upload(
        account_id=ghn_account.pk, data=data, filename="ghn-cod.csv", user_id=admin_user.pk
    )

    lines = statement_reconcile(statement=statement)
    assert [(line.row.line, line.row.tracking, line.kind) for line in lines] == [
        (2, good.tracking_number, "match"),
        (3, differs.tracking_number, "amount_differs"),
        (4, received.tracking_number, "received"),
        (5, on_the_way.tracking_number, "not_delivered"),
        (6, "GHNXXXXXXX", "unknown"),
        (7, good.tracking_number, "duplicate"),
        (8, differs.tracking_number.upper() + "Z", "invalid"),
    ]
    assert lines[0].row.fee == Decimal(22000)
    assert lines[0].row.transferred_on == date(2026, 12, 5)
    assert lines[6].row.error == "“abc” is not an amount."

    assert statement_confirm(statement_id=statement.pk, user_id=admin_user.pk) == 1

    receipt = CodReceipt.objects.get(shipment=good)
    assert (receipt.amount, receipt.fee, receipt.received_on, receipt.statement_id) == (
        Decimal(330000),
        Decimal(22000),
        date(2026, 12, 5),
        statement.pk,
    )
    payment = Payment.objects.get(order_id=good.order_id)
    assert (payment.kind, payment.amount, payment.method, payment.reference) == (
        "cod_collected",
        Decimal(330000),
        "cod",
        good.tracking_number,
    )
    assert receipt.payment_id == payment.pk
    order = Order.objects.get(pk=good.order_id)
    # Delivered and fully paid: completed.
    assert (order.status, order.paid_amount, order.payment_status) == (
        "completed",
        Decimal(330000),
        "paid",
    )
    assert list(
        OrderEvent.objects.filter(order=order).order_by("id").values_list("kind", flat=True)
    )[-2:] == ["payment", "status_changed"]
    for other in (differs, on_the_way):
        assert not Payment.objects.filter(order_id=other.order_id).exists()
    assert Order.objects.get(pk=on_the_way.order_id).status == "shipped"
    shipment = Shipment.objects.get(pk=good.pk)
    assert shipment.cod_received_amount == Decimal(330000)


@pytest.mark.django_db
def test_importing_the_same_xlsx_statement_twice_changes_nothing(
    make_parcel, ghn_account, admin_user
):
    parcel = make_parcel()
    headers = ("Tracking number", "COD amount", "Fee", "Transfer date")
    data = xlsx_bytes(
        [_statement([(parcel.tracking_number, Decimal(330000), None, "2026-12-05")], headers)]
    )
    first = statement_upload(
        account_id=ghn_account.pk, data=data, filename="cod.xlsx", user_id=admin_user.pk
    )
    assert statement_confirm(statement_id=first.pk, user_id=admin_user.pk) == 1
    before = (Payment.objects.count(), OrderEvent.objects.count(), CodReceipt.objects.count())

    second = statement_upload(
        account_id=ghn_account.pk, data=data, filename="cod.xlsx", user_id=admin_user.pk
    )
    assert [line.kind for line in statement_reconcile(statement=second)] == ["received"]
    assert statement_same_file(statement=second) == first
    assert statement_same_file(statement=first) is None
    assert statement_confirm(statement_id=second.pk, user_id=admin_user.pk) == 0
    assert statement_confirm(statement_id=first.pk, user_id=admin_user.pk) == 0

    assert (Payment.objects.count(), OrderEvent.objects.count(), CodReceipt.objects.count()) == (
        before
    )
    first.refresh_from_db()
    assert (first.recorded, first.confirmed_by_id) == (1, admin_user.pk)
    assert CodReceipt.objects.get().received_on == date(2026, 12, 5)


@pytest.mark.django_db
def test_cod_received_before_the_delivery_completes_the_order_when_delivered(make_parcel, walk):
    parcel = make_parcel(until="delivering")
    receipt = cod_receive(
        shipment_id=parcel.pk, amount=Decimal(330000), received_on=date(2026, 12, 5), user_id=None
    )
    assert receipt is not None
    assert Order.objects.get(pk=parcel.order_id).status == "shipped"
    again = cod_receive(
        shipment_id=parcel.pk, amount=Decimal(330000), received_on=date(2026, 12, 5), user_id=None
    )
    assert again is None

    walk(parcel, "delivered")

    assert Shipment.objects.get(pk=parcel.pk).state == "delivered"
    order = Order.objects.get(pk=parcel.order_id)
    assert (order.status, order.paid_amount) == ("completed", Decimal(330000))
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_partial_cod_leaves_a_delivered_order_shipped(make_parcel):
    parcel = make_parcel()
    cod_receive(
        shipment_id=parcel.pk, amount=Decimal(300000), received_on=date(2026, 12, 5), user_id=None
    )
    order = Order.objects.get(pk=parcel.order_id)
    assert (order.status, order.paid_amount, order.payment_status) == (
        "shipped",
        Decimal(300000),
        "partially_paid",
    )


@pytest.mark.django_db
def test_the_import_page_previews_and_confirms_with_htmx(
    client, login_as, make_parcel, ghn_account
):
    parcel = make_parcel()
    unknown_row = ("GHN0000000", Decimal(5000), None, "")
    rows = [(parcel.tracking_number, Decimal(330000), Decimal(22000), "05/12/2026"), unknown_row]
    login_as("manager")
    upload = SimpleUploadedFile("cod.csv", csv_bytes(_statement(rows)), content_type="text/csv")
    response = client.post(
        reverse("shipping:cod_import"), {"account": ghn_account.pk, "file": upload}
    )
    statement = CodStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("shipping:cod_statement", args=[statement.pk])

    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="cod-line"') == 2
    assert 'data-kind="unknown"' in page
    assert 'data-kind="match"' in page

    answer = client.post(
        reverse("shipping:cod_confirm", args=[statement.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="cod-preview",
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert body.lstrip().startswith('<div id="cod-preview">')
    assert 'data-kind="received"' in body
    assert "COD recorded for 1 parcel." in body
    assert Order.objects.get(pk=parcel.order_id).status == "completed"


@pytest.mark.django_db
def test_a_sales_user_cannot_record_cod(client, login_as):
    login_as("sales")
    assert client.get(reverse("shipping:cod_import")).status_code == 403


@pytest.mark.django_db
def test_one_parcel_marked_received_by_hand(client, login_as, make_parcel):
    parcel = make_parcel()
    user = login_as("manager")
    url = reverse("shipping:shipment_cod", args=[parcel.pk])
    panel = reverse("shipping:panel", args=[parcel.order_id])
    assert f'href="{url}" data-testid="cod-record"' in client.get(panel).content.decode()
    response = client.post(url, {"amount": "330.000", "received_on": "06/12/2026"})
    assert response.status_code == 302
    receipt = CodReceipt.objects.get(shipment=parcel)
    assert (receipt.amount, receipt.received_on, receipt.created_by_id) == (
        Decimal(330000),
        date(2026, 12, 6),
        user.pk,
    )
    assert Payment.objects.get(order_id=parcel.order_id).created_by_id == user.pk
    assert Order.objects.get(pk=parcel.order_id).status == "completed"
    after = client.get(panel).content.decode()
    assert 'data-testid="cod-received"' in after
    assert 'data-testid="cod-record"' not in after
    again = client.post(url, {"amount": "330.000", "received_on": "06/12/2026"})
    assert again.status_code == 200
    assert 'data-testid="cod-receipt"' in again.content.decode()
    assert Payment.objects.filter(order_id=parcel.order_id).count() == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Mã đơn hàng", "Tiền thu hộ", "Phí COD", "Ngày đối soát"],
            {"tracking": 0, "amount": 1, "fee": 2, "transferred_on": 3},
        ),
        (
            ["STT", "ORDER_NUMBER", "MONEY_COLLECTION", "MONEY_TOTALFEE", "Ngày trả tiền"],
            {"tracking": 1, "amount": 2, "fee": 3, "transferred_on": 4},
        ),
        (
            ["transfer_date", "COD Amount", "tracking number"],
            {"tracking": 2, "amount": 1, "transferred_on": 0},
        ),
        (
            ["Số hiệu đơn", "Tổng cước", "Tiền COD (VNĐ)"],
            {"tracking": 0, "amount": 2, "fee": 1},
        ),
    ],
)
def test_statement_columns_are_found_by_their_vietnamese_or_english_names(header, expected):
    from shipping.services.cod import statement_columns

    assert statement_columns(header) == expected


def test_a_statement_without_a_cod_column_is_refused():
    from shipping.errors import ShippingError
    from shipping.services.cod import statement_read

    data = csv_bytes(
        Table(
            sheet="x",
            columns=[Column("Mã vận đơn", TEXT), Column("Ghi chú", TEXT)],
            rows=[("GHN1", "x")],
        )
    )
    with pytest.raises(ShippingError) as caught:
        statement_read(data=data, filename="cod.csv")
    assert str(caught.value) == (
        "The statement needs a tracking number column and a COD amount column."
    )
    with pytest.raises(ShippingError) as caught:
        statement_read(data=b"\x00\x01", filename="cod.xlsx")
    assert str(caught.value) == "This is not an Excel .xlsx file we can read."
