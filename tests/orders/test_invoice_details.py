"""Invoice details checked when typed (orders.services.invoice_requests): tax code check digits
and the branch form, what a company or a buyer with a tax code must give; and the customer
page's default invoice details."""

from __future__ import annotations

import pytest

from orders.models import CustomerInvoiceDetails
from orders.services.invoice_requests import (
    InvoiceDetailsInput,
    InvoiceDetailsInvalid,
    invoice_details_check,
)
from tests.orders.factories import make_customer

COMPANY = InvoiceDetailsInput(
    wants=True,
    buyer_type="company",
    tax_code="0100109106",
    legal_name="Tập đoàn Viettel",
    address="Lô D26, Cầu Giấy, Hà Nội",
)


def _errors(data, *, required=True, country="VN"):
    with pytest.raises(InvoiceDetailsInvalid) as refused:
        invoice_details_check(data, required=required, country=country)
    return refused.value.errors


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0100109106", "0100109106"),  # Viettel: S = 114, 114 mod 11 = 4, check 6
        ("0100233488", "0100233488"),  # S = 167, mod 11 = 2, check 8
        ("0314409058", "0314409058"),
        (" 0314.409.058 ", "0314409058"),
        ("0100109106-505", "0100109106-505"),  # a branch
        ("0100109106505", "0100109106-505"),
        ("0100109106 001", "0100109106-001"),
    ],
)
def test_good_tax_codes_are_kept_in_their_written_form(typed, stored):
    clean = invoice_details_check(
        InvoiceDetailsInput(**{**COMPANY.__dict__, "tax_code": typed}), required=True, country="VN"
    )
    assert clean.tax_code == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "0100233480",
            "0100233480 is not a valid Vietnamese tax code: the check digit does not match.",
        ),
        (
            "0100109107-001",
            "0100109107-001 is not a valid Vietnamese tax code: the check digit does not match.",
        ),
        ("0100109106-000", "0100109106-000 is not a valid tax code."),
        (
            "01001091",
            "01001091 is not a Vietnamese tax code: it has 10 digits (13 with a branch suffix), "
            "or 12 for a personal identification number.",
        ),
        (
            "0100109106-01",  # 12 digits: a personal number, which no company has
            "0100109106-01 is a personal identification number: a company's tax code has 10 "
            "digits, or 13 with a branch suffix.",
        ),
        (
            "079090001234",
            "079090001234 is a personal identification number: a company's tax code has 10 "
            "digits, or 13 with a branch suffix.",
        ),
    ],
)
def test_bad_company_tax_codes_are_refused_by_name(typed, message):
    data = InvoiceDetailsInput(**{**COMPANY.__dict__, "tax_code": typed})
    assert _errors(data) == {"tax_code": message}


def test_a_person_may_use_the_12_digit_personal_number():
    person = InvoiceDetailsInput(
        wants=True,
        buyer_type="person",
        tax_code="079090001234",
        legal_name="Nguyễn Văn An",
        address="12 Lê Lợi, Hồ Chí Minh",
        id_number="079 090 001 234",
    )
    clean = invoice_details_check(person, required=True, country="VN")
    assert (clean.tax_code, clean.id_number) == ("079090001234", "079090001234")


def test_a_thai_tax_id_has_13_digits_and_its_check_digit():
    thai = InvoiceDetailsInput(**{**COMPANY.__dict__, "tax_code": "0105536038396"})
    assert invoice_details_check(thai, required=True, country="TH").tax_code == "0105536038396"
    assert _errors(
        InvoiceDetailsInput(**{**COMPANY.__dict__, "tax_code": "0105536038390"}), country="TH"
    ) == {
        "tax_code": "0105536038390 is not a valid Thai tax identification number: the check "
        "digit does not match."
    }


def test_a_company_must_be_named_with_tax_code_and_address():
    assert _errors(InvoiceDetailsInput(wants=True, buyer_type="company")) == {
        "tax_code": "Enter the company's tax code.",
        "legal_name": "Enter the company's legal name.",
        "address": "Enter the address to print on the invoice.",
    }
    # Typing only: nothing is required yet, the form is checked.
    assert invoice_details_check(
        InvoiceDetailsInput(buyer_type="company"), required=False, country="VN"
    ) == InvoiceDetailsInput(buyer_type="company")


