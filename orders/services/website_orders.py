"""Orders sent by websites, once read: checked against the database and created.

The input is OrderIn, a frozen dataclass of our own (no JSON, no transport model): the API
layer (orders.api.schema) reads and validates the body into it, and a staff re-apply goes
through the same API handler (orders.services.website_requests). What needs the database is
checked here and reported as field-level errors in the same format as the validator's
(common.payloads.FieldError, paths into the website's payload such as "items[1].sku"):
SKUs (case-insensitive), the warehouse, discounts that depend on catalogue prices.

Creating (website_order_apply), in one transaction: the customer is found by phone (an
advisory lock on the number serialises two requests for the same new buyer, so the API makes
one customer, not two; the found customer's row is locked for its totals) or created, and the
order is created by order_create (channel "website", channel account = the website's code,
external number = its id). Two identical requests at the same moment both reach the INSERT;
the unique constraint orders_order_external_unique lets one win and the other, refused, gets
the winner's order.

What was read here is handed to order_create (OrderPrepared) rather than read again: the
customer, its primary phone, the variants, the warehouse, and the order number (drawn in the
same round trip as the buyer's advisory lock). No savepoint: a refusal (or the same id
recorded meanwhile) raises OrderUndone, the caller rolls its whole transaction back, so it
leaves nothing behind, and asks OrderUndone.resolve() for the outcome in a new one (rare; a
savepoint would cost two statements on every order). The statements of one order are listed, and
pinned, in tests/orders/test_intake_queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _

from common.db import RowModel, prepared_cursor
from common.money import quantize
from common.payloads import FieldError
from inventory.models import Product, Variant, Warehouse
from orders.errors import OrderError
from orders.models import Channel, Customer, Order, PaymentKind, Website
from orders.services.customers import AddressInput, CustomerInput, customer_create
from orders.services.invoice_requests import (
    InvoiceDetailsInput,
    invoice_request_resolve,
    order_invoice_request_save,
)
from orders.services.orders.create import (
    ORDER_NUMBER_SEQUENCE,
    OrderPrepared,
    order_create,
    order_number_format,
)
from orders.services.orders.lines import PLAN_FIELDS, LineInput
from orders.services.orders.payments import order_payment_record


@dataclass(frozen=True)
class ItemIn:
    sku: str
    quantity: int
    unit_price: Decimal | None  # None: the variant's sale price
    discount: Decimal


@dataclass(frozen=True)
class CustomerIn:
    name: str
    phone: str  # E.164
    email: str  # "" when not sent


@dataclass(frozen=True)
class OrderIn:
    external_id: str
    currency: str
    customer: CustomerIn
    shipping: AddressInput
    items: tuple[ItemIn, ...]
    payment_method: str
    shipping_fee: Decimal
    discount: Decimal
    notes: str
    warehouse: str  # a warehouse code, "" for the website's own
    paid_amount: Decimal = Decimal(0)  # already paid on the website (card, e-wallet, transfer)
    payment_reference: str = ""
    invoice: InvoiceDetailsInput | None = None  # None: the customer's saved details, if any


@dataclass(frozen=True)
class OrderApplied:
    """The order made (`created`) or found (the same id won meanwhile), or the errors."""

    order: Order | None
    created: bool = False
    errors: tuple[FieldError, ...] = ()


def website_order_find(*, website: Website, external_id: str) -> Order | None:
    """The website's order with this id ("" finds nothing)."""
    if not external_id:
        return None
    # Usually none: only its id is looked up (a statement written out once; compiling the
    # ORM's query for every order cost more than running it), the order read when found.
    with prepared_cursor(connection) as cursor:
        cursor.execute(_ORDER_BY_EXTERNAL, [Channel.WEBSITE, website.code, external_id])
        row = cursor.fetchone()
    return Order.objects.get(pk=row[0]) if row is not None else None


# Only our own table names go into these statements' text; the values are parameters.
# (The last condition is the unique index's own: the prepared statement's generic plan uses it.)
_ORDER_BY_EXTERNAL = (
    f"SELECT id FROM {Order._meta.db_table} "  # noqa: S608
    "WHERE channel = %s AND channel_account = %s AND external_number = %s"
    " AND external_number <> '' LIMIT 1"
)
_VARIANT_ROW = RowModel(Variant, tuple(f for f in PLAN_FIELDS if "__" not in f))
_PRODUCT_ROW = RowModel(Product, tuple(f[9:] for f in PLAN_FIELDS if f.startswith("product__")))


