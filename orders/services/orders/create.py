"""A new order: number, lines, totals, the shipping address (default: the customer's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import insert_together
from common.money import PRECISION
from inventory.models import Variant, Warehouse
from inventory.services.sequences import sequence_next
from orders.errors import OrderError
from orders.models import (
    Customer,
    CustomerAddress,
    EventKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from orders.services.amounts import LineAmounts, OrderAmounts
from orders.services.customers import (
    AddressInput,
    CleanAddress,
    address_clean,
    address_saved,
    customer_get_live,
    customer_totals_recount,
)
from orders.services.orders.core import (
    money_data,
    order_search_refresh,
    warehouse_check,
)
from orders.services.orders.lines import (
    LineInput,
    PlannedLine,
    amounts_apply,
    choices_check,
    lines_amounts,
    lines_plan,
    shipping_set,
)
from orders.signals import order_created


def _default_address(customer_id: int) -> CleanAddress | None:
    address = CustomerAddress.objects.filter(customer_id=customer_id, is_default=True).first()
    return address_saved(address) if address is not None else None


ORDER_NUMBER_SEQUENCE = "orders_order_number_seq"


def order_number_next() -> str:
    """The next order number, "SO000001"... On PostgreSQL a database sequence: concurrent
    orders never wait for each other (a rolled-back order leaves a gap, which order numbers
    may have; invoices, which may not, have their own numbering). Elsewhere the row-locked
    document sequence."""
    if connection.vendor != "postgresql":
        return sequence_next(prefix="SO")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [ORDER_NUMBER_SEQUENCE])
        (value,) = cursor.fetchone()
    return order_number_format(value)


def order_number_format(value: int) -> str:
    """The order number of a value of ORDER_NUMBER_SEQUENCE."""
    return f"SO{value:06d}"


@dataclass(frozen=True)
class OrderPrepared:
    """What a caller of order_create already did in its open transaction, so that it is not
    done twice (the website API: orders.services.website_orders):

    - `customer`: the live customer, its row locked FOR UPDATE by this transaction (or
      inserted by it), so its totals are recounted without taking the lock again;
    - `primary_phone`: that customer's primary phone in E.164 ("" none), for the search text;
    - `variants`: the new lines' variants by id, read with lines.PLAN_FIELDS;
    - `warehouse`: the warehouse row (None: no warehouse), its is_active still checked here;
    - `number`: the order number, when the caller drew it (order_number_next) with another
      statement of its own ("": drawn here);
    - `order_id`: the new order's id, drawn by the caller from the table's sequence (PostgreSQL;
      None: given by the INSERT): the order, its lines and its history row then go in one
      statement (common.db.insert_together).
    The caller has also looked for the channel order number in this transaction and holds a
    savepoint of its own: a duplicate inserted meanwhile raises IntegrityError, not OrderError.
    """

    customer: Customer
    primary_phone: str
    variants: Mapping[int, Variant]
    warehouse: Warehouse | None
    number: str = ""
    order_id: int | None = None


def order_create(
    *,
    customer_id: int,
    lines: Sequence[LineInput],
    channel: str,
    payment_method: str,
    user_id: int | None,
    warehouse_id: int | None = None,
    shipping: AddressInput | None = None,
    channel_account: str = "",
    external_number: str = "",
    discount_total: Decimal = Decimal(0),
    shipping_fee: Decimal = Decimal(0),
    notes: str = "",
    currency: str | None = None,
    now: datetime | None = None,
    prepared: OrderPrepared | None = None,
) -> Order:
    """A new order (status new, number SO000001...) with its lines and totals computed.

    `shipping` None: the customer's default address is copied (if any). Nothing is reserved
    until the order is confirmed. A channel order number already recorded for the same channel
    and account is refused (imports are idempotent by it). `prepared`: see OrderPrepared.
    """
    now = now or timezone.now()
    currency = _order_currency(currency)
    choices_check(channel=channel, payment_method=payment_method)
    channel_account = channel_account.strip()[:32]
    external_number = external_number.strip()[:64]
    clean_shipping = address_clean(shipping) if shipping is not None else None
    with transaction.atomic(savepoint=prepared is None):  # `prepared`: the caller's savepoint
        customer, planned = _customer_and_lines(
            customer_id, lines, warehouse_id=warehouse_id, currency=currency, prepared=prepared
        )
        if clean_shipping is None:
            clean_shipping = _default_address(customer.pk)
        amounts = lines_amounts(
            planned, discount_total=discount_total, shipping_fee=shipping_fee, currency=currency
        )
        if external_number and prepared is None:
            _refuse_duplicate_external(channel, channel_account, external_number)
        order = Order(
            number=(prepared.number if prepared is not None else "") or order_number_next(),
            channel=channel,
            channel_account=channel_account,
            external_number=external_number,
            customer=customer,
            status=OrderStatus.NEW,
            payment_method=payment_method,
            warehouse_id=warehouse_id,
            currency=currency,
            notes=notes.strip(),
            created_by_id=user_id,
            created_at=now,
            updated_at=now,
        )
        _fill(order, clean_shipping, amounts, prepared)
        _save_new(order, planned=planned, amounts=amounts, prepared=prepared, user_id=user_id)
        _record_created(order)
    return order


def _save_new(
    order: Order,
    *,
    planned: list[PlannedLine],
    amounts: OrderAmounts,
    prepared: OrderPrepared | None,
    user_id: int | None,
) -> None:
    """INSERT the new order, its lines and its "created" history row."""
    if prepared is not None and prepared.order_id is not None:
        # The id drawn by the caller: all in one statement (orders.services.website_orders).
        order.pk = prepared.order_id
        rows = [_line_row(order, p, a) for p, a in zip(planned, amounts.lines, strict=True)]
        event = _created_event(order, planned=planned, user_id=user_id, now=order.created_at)
        insert_together([[order], rows, [event]], connection)
    else:
        _insert(order, planned=planned, amounts=amounts, guarded=prepared is None)
        _created_event(order, planned=planned, user_id=user_id, now=order.created_at).save(
            force_insert=True
        )


def _fill(
    order: Order,
    shipping: CleanAddress | None,
    amounts: OrderAmounts,
    prepared: OrderPrepared | None,
) -> None:
    """The new order's shipping address, totals and search text."""
    shipping_set(order, shipping)
    amounts_apply(order, amounts)
    primary_phone = prepared.primary_phone if prepared is not None else None
    order_search_refresh(order, primary_phone=primary_phone)