def test_a_person_with_a_tax_code_needs_name_and_address_and_without_needs_nothing():
    assert _errors(InvoiceDetailsInput(wants=True, tax_code="079090001234")) == {
        "legal_name": "Enter the buyer's full name for the invoice.",
        "address": "Enter the address to print on the invoice.",
    }
    assert invoice_details_check(
        InvoiceDetailsInput(wants=True), required=True, country="VN"
    ) == InvoiceDetailsInput(wants=True, buyer_type="person")


def test_email_id_number_and_buyer_type_are_checked():
    data = InvoiceDetailsInput(buyer_type="government", email="a@", id_number="07909000123")
    assert _errors(data, required=False) == {
        "buyer_type": "Choose a person or a company.",
        "email": "a@ is not an e-mail address.",
        "id_number": "A citizen ID number (CCCD) has 12 digits.",
    }


# --- The customer page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_customer_page_shows_and_edits_the_default_invoice_details(client, login_as):
    login_as("manager")
    customer = make_customer("Nguyễn Văn An", company="Công ty TNHH Minh An", tax_code="0100233488")
    url = f"/customers/{customer.pk}/invoice/"
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-invoice"' in page
    assert f'hx-get="{url}"' in page

    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert 'name="buyer_type"' in form.content.decode()

    saved = client.post(
        url,
        {
            "wants": "on",
            "buyer_type": "company",
            "address": "  5 Nguyễn Huệ,  Hồ Chí Minh ",
            "email": "KT@MinhAn.vn",
            "id_number": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "5 Nguyễn Huệ, Hồ Chí Minh" in saved.content.decode()
    assert CustomerInvoiceDetails.objects.filter(customer=customer).values_list(
        "wants_invoice", "buyer_type", "address", "email", "id_number"
    ).get() == (True, "company", "5 Nguyễn Huệ, Hồ Chí Minh", "kt@minhan.vn", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"buyer_type": "company"},
            "buyer_type",
            "A company buyer needs the company's name and tax code: edit the customer to add "
            "them first.",
        ),
        ({"buyer_type": "person", "email": "an@"}, "email", "an@ is not an e-mail address."),
        (
            {"buyer_type": "person", "id_number": "0790"},
            "id_number",
            "A citizen ID number (CCCD) has 12 digits.",
        ),
    ],
)
def test_refused_default_details_change_nothing(client, login_as, posted, field, message):
    login_as("manager")
    customer = make_customer("Trần Thị Bình")
    response = client.post(
        f"/customers/{customer.pk}/invoice/", {"wants": "on", **posted}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response.context["invoice_form"].errors == {field: [message]}
    assert CustomerInvoiceDetails.objects.count() == 0


@pytest.mark.django_db
def test_staff_without_change_permission_cannot_edit(client, login_as):
    login_as("warehouse")
    customer = make_customer("Trần Thị Bình")
    response = client.post(f"/customers/{customer.pk}/invoice/", {"buyer_type": "person"})
    assert response.status_code == 403
    assert CustomerInvoiceDetails.objects.count() == 0


@pytest.mark.django_db
def test_a_merge_keeps_the_targets_invoice_details_or_takes_a_duplicates():
    from orders.services.customer_merge import customer_merge

    target = make_customer("An", phones=("0912345678",))
    dup = make_customer("an_nguyen99", phones=("0912345678",))
    other = make_customer("An N.", phones=("0912345678",))
    CustomerInvoiceDetails.objects.create(customer=dup, wants_invoice=True, address="12 Lê Lợi")
    CustomerInvoiceDetails.objects.create(customer=other, wants_invoice=False, address="9 Pasteur")
    customer_merge(target_id=target.pk, duplicate_ids=[dup.pk], user_id=None)
    assert list(
        CustomerInvoiceDetails.objects.order_by("customer_id").values_list(
            "customer_id", "wants_invoice", "address"
        )
    ) == [(target.pk, True, "12 Lê Lợi"), (other.pk, False, "9 Pasteur")]
    # The target has details now: a later duplicate's stay with it.
    customer_merge(target_id=target.pk, duplicate_ids=[other.pk], user_id=None)
    assert list(
        CustomerInvoiceDetails.objects.order_by("customer_id").values_list("customer_id", "address")
    ) == [(target.pk, "12 Lê Lợi"), (other.pk, "9 Pasteur")]