@dataclass(frozen=True)
class _Drawn:
    """What the lock statement drew: the order number, the order's id and an id for the
    customer should it be new (unused otherwise: a gap in ids, which ids may have)."""

    number: str = ""
    order_id: int | None = None
    customer_id: int | None = None


_LOCK_AND_DRAW = (
    "SELECT pg_advisory_xact_lock(hashtext(%s)), nextval(%s), "
    f"nextval(pg_get_serial_sequence('{Order._meta.db_table}', 'id')), "
    f"nextval(pg_get_serial_sequence('{Customer._meta.db_table}', 'id'))"
)


def _variants(skus: Sequence[str], *, draw_for: str = "") -> tuple[dict[str, Variant], _Drawn]:
    """Variants by upper-cased SKU (one query on the UPPER(sku) unique index), with what
    order_create's lines_plan reads of them (PLAN_FIELDS), so it need not read them again;
    written out (RowModel) rather than compiled by the ORM on every order.

    `draw_for` (a buyer's E.164 phone, on PostgreSQL): the same statement first serialises
    customer lookup-or-create for that phone until the transaction ends (an advisory lock)
    and draws the order number and the ids (_Drawn): one round trip for both. A request
    refused afterwards leaves a gap in the numbers, which order numbers may have."""
    wanted = sorted({sku.upper() for sku in skus})
    draw = bool(draw_for) and connection.vendor == "postgresql"
    params: list[Any]
    if not wanted:
        return {}, _Drawn()
    columns = f"{_VARIANT_ROW.select('v')}, {_PRODUCT_ROW.select('p')}"
    source = f"{Variant._meta.db_table} v JOIN {Product._meta.db_table} p ON p.id = v.product_id"
    # One placeholder a SKU (a prepared statement for each number of SKUs): with an array,
    # PostgreSQL would plan the statement on every run, not settle on its generic plan.
    match = f"UPPER(v.sku) IN ({', '.join(['%s'] * len(wanted))})"
    if draw:
        # A CTE runs its volatile functions once; the variants are joined to its one row.
        rows_sql = (
            f"WITH d AS ({_LOCK_AND_DRAW}) "  # noqa: S608 (our names; values are parameters)
            f"SELECT d.*, {columns} FROM d LEFT JOIN ({source}) ON {match}"
        )
        params = [f"website-buyer:{draw_for}", ORDER_NUMBER_SEQUENCE, *wanted]
    else:
        rows_sql = f"SELECT {columns} FROM {source} WHERE {match}"  # noqa: S608 (as above)
        params = list(wanted)
    with prepared_cursor(connection) as cursor:
        cursor.execute(rows_sql, params)
        rows = cursor.fetchall()
    drawn = _Drawn()
    if draw:
        (_locked, value, order_id, customer_id) = rows[0][:4]
        drawn = _Drawn(order_number_format(value), order_id, customer_id)
        rows = [row[4:] for row in rows]
    found = {}
    product_field = Variant._meta.get_field("product")
    for row in rows:
        variant = _VARIANT_ROW.make(connection, row[: _VARIANT_ROW.width])
        if variant is None:  # no SKU matched: the drawn row alone
            continue
        product_field.set_cached_value(
            variant, _PRODUCT_ROW.make(connection, row[_VARIANT_ROW.width :])
        )
        found[variant.sku.upper()] = variant
    return found, drawn


def _sku_errors(skus: Sequence[tuple[int, str]], variants: dict[str, Variant]) -> list[FieldError]:
    errors = []
    for index, sku in skus:
        variant = variants.get(sku.upper())
        if variant is None:
            message = _("No product has the SKU %(sku)s.") % {"sku": sku}
            errors.append(FieldError(f"items[{index}].sku", "unknown_sku", message))
        elif not (variant.is_active and variant.product.is_active):
            message = _("%(sku)s is no longer sold.") % {"sku": variant.sku}
            errors.append(FieldError(f"items[{index}].sku", "not_sold", message))
    return errors


def website_sku_errors(*, skus: Sequence[tuple[int, str]]) -> list[FieldError]:
    """Unknown and no longer sold SKUs of (item index, sku) pairs: also reported for a payload
    that failed validation, so a website need not fix its payload twice."""
    return _sku_errors(skus, _variants([sku for _index, sku in skus])[0])


