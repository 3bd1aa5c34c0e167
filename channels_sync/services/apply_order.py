"""A platform order as our Order: created once (order_create), then kept in step while it is
still editable (order_update); a shipped order is never rewritten, the change is noted.

Amounts: each line at what the buyer paid per unit, the platform's shipping fee, and the
difference down to the platform's total (vouchers the line prices do not show) as the order
discount, so our total is the buyer's. Payment method: cash on delivery, else paid on the
marketplace. Warehouse: the shop's order warehouse. Currency: the shop's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from channels_sync.adapters.base import OrderData
from channels_sync.models import ChannelAccount, ChannelOrder
from channels_sync.services.apply_lines import (
    ApplyProblem,
    KnownLines,
    MatchedLine,
    lines_known,
    lines_match,
)
from channels_sync.services.buyers import (
    buyer_customer,
    buyers_known,
    platform_phone,
    shipping_input,
)
from channels_sync.services.holds import holds_consume, holds_open_variants
from common.money import quantize
from orders import transitions as t
from orders.errors import OrderError
from orders.models import Customer, EventKind, Order, OrderEvent, PaymentMethod
from orders.services.customers import AddressInput
from orders.services.orders.create import order_create
from orders.services.orders.edit import order_note_add, order_update
from orders.services.orders.lines import LineInput


@dataclass
class Known:
    """What a batch of orders needs from the database, read once for the batch (`known_load`):
    Listings and variants by SKU, the buyers' customers, and the orders recorded with these
    channel order numbers that have no ChannelOrder yet (adopted)."""

    lines: KnownLines
    buyers: dict[str, Customer]
    adoptable: dict[str, Order] = field(default_factory=dict)
    # Variants the shop holds for a promotion (holds not ended): only their lines consume.
    held: frozenset[int] | None = None


def known_load(
    *, account: ChannelAccount, orders: Sequence[OrderData], unlinked: Sequence[str] = ()
) -> Known:
    """Four queries for the whole batch (three when every order has a ChannelOrder):
    `unlinked` are the platform order ids without a ChannelOrder."""
    adoptable: dict[str, Order] = {}
    if unlinked:
        adoptable = {
            order.external_number: order
            for order in Order.objects.filter(
                channel=account.platform,
                channel_account=account.code,
                external_number__in=sorted(set(unlinked)),
            )
        }
    return Known(
        lines=lines_known(account=account, items=[i for data in orders for i in data.items]),
        buyers=buyers_known(account=account, buyer_ids=[data.buyer_id for data in orders]),
        adoptable=adoptable,
        held=holds_open_variants(account_id=account.pk),
    )


def _refused(error: OrderError, where: str) -> ApplyProblem:
    return ApplyProblem("order_refused", f"{where}: {error}", message=str(error))


def _discount(lines: list[MatchedLine], data: OrderData, currency: str) -> Decimal:
    """What the platform's total is below our lines + shipping (0 when it is not below)."""
    goods = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    over = quantize(goods + data.shipping_fee - data.total, currency)
    return min(max(over, Decimal(0)), quantize(goods, currency))


def _notes(data: OrderData, shipping: AddressInput | None) -> str:
    parts = [data.note.strip()] if data.note.strip() else []
    if shipping is None and data.address is not None:
        address = data.address
        text = ", ".join(p for p in (address.name, address.phone, address.full_address) if p)
        parts.append(_("Delivery address from the platform: %(address)s") % {"address": text})
    return "\n".join(parts)


def order_new(
    *, account: ChannelAccount, data: OrderData, now: datetime, known: Known | None = None
) -> tuple[ChannelOrder, list[MatchedLine]]:
    """Create our order (status new) and its ChannelOrder, not saved yet (the caller saves it
    once the status is followed); ApplyProblem when it cannot be."""
    if account.warehouse_id is None:
        raise ApplyProblem(
            "no_warehouse", f"shop {account.code} has no order warehouse", shop=account.code
        )
    lines = lines_match(
        account=account, items=data.items, now=now, known=known.lines if known else None
    )
    shipping = shipping_input(data.address, region=account.region)
    try:
        customer = buyer_customer(
            account=account,
            buyer_id=data.buyer_id,
            username=data.buyer_username,
            recipient=data.address.name if data.address is not None else "",
            phone=(
                platform_phone(data.address.phone, region=data.address.region or account.region)
                if data.address is not None
                else ""
            ),
            shipping=shipping,
            known=known.buyers if known else None,
        )
        order = order_create(
            customer_id=customer.pk,
            lines=[
                LineInput(variant_id=m.variant_id, quantity=m.quantity, unit_price=m.unit_price)
                for m in lines
            ],
            channel=account.platform,
            payment_method=PaymentMethod.COD if data.cod else PaymentMethod.MARKETPLACE,
            user_id=None,
            warehouse_id=account.warehouse_id,
            shipping=shipping,
            channel_account=account.code,
            external_number=data.external_id,
            discount_total=_discount(lines, data, account.currency),
            shipping_fee=data.shipping_fee,
            notes=_notes(data, shipping),
            currency=account.currency,
            now=data.created_at,
        )
    except OrderError as error:
        raise _refused(error, f"order {data.external_id}") from error
    # A promotion's sales come out of the shop's holds (channels_sync.services.holds).
    sold = [(m.variant_id, m.quantity) for m in lines]
    if known is None or known.held is None or any(v in known.held for v, _q in sold):
        holds_consume(account_id=account.pk, lines=sold, at=data.created_at)
    return _channel_order(account, data, order, now), lines


