"""The website API's `invoice` object: checked with the order (tax code check digit, a
company's name and address), refused field by field in the API's error format with nothing
created, kept on the order; without it the customer's saved invoice details apply."""

from __future__ import annotations

import pytest

from orders.api.openapi import openapi_document
from orders.api.reference import field_rows
from orders.models import CustomerInvoiceDetails, Order, OrderInvoiceRequest, WebsiteRequest
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant
from tests.orders.test_website_api import nothing_created, payload, post

pytestmark = pytest.mark.django_db

COMPANY = {
    "buyer_type": "company",
    "tax_code": "0314409058",
    "legal_name": "Công ty TNHH Bình Minh",
    "address": "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
    "email": "KeToan@BinhMinh.vn",
}


@pytest.fixture
def shop():
    """A website shipping the two SKUs of test_website_api.payload(): (website, key)."""
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    stocked_variant(warehouse, 5, price="99000", vat="8", sku="NON-01")
    return website_create(
        name="Cửa hàng chính", code="main-site", warehouse_id=warehouse.pk, user_id=None
    )


def _row(order):
    return (
        OrderInvoiceRequest.objects.filter(order=order)
        .values_list(
            "wants_invoice", "buyer_type", "tax_code", "legal_name", "address", "email", "id_number"
        )
        .get()
    )


def test_an_order_with_a_company_invoice(client, shop):
    _website, key = shop
    response = post(client, key, payload(invoice=COMPANY | {"tax_code": "0100109106-505"}))
    assert response.status_code == 201
    order = Order.objects.get()
    assert _row(order) == (
        True,
        "company",
        "0100109106-505",
        "Công ty TNHH Bình Minh",
        "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
        "ketoan@binhminh.vn",
        "",
    )


def test_a_person_invoice_takes_the_customers_name_and_email(client, shop):
    _website, key = shop
    response = post(client, key, payload(invoice={}))
    assert response.status_code == 201
    assert _row(Order.objects.get()) == (
        True,
        "person",
        "",
        "Trần Thị Bình",
        "",
        "binh@example.com",
        "",
    )


@pytest.mark.parametrize(
    ("invoice", "expected"),
    [
        (
            COMPANY | {"tax_code": "0314409059"},
            [
                (
                    "invoice.tax_code",
                    "invalid_tax_code",
                    "0314409059 is not a valid Vietnamese tax code: the check digit does not "
                    "match.",
                )
            ],
        ),
        (
            COMPANY | {"tax_code": "031440905"},
            [
                (
                    "invoice.tax_code",
                    "invalid_tax_code",
                    "031440905 is not a Vietnamese tax code: it has 10 digits (13 with a branch "
                    "suffix), or 12 for a personal identification number.",
                )
            ],
        ),
        (
            {"buyer_type": "company"},
            [
                ("invoice.tax_code", "required", "Enter the company's tax code."),
                ("invoice.legal_name", "required", "Enter the company's legal name."),
                ("invoice.address", "required", "Enter the address to print on the invoice."),
            ],
        ),
        (
            COMPANY | {"email": "ketoan@", "id_number": "12a"},
            [
                ("invoice.email", "invalid_email", "ketoan@ is not an e-mail address."),
                (
                    "invoice.id_number",
                    "invalid_format",
                    "A citizen ID number (CCCD) has 12 digits.",
                ),
            ],
        ),
        (
            COMPANY | {"buyer_type": "government"},
            [("invoice.buyer_type", "invalid_choice", "Use one of: person, company.")],
        ),
        (
            COMPANY | {"vat_number": "1"},
            [
                (
                    "invoice.vat_number",
                    "unknown_field",
                    "This field is not part of the API; check its spelling.",
                )
            ],
        ),
    ],
)
def test_bad_invoice_details_are_422_by_field_and_create_nothing(client, shop, invoice, expected):
    _website, key = shop
    response = post(client, key, payload(invoice=invoice))
    assert response.status_code == 422
    assert [(e["field"], e["code"], e["message"]) for e in response.json()["errors"]] == expected
    assert nothing_created()
    assert OrderInvoiceRequest.objects.count() == 0
    assert WebsiteRequest.objects.get().outcome == "rejected"


def test_without_invoice_the_customers_saved_details_apply(client, shop):
    _website, key = shop
    customer = make_customer("Trần Thị Bình", phones=("0987 654 321",))
    customer.company, customer.tax_code = "Công ty TNHH Bình Minh", "0314409058"
    customer.save(update_fields=["company", "tax_code"])
    CustomerInvoiceDetails.objects.create(
        customer=customer,
        wants_invoice=True,
        buyer_type="company",
        address="9 Pasteur, TP. Hồ Chí Minh",
        email="hd@binhminh.vn",
    )
    assert post(client, key, payload()).status_code == 201
    assert _row(Order.objects.get()) == (
        True,
        "company",
        "0314409058",
        "Công ty TNHH Bình Minh",
        "9 Pasteur, TP. Hồ Chí Minh",
        "hd@binhminh.vn",
        "",
    )


def test_without_invoice_and_no_saved_wish_no_request_is_kept(client, shop):
    _website, key = shop
    make_customer("Trần Thị Bình", phones=("0987 654 321",))
    assert post(client, key, payload()).status_code == 201
    assert OrderInvoiceRequest.objects.count() == 0


def test_the_invoice_object_is_documented():
    document = openapi_document(currency="VND")
    rows = {r.path: (r.types, r.required) for r in field_rows(document, "OrderRequest")}
    assert rows["invoice"] == ("object | null", False)
    assert rows["invoice.tax_code"] == ("string", False)
    schemas = document["components"]["schemas"]
    assert sorted(schemas["Invoice"]["properties"]) == [
        "address",
        "buyer_type",
        "email",
        "id_number",
        "legal_name",
        "tax_code",
    ]
    assert schemas["Invoice"]["properties"]["buyer_type"]["enum"] == ["person", "company"]
