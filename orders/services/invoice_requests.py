"""E-invoice details captured with an order (and a customer's defaults), checked when typed.

Rules (shared/api/carriers_einvoice.md, E.7 and the providers' pre-validation, D.5):
  - a tax code has the shop country's form and check digit (orders.validators): in Vietnam 10
    digits, 13 with a branch suffix ("0100109106-001"), or a person's 12-digit ID number;
    a company's is never the 12-digit personal form;
  - whoever has a tax code on the invoice is named on it, with an address (MISA refuses a
    buyer tax code without legal name and address; S-Invoice's buyerNotGetInvoice 0 needs
    name, tax code and address); a company buyer needs its tax code;
  - the e-mail is an e-mail address; an ID number (CCCD) has 12 digits.

`invoice_details_check` is pure: it returns the details normalised or raises
InvoiceDetailsInvalid with one translated message per field (the form or the API names the
field). `invoice_request_resolve` fills what was left blank from the customer's saved details
(blank means "as the customer's"), then checks; `order_invoice_request_save` stores the result
on the order (a copy: later changes to the customer do not change what the order asked for).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import CustomerError, InvalidTaxCode
from orders.models import (
    BuyerType,
    Customer,
    CustomerInvoiceDetails,
    EventKind,
    Order,
    OrderInvoiceRequest,
)
from orders.services.orders.core import event_add
from orders.validators import shop_country, tax_code_normalize

MAX_LENGTH = {"legal_name": 400, "address": 500, "email": 254, "tax_code": 20}


@dataclass(frozen=True)
class InvoiceDetailsInput:
    """`wants`: True / False as the buyer said, None: as the customer's default."""

    wants: bool | None = None
    buyer_type: str = ""  # "" -> the customer's (company when it has a company and tax code)
    tax_code: str = ""
    legal_name: str = ""  # the company's legal name, or the person's full name
    address: str = ""
    email: str = ""
    id_number: str = ""


