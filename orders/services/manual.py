"""Saving the manual order page: the customer (picked, or new and created with the order), the
delivery address (one of the customer's, the order's own, or typed and optionally kept on the
customer), the order itself and the e-invoice the buyer asked for (orders.services.
invoice_requests: blanks taken from the customer's saved details, checked), in one transaction:
when the order or its invoice details are refused, no customer or address is left behind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from orders.errors import CustomerError
from orders.models import Customer, CustomerAddress, Order
from orders.services.customers import (
    AddressInput,
    CustomerInput,
    address_as_input,
    address_saved,
    customer_address_save,
    customer_create,
    phone_from_e164,
)
from orders.services.invoice_requests import (
    InvoiceDetailsInput,
    invoice_request_resolve,
    order_invoice_request_save,
)
from orders.services.orders.create import order_create
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput


@dataclass(frozen=True)
class NewCustomer:
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ManualOrder:
    """What the page sends. The customer is `customer_id` or `new_customer`; the address is
    `address_id` (one of the customer's), `new_address` (typed; a blank recipient name or
    phone is the customer's), `keep_address` (editing: the order's own) or none of them
    (creating: the customer's default address)."""

    lines: Sequence[LineInput]
    channel: str
    payment_method: str
    warehouse_id: int
    discount_total: Decimal = Decimal(0)
    shipping_fee: Decimal = Decimal(0)
    notes: str = ""
    customer_id: int | None = None
    new_customer: NewCustomer | None = None
    address_id: int | None = None
    new_address: AddressInput | None = None
    keep_address: bool = False
    wants_new_address: bool = False  # "new address" was chosen: new_address must be typed
    save_address: bool = False
    currency: str | None = None
    invoice: InvoiceDetailsInput | None = None  # None: as the customer's defaults (creating)


def _with_defaults(address: AddressInput, *, name: str, phone: str) -> AddressInput:
    return replace(
        address,
        recipient_name=address.recipient_name.strip() or name,
        recipient_phone=address.recipient_phone.strip() or phone,
    )


def _customer_and_shipping(
    data: ManualOrder, *, may_add_customer: bool, may_save_address: bool
) -> tuple[int, AddressInput | None]:
    if data.new_customer is not None:
        if not may_add_customer:
            raise CustomerError(_("You may not add customers; pick an existing one."))
        new = data.new_customer
        if data.new_address is None:
            raise CustomerError(_("Enter the delivery address."))
        typed = _with_defaults(data.new_address, name=new.name.strip(), phone=new.phone.strip())
        customer = customer_create(
            data=CustomerInput(
                name=new.name.strip(),
                phones=[new.phone.strip()] if new.phone.strip() else [],
                emails=[new.email.strip()] if new.email.strip() else [],
            ),
            addresses=[typed] if data.save_address else [],
        )
        return customer.pk, typed
    if data.customer_id is None:
        raise CustomerError(_("Find the customer by phone, or add a new one."))
    found = (
        Customer.objects.filter(pk=data.customer_id, merged_into__isnull=True)
        .prefetch_related("phones")
        .first()
    )
    if found is None:
        raise CustomerError(_("This customer does not exist."))
    customer = found
    if data.keep_address:
        return customer.pk, None
    if data.wants_new_address and data.new_address is None:
        raise CustomerError(_("Enter the delivery address."))
    if data.new_address is not None:
        primary = next((p for p in customer.phones.all() if p.is_primary), None)
        phone = phone_from_e164(primary.e164).local if primary else ""
        typed = _with_defaults(data.new_address, name=customer.name, phone=phone)
        if data.save_address and may_save_address:
            customer_address_save(customer_id=customer.pk, data=typed)
        return customer.pk, typed
    if data.address_id is not None:
        address = CustomerAddress.objects.filter(
            pk=data.address_id, customer_id=customer.pk
        ).first()
        if address is None:
            raise CustomerError(_("This address does not belong to the customer."))
        return customer.pk, address_as_input(address_saved(address))
    return customer.pk, None


def order_save_manual(
    *,
    data: ManualOrder,
    user_id: int | None,
    order_id: int | None = None,
    may_add_customer: bool = False,
    may_save_address: bool = False,
) -> Order:
    """Create (order_id None) or update a manual order with its customer and address, all or
    nothing. Raises OrderError / CustomerError (translated sentences); nothing is saved then."""
    with transaction.atomic():
        customer_id, shipping = _customer_and_shipping(
            data, may_add_customer=may_add_customer, may_save_address=may_save_address
        )
        order = _order_save(
            data, customer_id=customer_id, shipping=shipping, user_id=user_id, order_id=order_id
        )
        if order_id is None or data.invoice is not None:
            invoice = invoice_request_resolve(
                data.invoice, customer=Customer.objects.get(pk=customer_id)
            )
            order_invoice_request_save(order=order, data=invoice, user_id=user_id)
        return order


def _order_save(
    data: ManualOrder,
    *,
    customer_id: int,
    shipping: AddressInput | None,
    user_id: int | None,
    order_id: int | None,
) -> Order:
    if order_id is None:
        return order_create(
            customer_id=customer_id,
            lines=data.lines,
            channel=data.channel,
            payment_method=data.payment_method,
            user_id=user_id,
            warehouse_id=data.warehouse_id,
            shipping=shipping,
            discount_total=data.discount_total,
            shipping_fee=data.shipping_fee,
            notes=data.notes,
            currency=data.currency,
        )
    return order_update(
        order_id=order_id,
        user_id=user_id,
        customer_id=customer_id,
        shipping=shipping,
        lines=data.lines,
        warehouse_id=data.warehouse_id,
        payment_method=data.payment_method,
        discount_total=data.discount_total,
        shipping_fee=data.shipping_fee,
        notes=data.notes,
    )
