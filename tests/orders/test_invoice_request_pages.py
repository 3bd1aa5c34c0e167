"""The E-invoice section of the phone order page and of the edit page: captured with the order,
checked at once (tax code check digit, a company's name and address), defaulted from the
customer's saved details, kept as a copy on the order."""

from __future__ import annotations

import pytest
from django.utils import translation

from orders.history import describe_event
from orders.models import (
    Customer,
    CustomerInvoiceDetails,
    Order,
    OrderEvent,
    OrderInvoiceRequest,
)
from tests.inventory.factories import ProductFactory
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant
from tests.orders.test_order_form_pages import CREATE, form_data

pytestmark = pytest.mark.django_db

COMPANY = {
    "inv-wants": "yes",
    "inv-buyer_type": "company",
    "inv-tax_code": "0100109106-001",
    "inv-legal_name": "Công ty TNHH Hoa Sen",
    "inv-address": "12 Lê Lợi, Bến Nghé, Hồ Chí Minh",
    "inv-email": "KeToan@HoaSen.vn",
}


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(
        warehouse, 10, price="150000", sku="AO-1", product=ProductFactory(name="Áo thun")
    )
    customer = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    return {"warehouse": warehouse, "shirt": shirt, "customer": customer}


def _request_row(order):
    return (
        OrderInvoiceRequest.objects.filter(order=order)
        .values_list(
            "wants_invoice",
            "buyer_type",
            "tax_code",
            "legal_name",
            "address",
            "email",
            "id_number",
        )
        .get()
    )


def test_the_section_is_folded_until_an_invoice_is_asked_for(client, login_as, shop):
    login_as("sales")
    page = client.get(CREATE).content.decode()
    assert '<details class="card of-invoice" id="of-invoice">' in page
    assert 'name="inv-tax_code"' in page


def test_a_company_invoice_is_captured_with_the_order(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 1, "150.000", "")])
        | COMPANY
        | {"inv-tax_code": "0100109106 001"},
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert _request_row(order) == (
        True,
        "company",
        "0100109106-001",
        "Công ty TNHH Hoa Sen",
        "12 Lê Lợi, Bến Nghé, Hồ Chí Minh",
        "ketoan@hoasen.vn",
        "",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"inv-tax_code": "0100109107"},
            "tax_code",
            "0100109107 is not a valid Vietnamese tax code: the check digit does not match.",
        ),
        (
            {"inv-tax_code": "0100109106-000"},
            "tax_code",
            "0100109106-000 is not a valid tax code.",
        ),
        (
            {"inv-tax_code": "001234567890"},
            "tax_code",
            "001234567890 is a personal identification number: a company's tax code has "
            "10 digits, or 13 with a branch suffix.",
        ),
        ({"inv-legal_name": ""}, "legal_name", "Enter the company's legal name."),
        ({"inv-address": ""}, "address", "Enter the address to print on the invoice."),
        ({"inv-email": "ketoan@"}, "email", "ketoan@ is not an e-mail address."),
        ({"inv-id_number": "12345"}, "id_number", "A citizen ID number (CCCD) has 12 digits."),
    ],
)
def test_bad_invoice_details_save_nothing_and_name_the_field(
    client, login_as, shop, fields, field, message
):
    login_as("sales")
    customers = Customer.objects.count()
    response = client.post(
        CREATE,
        form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 1, "150.000", "")])
        | COMPANY
        | fields,
    )
    assert response.status_code == 200
    invoice = response.context["invoice_form"]
    assert invoice.errors == {field: [message]}
    assert response.context["form"].non_field_errors() == ["Correct the e-invoice details."]
    assert invoice.is_open
    assert Order.objects.count() == 0
    assert OrderInvoiceRequest.objects.count() == 0
    assert Customer.objects.count() == customers
    assert '<details class="card of-invoice" id="of-invoice" open>' in response.content.decode()


