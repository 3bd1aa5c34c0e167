"""The "E-invoice" section of the order page and the customer's default invoice details.

Both read into orders.services.invoice_requests.InvoiceDetailsInput; the form checks what can be
checked without the database (tax code form and check digit, e-mail, ID number) so a mistake is
named at once, and `add_service_errors` puts the service's field errors on the same fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from orders.models import BuyerType, CustomerInvoiceDetails, OrderInvoiceRequest
from orders.services.invoice_requests import (
    MAX_LENGTH,
    InvoiceDetailsInput,
    InvoiceDetailsInvalid,
    invoice_details_check,
)

WANTS_DEFAULT, WANTS_YES, WANTS_NO = "", "yes", "no"
PREFIX = "inv"


class _DetailsFields(forms.Form):
    buyer_type = forms.ChoiceField(
        label=pgettext_lazy("invoice buyer", "Buyer"),
        choices=BuyerType.choices,
        required=False,
    )
    address = forms.CharField(
        label=gettext_lazy("Invoice address"), required=False, max_length=MAX_LENGTH["address"]
    )
    email = forms.CharField(
        label=gettext_lazy("Invoice e-mail"), required=False, max_length=MAX_LENGTH["email"]
    )
    id_number = forms.CharField(
        label=gettext_lazy("Citizen ID (CCCD)"), required=False, max_length=20
    )

    def add_service_errors(self, error: InvoiceDetailsInvalid) -> None:
        for name, message in error.errors.items():
            self.add_error(name if name in self.fields else None, message)


class InvoiceRequestForm(_DetailsFields):
    """The order page's section; prefixed "inv-" beside the order's own fields."""

    wants = forms.ChoiceField(
        label=pgettext_lazy("order form", "Buyer wants an e-invoice"),
        choices=[
            (WANTS_DEFAULT, pgettext_lazy("e-invoice wanted", "As the customer's details")),
            (WANTS_YES, pgettext_lazy("e-invoice wanted", "Yes, issue an e-invoice")),
            (WANTS_NO, pgettext_lazy("e-invoice wanted", "No e-invoice")),
        ],
        required=False,
    )
    tax_code = forms.CharField(
        label=pgettext_lazy("invoice buyer", "Tax code"),
        required=False,
        max_length=MAX_LENGTH["tax_code"] + 10,
    )
    legal_name = forms.CharField(
        label=pgettext_lazy("invoice buyer", "Name on the invoice"),
        required=False,
        max_length=MAX_LENGTH["legal_name"],
    )
    field_order = ["wants", "buyer_type", "tax_code", "legal_name", "address", "email", "id_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.fields["buyer_type"].choices = [("", "—"), *BuyerType.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            invoice_details_check(self.details(), required=False)
        except InvoiceDetailsInvalid as error:
            self.add_service_errors(error)
        return data

    def details(self) -> InvoiceDetailsInput:
        data = self.cleaned_data
        wants = data.get("wants") or WANTS_DEFAULT
        return InvoiceDetailsInput(
            wants=None if wants == WANTS_DEFAULT else wants == WANTS_YES,
            buyer_type=data.get("buyer_type") or "",
            tax_code=data.get("tax_code") or "",
            legal_name=data.get("legal_name") or "",
            address=data.get("address") or "",
            email=data.get("email") or "",
            id_number=data.get("id_number") or "",
        )

    @property
    def is_open(self) -> bool:
        """Shown unfolded: an invoice is asked for, or something in it was refused."""
        if self.is_bound:
            return self.data.get(f"{PREFIX}-wants") == WANTS_YES or bool(self.errors)
        return self.initial.get("wants") == WANTS_YES


def request_initial(request: OrderInvoiceRequest | None) -> dict[str, Any]:
    """The section as an order's stored request has it (the edit page)."""
    if request is None:
        return {"wants": WANTS_DEFAULT}
    return {
        "wants": WANTS_YES if request.wants_invoice else WANTS_NO,
        "buyer_type": request.buyer_type,
        "tax_code": request.tax_code,
        "legal_name": request.legal_name,
        "address": request.address,
        "email": request.email,
        "id_number": request.id_number,
    }


class CustomerInvoiceForm(_DetailsFields):
    """A customer's default invoice details (the tax code and company are the customer's)."""

    wants = forms.BooleanField(
        label=gettext_lazy("Wants an e-invoice with every order"), required=False
    )
    field_order = ["wants", "buyer_type", "address", "email", "id_number"]

    def details(self) -> InvoiceDetailsInput:
        data = self.cleaned_data
        return InvoiceDetailsInput(
            wants=bool(data.get("wants")),
            buyer_type=data.get("buyer_type") or BuyerType.PERSON,
            address=data.get("address") or "",
            email=data.get("email") or "",
            id_number=data.get("id_number") or "",
        )


def customer_initial(details: CustomerInvoiceDetails | None) -> dict[str, Any]:
    if details is None:
        return {"buyer_type": BuyerType.PERSON}
    return {
        "wants": details.wants_invoice,
        "buyer_type": details.buyer_type,
        "address": details.address,
        "email": details.email,
        "id_number": details.id_number,
    }