def _amount_errors(data: OrderIn, variants: dict[str, Variant]) -> tuple[list[FieldError], Decimal]:
    """Line discounts larger than their line, and the items' total after them."""
    errors = []
    subtotal = Decimal(0)
    for index, item in enumerate(data.items):
        variant = variants.get(item.sku.upper())
        if variant is None or not (variant.is_active and variant.product.is_active):
            continue
        price = variant.sale_price if item.unit_price is None else item.unit_price
        gross = quantize(price * item.quantity, data.currency)
        if item.discount > gross:
            message = _("The discount is larger than the item's amount (%(amount)s).") % {
                "amount": str(gross)
            }
            errors.append(FieldError(f"items[{index}].discount", "too_large", message))
        subtotal += gross - min(item.discount, gross)
    return errors, subtotal


def _warehouse_for(website: Website, code: str) -> tuple[Warehouse | None, list[FieldError]]:
    """The warehouse to ship from: the one named by `code`, else the website's (None: none)."""
    if not code:
        return website.warehouse, []
    warehouse = Warehouse.objects.filter(code__iexact=code).first()
    if warehouse is None:
        message = _("No warehouse has the code %(code)s.") % {"code": code}
        return None, [FieldError("warehouse", "unknown_warehouse", message)]
    if not warehouse.is_active:
        message = _("The warehouse %(code)s is inactive.") % {"code": warehouse.code}
        return None, [FieldError("warehouse", "inactive_warehouse", message)]
    return warehouse, []


def _check_against_database(
    website: Website, data: OrderIn
) -> tuple[list[FieldError], dict[str, Variant], Warehouse | None, _Drawn]:
    """SKUs (case-insensitive), the warehouse and discounts that depend on catalogue prices;
    the buyer's lock taken and the number and ids drawn with the SKUs (_variants)."""
    variants, drawn = _variants([item.sku for item in data.items], draw_for=data.customer.phone)
    errors = _sku_errors([(i, item.sku) for i, item in enumerate(data.items)], variants)
    line_errors, subtotal = _amount_errors(data, variants)
    errors += line_errors
    if not errors and data.discount > subtotal:
        message = _("The order discount is larger than the items' total (%(amount)s).") % {
            "amount": str(quantize(subtotal, data.currency))
        }
        errors.append(FieldError("discount", "too_large", message))
    warehouse, warehouse_errors = _warehouse_for(website, data.warehouse)
    return errors + warehouse_errors, variants, warehouse, drawn


# The oldest live customer with a phone, with its primary phone, its row locked (on
# PostgreSQL). Written out once: building it with the ORM (two subqueries, FOR UPDATE OF)
# cost more CPU on every order than running it.
_CUSTOMER_ROW = RowModel(Customer)
_CUSTOMER_WITH_PHONE = f"""
    SELECT {_CUSTOMER_ROW.select("c")}, (
        SELECT p.e164 FROM orders_customerphone p
        WHERE p.customer_id = c.id AND p.is_primary ORDER BY p.id LIMIT 1
    ) AS primary_e164, EXISTS (
        SELECT 1 FROM orders_customerinvoicedetails d
        WHERE d.customer_id = c.id AND d.wants_invoice
    ) AS wants_invoice
    FROM orders_customer c
    WHERE c.merged_into_id IS NULL
      AND c.id IN (SELECT customer_id FROM orders_customerphone WHERE e164 = %s)
    ORDER BY c.created_at, c.id
    LIMIT 1
"""  # noqa: S608 (our names; the phone is a parameter)


def _customer_with_phone(e164: str) -> tuple[Customer, str, bool] | None:
    """That customer, its primary phone ("" none) and whether its saved invoice details ask
    for an e-invoice with every order; or None."""
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    with prepared_cursor(connection) as cursor:
        cursor.execute(_CUSTOMER_WITH_PHONE + lock, [e164])
        row = cursor.fetchone()
    if row is None:
        return None
    return _CUSTOMER_ROW.make(connection, row[:-2]), row[-2] or "", bool(row[-1])