class InvoiceDetailsInvalid(CustomerError):
    """One or more invoice details were refused: `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


def _tax_code(code: str, *, buyer_type: str, country: str) -> str:
    clean = tax_code_normalize(code, country=country)
    if clean and country == "VN" and buyer_type == BuyerType.COMPANY and len(clean) == 12:
        raise InvalidTaxCode(
            _(
                "%(code)s is a personal identification number: a company's tax code has "
                "10 digits, or 13 with a branch suffix."
            )
            % {"code": code.strip()}
        )
    return clean


def _texts(data: InvoiceDetailsInput, errors: dict[str, str]) -> InvoiceDetailsInput:
    clean = replace(
        data,
        buyer_type=data.buyer_type.strip() or BuyerType.PERSON,
        legal_name=" ".join(data.legal_name.split()),
        address=" ".join(data.address.split()),
        email=data.email.strip().lower(),
        id_number=data.id_number.strip().replace(" ", ""),
    )
    if clean.buyer_type not in BuyerType.values:
        errors["buyer_type"] = _("Choose a person or a company.")
    for name in ("legal_name", "address", "email"):
        limit = MAX_LENGTH[name]
        if len(getattr(clean, name)) > limit:
            errors[name] = _("At most %(limit)d characters are allowed here.") % {"limit": limit}
    if clean.email and "email" not in errors:
        try:
            validate_email(clean.email)
        except ValidationError:
            errors["email"] = _("%(email)s is not an e-mail address.") % {"email": clean.email}
    digits = clean.id_number
    if digits and not (len(digits) == 12 and digits.isascii() and digits.isdigit()):
        errors["id_number"] = _("A citizen ID number (CCCD) has 12 digits.")
    return clean


def invoice_details_check(
    data: InvoiceDetailsInput, *, required: bool, country: str | None = None
) -> InvoiceDetailsInput:
    """The details normalised; `required`: an invoice is wanted, so the buyer must be named
    as the rules require. Raises InvoiceDetailsInvalid (every field's error at once)."""
    errors: dict[str, str] = {}
    clean = _texts(data, errors)
    country = (country or shop_country()).upper()
    try:
        clean = replace(
            clean, tax_code=_tax_code(data.tax_code, buyer_type=clean.buyer_type, country=country)
        )
    except InvalidTaxCode as error:
        errors["tax_code"] = str(error)
    if required:
        company = clean.buyer_type == BuyerType.COMPANY
        if company and not clean.tax_code and "tax_code" not in errors:
            errors["tax_code"] = _("Enter the company's tax code.")
        if (company or clean.tax_code) and not clean.legal_name and "legal_name" not in errors:
            errors["legal_name"] = (
                _("Enter the company's legal name.")
                if company
                else _("Enter the buyer's full name for the invoice.")
            )
        if (company or clean.tax_code) and not clean.address and "address" not in errors:
            errors["address"] = _("Enter the address to print on the invoice.")
    if errors:
        raise InvoiceDetailsInvalid(errors)
    return clean


def _saved(customer: Customer) -> CustomerInvoiceDetails | None:
    return CustomerInvoiceDetails.objects.filter(customer_id=customer.pk).first()


def invoice_request_resolve(
    data: InvoiceDetailsInput | None, *, customer: Customer, country: str | None = None
) -> InvoiceDetailsInput | None:
    """What the order asks for: `data` with its blanks filled from the customer's saved
    details, checked. None: nothing to keep (nothing said and the customer wants none)."""
    data = data or InvoiceDetailsInput()
    saved = _saved(customer)
    wants = data.wants if data.wants is not None else bool(saved and saved.wants_invoice)
    if data.wants is None and not wants:
        return None
    if not wants:
        return InvoiceDetailsInput(wants=False)
    default_type = saved.buyer_type if saved else ""
    if not default_type:
        has_company = bool(customer.company and customer.tax_code)
        default_type = BuyerType.COMPANY if has_company else BuyerType.PERSON
    buyer_type = data.buyer_type.strip() or default_type
    company = buyer_type == BuyerType.COMPANY
    emails = customer.emails or []
    filled = InvoiceDetailsInput(
        wants=True,
        buyer_type=buyer_type,
        tax_code=data.tax_code.strip() or customer.tax_code,
        legal_name=data.legal_name.strip() or (customer.company if company else customer.name),
        address=data.address.strip() or (saved.address if saved else ""),
        email=data.email.strip() or (saved.email if saved else "") or (emails[0] if emails else ""),
        id_number=data.id_number.strip() or (saved.id_number if saved else ""),
    )
    return invoice_details_check(filled, required=True, country=country)


def order_invoice_request_save(
    *,
    order: Order,
    data: InvoiceDetailsInput | None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> OrderInvoiceRequest | None:
    """Store what `invoice_request_resolve` returned on the order (replacing what it had; a
    change is an "edited" event in the order's history); None keeps the order's request as it
    is. Call it in the transaction that saves the order."""
    if data is None:
        return None
    values: dict[str, Any] = {
        "wants_invoice": bool(data.wants),
        "buyer_type": data.buyer_type or BuyerType.PERSON,
        "tax_code": data.tax_code,
        "legal_name": data.legal_name,
        "address": data.address,
        "email": data.email,
        "id_number": data.id_number,
    }
    kept = OrderInvoiceRequest.objects.select_for_update().filter(order=order).first()
    if kept is None:
        return OrderInvoiceRequest.objects.create(order=order, **values)
    changed = {
        name: [getattr(kept, name), value]
        for name, value in values.items()
        if getattr(kept, name) != value
    }
    if changed:
        for name, value in values.items():
            setattr(kept, name, value)
        kept.save(update_fields=[*values, "updated_at"])
        event_add(
            order,
            EventKind.EDITED,
            user_id=user_id,
            now=now or timezone.now(),
            data={"invoice": changed},
        )
    return kept


def customer_invoice_details_save(
    *, customer_id: int, data: InvoiceDetailsInput
) -> CustomerInvoiceDetails:
    """Save a customer's default invoice details. The tax code and company name are the
    customer's own fields (edited with the customer); a company buyer needs both. Raises
    InvoiceDetailsInvalid."""
    customer = Customer.objects.get(pk=customer_id)
    clean = invoice_details_check(replace(data, tax_code="", legal_name=""), required=False)
    if clean.buyer_type == BuyerType.COMPANY and not (customer.tax_code and customer.company):
        raise InvoiceDetailsInvalid(
            {
                "buyer_type": _(
                    "A company buyer needs the company's name and tax code: edit the customer "
                    "to add them first."
                )
            }
        )
    details, _created = CustomerInvoiceDetails.objects.update_or_create(
        customer_id=customer.pk,
        defaults={
            "wants_invoice": bool(data.wants),
            "buyer_type": clean.buyer_type,
            "address": clean.address,
            "email": clean.email,
            "id_number": clean.id_number,
        },
    )
    return details