def order_adopt(
    *, account: ChannelAccount, data: OrderData, now: datetime, known: Known | None = None
) -> ChannelOrder | None:
    """An order already recorded with this channel order number (imported, or made before the
    shop was connected) gets its ChannelOrder (not saved yet) instead of a second order."""
    if known is not None:
        order = known.adoptable.get(data.external_id)
    else:
        order = Order.objects.filter(
            channel=account.platform,
            channel_account=account.code,
            external_number=data.external_id,
        ).first()
    if order is None:
        return None
    return _channel_order(account, data, order, now)


def _channel_order(
    account: ChannelAccount, data: OrderData, order: Order, now: datetime
) -> ChannelOrder:
    return ChannelOrder(
        account=account,
        external_id=data.external_id,
        order=order,
        platform_status="",  # set by the caller once the status is followed
        platform_updated_at=data.updated_at,
        tracking_number=data.tracking_number[:64],
        created_at=now,
        updated_at=now,
    )


def order_refresh(
    *,
    account: ChannelAccount,
    channel_order: ChannelOrder,
    data: OrderData,
    now: datetime,
    known: Known | None = None,
) -> bool:
    """Bring an existing order's lines, address and amounts in step with the platform while it
    is editable; afterwards only note that the platform changed them. True when anything was
    written."""
    order = channel_order.order
    editable = order.status in t.EDITABLE_STATUSES
    try:
        lines = lines_match(
            account=account,
            items=data.items,
            now=now,
            record=editable,
            known=known.lines if known else None,
        )
    except ApplyProblem:
        if editable:
            raise
        lines = []
    current = Counter(order.lines.values_list("variant_id", "quantity", "unit_price"))
    wanted = Counter(
        (m.variant_id, m.quantity, quantize(m.unit_price, order.currency)) for m in lines
    )
    if not editable:
        if wanted == current or data.updated_at <= channel_order.platform_updated_at:
            return False
        order_note_add(
            order_id=order.pk,
            text=_(
                "%(platform)s changed this order's lines after it was shipped; our order was "
                "kept as it is."
            )
            % {"platform": account.get_platform_display()},
            user_id=None,
            now=now,
        )
        return True
    return _edit(order, account, data, lines, same_lines=wanted == current, now=now)


def _edit(
    order: Order,
    account: ChannelAccount,
    data: OrderData,
    lines: list[MatchedLine],
    *,
    same_lines: bool,
    now: datetime,
) -> bool:
    free: dict[int, list[int]] = {}
    for line_id, variant_id in order.lines.order_by("pk").values_list("pk", "variant_id"):
        free.setdefault(variant_id, []).append(line_id)
    inputs = [
        LineInput(
            variant_id=m.variant_id,
            quantity=m.quantity,
            unit_price=m.unit_price,
            line_id=free[m.variant_id].pop(0) if free.get(m.variant_id) else None,
        )
        for m in lines
    ]
    before = OrderEvent.objects.filter(order=order, kind=EventKind.EDITED).count()
    try:
        order_update(
            order_id=order.pk,
            user_id=None,
            shipping=shipping_input(data.address, region=account.region),
            lines=None if same_lines else inputs,
            shipping_fee=data.shipping_fee,
            discount_total=_discount(lines, data, order.currency),
            now=now,
        )
    except OrderError as error:
        raise _refused(error, f"order {order.number} ({data.external_id})") from error
    return OrderEvent.objects.filter(order=order, kind=EventKind.EDITED).count() != before