def _customer_and_lines(
    customer_id: int,
    lines: Sequence[LineInput],
    *,
    warehouse_id: int | None,
    currency: str,
    prepared: OrderPrepared | None,
) -> tuple[Customer, list[PlannedLine]]:
    """The live customer (its row locked), the warehouse checked, the lines planned: read
    here, or taken from `prepared`."""
    if prepared is None:
        customer = customer_get_live(customer_id=customer_id, lock=True)
        if warehouse_id is not None:
            warehouse_check(warehouse_id)
    else:
        customer = prepared.customer
        _warehouse_active(prepared.warehouse)
    variants = prepared.variants if prepared is not None else None
    return customer, lines_plan(lines, existing={}, currency=currency, variants=variants)


def _warehouse_active(warehouse: Warehouse | None) -> None:
    """warehouse_check on a row already read."""
    if warehouse is not None and not warehouse.is_active:
        raise OrderError(_("The warehouse %(code)s is inactive.") % {"code": warehouse.code})


def _order_currency(currency: str | None) -> str:
    """The order's currency code (the shop's by default); an unknown one is refused."""
    currency = (currency or settings.SHOP_CURRENCY).upper()
    if currency not in PRECISION:
        raise OrderError(_("Unknown currency."))
    return currency


def _insert(
    order: Order, *, planned: list[PlannedLine], amounts: OrderAmounts, guarded: bool
) -> None:
    """Save the new order and its lines. `guarded`: a channel order number recorded meanwhile
    is refused by name (OrderError, under a savepoint; no number, no savepoint); otherwise an
    IntegrityError rises to the caller (order_create with `prepared`: to its savepoint)."""
    if guarded and order.external_number:
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            _refuse_duplicate_external(order.channel, order.channel_account, order.external_number)
            raise
    else:
        order.save(force_insert=True)
    OrderLine.objects.bulk_create(
        _line_row(order, p, a) for p, a in zip(planned, amounts.lines, strict=True)
    )


def _created_event(
    order: Order, *, planned: list[PlannedLine], user_id: int | None, now: datetime
) -> OrderEvent:
    """The new order's history row (not saved yet)."""
    return OrderEvent(
        order=order,
        kind=EventKind.CREATED,
        from_status="",
        to_status=OrderStatus.NEW,
        data={
            "channel": order.channel,
            "lines": [{"sku": p.sku, "quantity": p.quantity} for p in planned],
            "total": money_data(order.total, order.currency),
        },
        user_id=user_id,
        created_at=now,
    )


def _record_created(order: Order) -> None:
    """The new order's customer figures and, after commit, its signal."""
    # The customer's row is locked by order_create (or the caller): one UPDATE recounts.
    customer_totals_recount(customer_id=order.customer_id)
    # What receivers need of the order, so they need not read it again.
    sent = {"order_id": order.pk, "customer_id": order.customer_id, "created_at": order.created_at}
    transaction.on_commit(lambda: order_created.send(sender=Order, **sent))


def _line_row(order: Order, p: PlannedLine, a: LineAmounts) -> OrderLine:
    return OrderLine(
        order=order,
        variant_id=p.variant_id,
        sku=p.sku,
        name=p.name,
        quantity=p.quantity,
        unit_price=p.unit_price,
        discount=p.discount,
        vat_rate=p.vat_rate,
        vat_category=p.vat_category,
        line_total=a.line_total,
        vat_amount=a.vat_amount,
    )


def _refuse_duplicate_external(channel: str, account: str, external_number: str) -> None:
    number = (
        Order.objects.filter(
            channel=channel, channel_account=account, external_number=external_number
        )
        .values_list("number", flat=True)
        .first()
    )
    if number is not None:
        raise OrderError(
            _("The channel order %(external)s is already recorded as %(number)s.")
            % {"external": external_number, "number": number}
        )
