"""The buyer on the invoice is the one the order asked for (captured through the website API
and checked then), over real HTTP to the S-Invoice and MISA sandboxes; an order that asked
for nothing keeps the buyer as the customer stands."""

from __future__ import annotations

import pytest
import requests

from invoicing.adapters.sinvoice_payload import dumps, invoice_body
from invoicing.models import EInvoice, InvoiceState
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME
from invoicing.services.issuing import invoice_draft, invoice_issue
from orders.models import Customer, Order
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, stocked_variant
from tests.orders.test_website_api import payload, post

pytestmark = pytest.mark.django_db(transaction=True)

BUYER_KEYS = (
    "buyerName",
    "buyerLegalName",
    "buyerTaxCode",
    "buyerAddressLine",
    "buyerEmail",
    "buyerNotGetInvoice",
    "buyerIdType",
    "buyerIdNo",
)
INVOICE = {
    "buyer_type": "company",
    "tax_code": "0100109106-505",
    "legal_name": "Công ty TNHH Bình Minh",
    "address": "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
    "email": "KeToan@BinhMinh.vn",
}


@pytest.fixture
def website_shop():
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    stocked_variant(warehouse, 5, price="99000", vat="8", sku="NON-01")
    return website_create(
        name="Cửa hàng chính", code="main-site", warehouse_id=warehouse.pk, user_id=None
    )


def _api_order(client, website_shop, **changes) -> Order:
    _website, key = website_shop
    response = post(client, key, payload(**changes))
    assert response.status_code == 201, response.content
    return Order.objects.get()


def test_sinvoice_buyer_fields_come_from_the_orders_request(
    client,
    website_shop,
    sinvoice_account,
    sinvoice_sandbox,
) -> None:
    order = _api_order(client, website_shop, invoice=INVOICE)
    # The customer's own details change later: the invoice keeps what the order asked for.
    Customer.objects.filter(pk=order.customer_id).update(company="Khác", tax_code="0100233488")
    invoice = invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    assert invoice.state == InvoiceState.ISSUED
    buyer = sinvoice_sandbox.payloads("createInvoice")[-1]["buyerInfo"]
    assert {k: buyer.get(k) for k in BUYER_KEYS} == {
        "buyerName": "Trần Thị Bình",
        "buyerLegalName": "Công ty TNHH Bình Minh",
        "buyerTaxCode": "0100109106-505",
        "buyerAddressLine": "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
        "buyerEmail": "ketoan@binhminh.vn",
        "buyerNotGetInvoice": 0,
        "buyerIdType": None,
        "buyerIdNo": None,
    }
    assert EInvoice.objects.filter(pk=invoice.pk).values_list(
        "buyer_name", "buyer_company", "buyer_tax_code", "buyer_address", "buyer_email"
    ).get() == (
        "Trần Thị Bình",
        "Công ty TNHH Bình Minh",
        "0100109106-505",
        "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
        "ketoan@binhminh.vn",
    )


def test_misa_buyer_fields_come_from_the_orders_request(
    client,
    website_shop,
    misa_account,
    misa_control,
) -> None:
    order = _api_order(client, website_shop, invoice=INVOICE)
    invoice = invoice_issue(invoice_id=invoice_draft(order=order, account=misa_account).pk)
    assert invoice.state == InvoiceState.ISSUED
    sent = misa_control.get("received")[-1]
    assert {
        k: sent[k] for k in ("BuyerLegalName", "BuyerTaxCode", "BuyerAddress", "BuyerEmail")
    } == {
        "BuyerLegalName": "Công ty TNHH Bình Minh",
        "BuyerTaxCode": "0100109106-505",
        "BuyerAddress": "45 Nguyễn Huệ, Bến Nghé, TP. Hồ Chí Minh",
        "BuyerEmail": "ketoan@binhminh.vn",
    }


def test_without_a_request_the_buyer_is_the_customer_as_before(
    client,
    website_shop,
    sinvoice_account,
    sinvoice_sandbox,
) -> None:
    order = _api_order(client, website_shop)
    Customer.objects.filter(pk=order.customer_id).update(
        company="Công ty CP Sao Mai", tax_code="0100233488"
    )
    invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    buyer = sinvoice_sandbox.payloads("createInvoice")[-1]["buyerInfo"]
    assert (
        buyer["buyerLegalName"],
        buyer["buyerTaxCode"],
        buyer["buyerAddressLine"],
        buyer["buyerEmail"],
    ) == (
        "Công ty CP Sao Mai",
        "0100233488",
        "45 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "binh@example.com",
    )


def test_a_person_who_asked_takes_the_invoice_with_the_citizen_id(
    client,
    website_shop,
    sinvoice_account,
    sinvoice_sandbox,
) -> None:
    order = _api_order(
        client,
        website_shop,
        invoice={"legal_name": "Trần Thị Bình", "id_number": "079090001234"},
    )
    invoice = invoice_issue(invoice_id=invoice_draft(order=order, account=sinvoice_account).pk)
    assert invoice.state == InvoiceState.ISSUED
    buyer = sinvoice_sandbox.payloads("createInvoice")[-1]["buyerInfo"]
    assert {k: buyer.get(k) for k in BUYER_KEYS} == {
        "buyerName": "Trần Thị Bình",
        "buyerLegalName": None,
        "buyerTaxCode": "079090001234",  # the citizen ID is the person's tax code (TT 86/2024)
        "buyerAddressLine": "45 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "buyerEmail": "binh@example.com",
        "buyerNotGetInvoice": 0,
        "buyerIdType": "1",
        "buyerIdNo": "079090001234",
    }


def test_the_sandbox_refuses_an_id_type_without_its_number(
    sinvoice_sandbox, sinvoice_request
) -> None:
    body = invoice_body(sinvoice_request())
    body["buyerInfo"] |= {"buyerIdType": "1", "buyerIdNo": ""}
    token = requests.post(
        sinvoice_sandbox.auth_url, json={"username": USERNAME, "password": PASSWORD}, timeout=5
    ).json()["access_token"]
    answer = requests.post(
        f"{sinvoice_sandbox.api_base}/InvoiceAPI/InvoiceWS/createInvoice/{TAX_CODE}",
        data=dumps(body),
        headers={"Content-Type": "application/json"},
        cookies={"access_token": token},
        timeout=5,
    )
    assert answer.json() == {
        "errorCode": "BUYER_ID_INVALID",
        "description": "Loại giấy tờ hoặc số giấy tờ người mua không hợp lệ",
        "result": None,
    }
    assert sinvoice_sandbox.invoice_count() == 0