def _customer_for(data: OrderIn, new_id: int | None) -> tuple[Customer, str, bool]:
    """The oldest live customer with this phone, its row locked for order_create (which
    recounts its totals), else a new one with name, phone, e-mail and the shipping address as
    default address; with the customer's primary phone ("" none) and whether it wants an
    e-invoice by default."""
    found = _customer_with_phone(data.customer.phone)
    if found is not None:
        return found
    customer = customer_create(
        data=CustomerInput(
            name=data.customer.name,
            phones=[data.customer.phone],
            emails=[data.customer.email] if data.customer.email else [],
            country=data.shipping.country,
        ),
        addresses=[data.shipping],
        customer_id=new_id,
    )
    # Its only phone, already in E.164 (orders.api.schema), is its primary one.
    return customer, data.customer.phone, False


def _order_make(
    *,
    website: Website,
    data: OrderIn,
    variants: dict[str, Variant],
    warehouse: Warehouse | None,
    drawn: _Drawn,
    user_id: int | None,
    now: datetime,
) -> Order:
    """The customer and the order, with the payment made on the website; raises OrderError
    (or IntegrityError: the same id recorded meanwhile)."""
    customer, primary_phone, wants_invoice = _customer_for(data, drawn.customer_id)
    order = order_create(
        customer_id=customer.pk,
        lines=[
            LineInput(
                variant_id=variants[item.sku.upper()].pk,
                quantity=item.quantity,
                unit_price=item.unit_price,
                discount=item.discount,
            )
            for item in data.items
        ],
        channel=Channel.WEBSITE,
        channel_account=website.code,
        external_number=data.external_id,
        payment_method=data.payment_method,
        warehouse_id=warehouse.pk if warehouse is not None else None,
        shipping=data.shipping,
        discount_total=data.discount,
        shipping_fee=data.shipping_fee,
        notes=data.notes,
        currency=data.currency,
        user_id=user_id,
        now=now,
        # Read above in this transaction; website_order_find looked for the id just before.
        prepared=OrderPrepared(
            customer=customer,
            primary_phone=primary_phone,
            variants={v.pk: v for v in variants.values()},
            warehouse=warehouse,
            number=drawn.number,
            order_id=drawn.order_id,
        ),
    )
    if data.invoice is not None or wants_invoice:  # else nothing to keep, and no query
        invoice = invoice_request_resolve(
            data.invoice, customer=customer, country=data.shipping.country
        )
        order_invoice_request_save(order=order, data=invoice)
    return _paid_on_website(order, data, user_id=user_id, now=now)


def _paid_on_website(order: Order, data: OrderIn, *, user_id: int | None, now: datetime) -> Order:
    """The payment made on the website, recorded on the order (the order as it is then)."""
    if not data.paid_amount:
        return order
    if data.paid_amount > order.total:
        raise OrderError(_("The amount paid is larger than the order total."))
    order_payment_record(
        order_id=order.pk,
        kind=PaymentKind.PAYMENT,
        amount=data.paid_amount,
        method=data.payment_method,
        reference=data.payment_reference,
        user_id=user_id,
        now=now,
    )
    order.refresh_from_db()
    return order


class OrderUndone(Exception):
    """website_order_apply could not create the order after it had written in the caller's
    transaction: the caller rolls that transaction back, then calls `resolve()` in a new one."""

    def __init__(self, *, website: Website, external_id: str, error: Exception) -> None:
        super().__init__(str(error))
        self.website, self.external_id, self.error = website, external_id, error

    def resolve(self) -> OrderApplied:
        """The same id recorded meanwhile (sent twice at the same moment: the other request's
        order won the unique constraint) -> that order; a refusal -> its error."""
        existing = website_order_find(website=self.website, external_id=self.external_id)
        if existing is not None:
            return OrderApplied(order=existing)
        if isinstance(self.error, IntegrityError):
            raise self.error
        return OrderApplied(
            order=None, errors=(FieldError(None, "order_rejected", str(self.error)),)
        )


def website_order_apply(
    *, website: Website, data: OrderIn, user_id: int | None, now: datetime
) -> OrderApplied:
    """Check `data` against the database and create the order (see the module docstring).
    Runs inside the caller's transaction; raises OrderUndone when that must be rolled back."""
    errors, variants, warehouse, drawn = _check_against_database(website, data)
    if errors:
        return OrderApplied(order=None, errors=tuple(errors))
    try:
        order = _order_make(
            website=website,
            data=data,
            variants=variants,
            warehouse=warehouse,
            drawn=drawn,
            user_id=user_id,
            now=now,
        )
    except (OrderError, IntegrityError) as error:
        raise OrderUndone(website=website, external_id=data.external_id, error=error) from error
    return OrderApplied(order=order, created=True)