def test_blank_fields_take_the_customers_saved_details(client, login_as, shop):
    login_as("sales")
    customer = shop["customer"]
    Customer.objects.filter(pk=customer.pk).update(
        company="Công ty TNHH Hoa Sen", tax_code="0314409058", emails=["an@hoasen.vn"]
    )
    CustomerInvoiceDetails.objects.create(
        customer=customer,
        wants_invoice=True,
        buyer_type="company",
        address="5 Nguyễn Huệ, Sài Gòn, Hồ Chí Minh",
    )
    response = client.post(
        CREATE, form_data(shop, customer=customer, lines=[(shop["shirt"], 1, "150.000", "")])
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert _request_row(order) == (
        True,
        "company",
        "0314409058",
        "Công ty TNHH Hoa Sen",
        "5 Nguyễn Huệ, Sài Gòn, Hồ Chí Minh",
        "an@hoasen.vn",
        "",
    )
    # A copy: the customer's later changes do not change what the order asked for.
    Customer.objects.filter(pk=customer.pk).update(company="Hoa Sen Group", tax_code="")
    assert _request_row(order)[2:4] == ("0314409058", "Công ty TNHH Hoa Sen")


def test_no_said_no_overrides_the_customers_default(client, login_as, shop):
    login_as("sales")
    customer = shop["customer"]
    CustomerInvoiceDetails.objects.create(customer=customer, wants_invoice=True)
    client.post(
        CREATE,
        form_data(shop, customer=customer, lines=[(shop["shirt"], 1, "150.000", "")])
        | {"inv-wants": "no"},
    )
    assert _request_row(Order.objects.get()) == (False, "person", "", "", "", "", "")


def test_nothing_asked_and_no_default_keeps_no_request(client, login_as, shop):
    login_as("sales")
    client.post(
        CREATE,
        form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 1, "150.000", "")]),
    )
    assert Order.objects.count() == 1
    assert OrderInvoiceRequest.objects.count() == 0


def test_a_person_with_a_personal_number_and_cccd(client, login_as, shop):
    login_as("sales")
    client.post(
        CREATE,
        form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 1, "150.000", "")])
        | {
            "inv-wants": "yes",
            "inv-buyer_type": "person",
            "inv-tax_code": "079 090 001 234",
            "inv-address": "12 Lê Lợi, Hồ Chí Minh",
            "inv-id_number": "079090001234",
        },
    )
    assert _request_row(Order.objects.get()) == (
        True,
        "person",
        "079090001234",
        "Nguyễn Văn An",
        "12 Lê Lợi, Hồ Chí Minh",
        "",
        "079090001234",
    )


def test_the_edit_page_shows_and_changes_the_orders_request(client, login_as, shop):
    user = login_as("manager")
    client.post(
        CREATE,
        form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 1, "150.000", "")])
        | COMPANY,
    )
    order = Order.objects.get()
    line = order.lines.get()
    edit = f"/orders/{order.pk}/edit/"
    page = client.get(edit)
    invoice = page.context["invoice_form"]
    assert invoice.is_open
    assert (invoice["wants"].value(), invoice["tax_code"].value()) == ("yes", "0100109106-001")

    refused = client.post(
        edit,
        form_data(
            shop,
            customer=shop["customer"],
            address="order",
            lines=[(shop["shirt"], 1, "150.000", "", line.pk)],
        )
        | COMPANY
        | {"inv-tax_code": "0100233480"},
    )
    assert refused.context["invoice_form"].errors == {
        "tax_code": [
            "0100233480 is not a valid Vietnamese tax code: the check digit does not match."
        ]
    }
    assert _request_row(order)[2] == "0100109106-001"

    client.post(
        edit,
        form_data(
            shop,
            customer=shop["customer"],
            address="order",
            lines=[(shop["shirt"], 1, "150.000", "", line.pk)],
        )
        | COMPANY
        | {"inv-tax_code": "0100233488", "inv-legal_name": "Công ty CP Sao Mai"},
    )
    assert _request_row(order)[2:4] == ("0100233488", "Công ty CP Sao Mai")
    # The change is in the order's history, who and what.
    event = OrderEvent.objects.filter(order=order, kind="edited", data__has_key="invoice").get()
    assert event.user_id == user.pk
    assert event.data == {
        "invoice": {
            "tax_code": ["0100109106-001", "0100233488"],
            "legal_name": ["Công ty TNHH Hoa Sen", "Công ty CP Sao Mai"],
        }
    }
    with translation.override("vi"):
        assert describe_event(event, currency="VND").details == (
            "Hóa đơn điện tử, Mã số thuế: 0100109106-001 → 0100233488",
            "Hóa đơn điện tử, Tên trên hóa đơn: Công ty TNHH Hoa Sen → Công ty CP Sao Mai",
        )
