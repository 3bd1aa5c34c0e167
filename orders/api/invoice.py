"""The e-invoice a website order may ask for (`invoice` in POST /api/v1/orders).

Checked as the order page checks it (orders.services.invoice_requests.invoice_details_check):
the tax code's form and check digit, a company's tax code, legal name and address, the e-mail
and the citizen ID number; each refusal names its field ("invoice.tax_code"). Sending the
object asks for an invoice; without it the order takes the customer's saved invoice details.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationInfo, field_validator

from common.payload_models import PayloadModel, refuse
from orders.api import fields as check
from orders.models import BuyerType
from orders.services.invoice_requests import (
    MAX_LENGTH,
    InvoiceDetailsInput,
    InvoiceDetailsInvalid,
    invoice_details_check,
)

_l = gettext_lazy
_CODES = {"tax_code": "invalid_tax_code", "email": "invalid_email", "id_number": "invalid_format"}


def _field_error(name: str, value: str, info: ValidationInfo) -> Exception | None:
    """This field's refusal, judged with the fields read before it (declaration order)."""
    known: dict[str, Any] = {k: v for k, v in info.data.items() if isinstance(v, str)}
    known[name] = value
    probe = InvoiceDetailsInput(
        wants=True,
        buyer_type=known.get("buyer_type") or BuyerType.PERSON,
        tax_code=known.get("tax_code", ""),
        legal_name=known.get("legal_name", ""),
        address=known.get("address", ""),
        email=known.get("email", ""),
        id_number=known.get("id_number", ""),
    )
    country = (info.context or {}).get("country")
    try:
        invoice_details_check(probe, required=True, country=country)
    except InvoiceDetailsInvalid as error:
        if name in error.errors:
            code = "required" if not value else _CODES.get(name, "invalid_format")
            return refuse(code, error.errors[name])
    return None


class Invoice(PayloadModel):
    buyer_type: Annotated[
        str,
        check.choice(tuple(BuyerType.values)),
        Field(description=_l("person (default) or company.")),
    ] = BuyerType.PERSON
    tax_code: Annotated[
        str,
        check.text(MAX_LENGTH["tax_code"] + 10),
        Field(
            description=_l(
                "The buyer's tax code, checked with its check digit: Vietnam 10 digits, "
                "13 for a branch (0100109106-001), or a person's 12-digit ID number; "
                "Thailand 13 digits. Required for a company."
            ),
            validate_default=True,
        ),
    ] = ""
    legal_name: Annotated[
        str,
        check.text(MAX_LENGTH["legal_name"]),
        Field(
            description=_l(
                "The name printed on the invoice: the company's legal name (required for a "
                "company), or the person's full name (default: the customer's name)."
            ),
            validate_default=True,
        ),
    ] = ""
    address: Annotated[
        str,
        check.text(MAX_LENGTH["address"]),
        Field(
            description=_l(
                "The address printed on the invoice; required with a tax code. Default for a "
                "person without one: the delivery address."
            ),
            validate_default=True,
        ),
    ] = ""
    email: Annotated[
        str,
        check.email(),
        Field(description=_l("Where the invoice is sent; default: the customer's e-mail.")),
    ] = ""
    id_number: Annotated[
        str,
        check.text(20),
        Field(description=_l("Optional: the buyer's 12-digit citizen ID number (CCCD).")),
    ] = ""

    @field_validator("tax_code", "legal_name", "address", "id_number")
    @classmethod
    def _by_the_rules(cls, value: str, info: ValidationInfo) -> str:
        error = _field_error(str(info.field_name), value, info)
        if error is not None:
            raise error
        return value

    def details(self) -> InvoiceDetailsInput:
        return InvoiceDetailsInput(
            wants=True,
            buyer_type=self.buyer_type,
            tax_code=self.tax_code,
            legal_name=self.legal_name,
            address=self.address,
            email=self.email,
            id_number=self.id_number,
        )
