"""A new order: number, lines, totals, the shipping address (default: the customer's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import PRECISION
from inventory.services.sequences import sequence_next
from orders.errors import OrderError
from orders.models import CustomerAddress, EventKind, Order, OrderLine, OrderStatus
from orders.services.amounts import LineAmounts, OrderAmounts
from orders.services.customers import (
    AddressInput,
    CleanAddress,
    address_clean,
    address_saved,
    customer_get_live,
    customer_totals_refresh,
)
from orders.services.orders.core import (
    event_add,
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
    return f"SO{value:06d}"


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
) -> Order:
    """A new order (status new, number SO000001...) with its lines and totals computed.

    `shipping` None: the customer's default address is copied (if any). Nothing is reserved
    until the order is confirmed. A channel order number already recorded for the same channel
    and account is refused (imports are idempotent by it).
    """
    now = now or timezone.now()
    currency = _order_currency(currency)
    choices_check(channel=channel, payment_method=payment_method)
    channel_account = channel_account.strip()[:32]
    external_number = external_number.strip()[:64]
    clean_shipping = address_clean(shipping) if shipping is not None else None
    with transaction.atomic():
        customer = customer_get_live(customer_id=customer_id)
        if clean_shipping is None:
            clean_shipping = _default_address(customer.pk)
        if warehouse_id is not None:
            warehouse_check(warehouse_id)
        planned = lines_plan(lines, existing={}, currency=currency)
        amounts = lines_amounts(
            planned, discount_total=discount_total, shipping_fee=shipping_fee, currency=currency
        )
        if external_number:
            _refuse_duplicate_external(channel, channel_account, external_number)
        order = Order(
            number=order_number_next(),
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
        _insert(order, planned=planned, amounts=amounts, shipping=clean_shipping)
        _record_created(order, planned=planned, user_id=user_id, now=now)
    return order


def _order_currency(currency: str | None) -> str:
    """The order's currency code (the shop's by default); an unknown one is refused."""
    currency = (currency or settings.SHOP_CURRENCY).upper()
    if currency not in PRECISION:
        raise OrderError(_("Unknown currency."))
    return currency


def _insert(
    order: Order,
    *,
    planned: list[PlannedLine],
    amounts: OrderAmounts,
    shipping: CleanAddress | None,
) -> None:
    """Save the new order with its shipping address, totals and lines; a channel order number
    recorded meanwhile is refused by name."""
    shipping_set(order, shipping)
    amounts_apply(order, amounts)
    order_search_refresh(order)
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        if order.external_number:
            _refuse_duplicate_external(order.channel, order.channel_account, order.external_number)
        raise
    OrderLine.objects.bulk_create(
        _line_row(order, p, a) for p, a in zip(planned, amounts.lines, strict=True)
    )


def _record_created(
    order: Order, *, planned: list[PlannedLine], user_id: int | None, now: datetime
) -> None:
    """The new order's history row, its customer's figures and, after commit, its signal."""
    event_add(
        order,
        EventKind.CREATED,
        user_id=user_id,
        now=now,
        to_status=OrderStatus.NEW,
        data={
            "channel": order.channel,
            "lines": [{"sku": p.sku, "quantity": p.quantity} for p in planned],
            "total": money_data(order.total, order.currency),
        },
    )
    customer_totals_refresh(customer_id=order.customer_id)
    order_id = order.pk
    transaction.on_commit(lambda: order_created.send(sender=Order, order_id=order_id))


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
