"""Orders: create, edit, the status transitions, payments and notes.

Status moves (orders.transitions) are one conditional UPDATE each:
    UPDATE orders_order SET status = <target> ... WHERE id = %s AND status = <expected>
so of two users confirming (or cancelling, shipping...) the same order at the same moment,
exactly one wins; the other's UPDATE matches no row (PostgreSQL re-checks the WHERE clause on
the row the winner committed) and gets an OrderStateError. The winner's UPDATE also holds the
order row until commit, and edits lock that row before touching lines, so the lines read after
the move cannot change underneath.

Stock (inventory.services.stock, source = Source("order", id, number), one batch per action,
one ledger row per variant and warehouse):
    confirm   new -> processing        reserve every line's quantity in the order warehouse
    edit      while processing         reserve more / release the difference, per variant
                                       (also moving reservations when the warehouse changes)
    ship      processing -> shipped    deduct the reserved units (shipment from reserved)
    cancel    new|processing -> cancelled   release exactly what the lines hold reserved
    returns   see orders.services.returns
OrderLine.quantity_reserved always says what each line holds, so every release is exact and a
second cancel finds nothing to release (and is refused by its conditional UPDATE anyway).

Payment status (payment_status_for): refunded or partially refunded once anything was
refunded (refunded if everything received was given back); otherwise unpaid / partially paid /
paid by comparing what was received with the total (an order with total 0 is paid). An order
paid on the marketplace (payment method "marketplace") was paid at the platform's checkout: its
total counts as received (orders.models.collected_amount), so it is paid, never "unpaid".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import PRECISION, format_money, quantize
from inventory.errors import InsufficientStock
from inventory.models import StockLevel, Variant, Warehouse
from inventory.services.sequences import sequence_next
from inventory.services.stock import Source, StockChange, stock_apply
from inventory.text import fold
from orders import transitions as t
from orders.errors import OrderError, OrderStateError, OrderStockShort, Shortage
from orders.models import (
    Channel,
    CustomerAddress,
    EventKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    collected_amount,
)
from orders.services.amounts import LinePrice, OrderAmounts, order_amounts
from orders.services.customers import (
    AddressInput,
    CleanAddress,
    address_clean,
    customer_get_live,
    customer_totals_refresh,
    phone_from_e164,
)
from orders.services.followup_summary import order_followup_summary_close
from orders.services.sales_rollup import sales_rollup_add_shipment
from orders.services.shortage import shortage_drafts_shrink
from orders.signals import order_created, order_status_changed

MAX_VAT_RATE = Decimal(100)
MAX_QUANTITY = 100_000
MAX_LINES = 500


def _status_label(status: str) -> str:
    return str(OrderStatus(status).label)


def state_error(*, number: str, status: str, action: str) -> OrderStateError:
    return OrderStateError(number=number, status_label=_status_label(status), action=action)


def payment_status_for(
    *, total: Decimal, paid: Decimal, refunded: Decimal, payment_method: str = ""
) -> str:
    """`paid` is what was recorded; an order paid on the marketplace counts its total as paid
    (orders.models.collected_amount)."""
    paid = collected_amount(payment_method=payment_method, total=total, paid=paid)
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded >= paid else PaymentStatus.PARTIALLY_REFUNDED
    if paid >= total:
        return PaymentStatus.PAID
    if paid <= 0:
        return PaymentStatus.UNPAID
    return PaymentStatus.PARTIALLY_PAID


def _money(value: Decimal, currency: str) -> str:
    """Money in event data: the exact amount in the currency's precision, as a string."""
    return str(quantize(value, currency))


def _display(value: Decimal, currency: str) -> str:
    """Money in a message, formatted for the active language."""
    return format_money(value, currency, get_language() or "en")


def _source(order: Order) -> Source:
    return Source("order", str(order.pk), order.number)


def _event(
    order: Order,
    kind: str,
    *,
    user_id: int | None,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        user_id=user_id,
        created_at=now,
    )


def _announce_status(order_id: int, from_status: str, to_status: str) -> None:
    transaction.on_commit(
        lambda: order_status_changed.send(
            sender=Order, order_id=order_id, from_status=from_status, to_status=to_status
        )
    )


def _check_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise OrderError(_("Choose a warehouse."))
    if not warehouse.is_active:
        raise OrderError(_("The warehouse %(code)s is inactive.") % {"code": warehouse.code})
    return warehouse


def order_search_text(
    *, number: str, external_number: str, names: Sequence[str], phones: Sequence[str]
) -> str:
    """What order search matches: folded number and names, then phone digits."""
    words = fold(" ".join(p for p in (number, external_number, *names) if p))
    digits = " ".join(phone_from_e164(e164).search_digits for e164 in phones if e164)
    return f"{words} {digits}".strip()


def _refresh_order_search(order: Order) -> None:
    customer = order.customer
    primary = customer.phones.filter(is_primary=True).values_list("e164", flat=True).first()
    order.search_text = order_search_text(
        number=order.number,
        external_number=order.external_number,
        names=[order.ship_name, customer.name]
        if order.ship_name != customer.name
        else [order.ship_name],
        phones=sorted({p for p in (order.ship_phone, primary or "") if p}),
    )


# --- Lines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """A line as entered. None means: for a new line the variant's sale price / VAT rate,
    for an existing line (line_id set, order_update) what the line already has."""

    variant_id: int
    quantity: int
    unit_price: Decimal | None = None
    discount: Decimal = Decimal(0)
    vat_rate: Decimal | None = None
    line_id: int | None = None


@dataclass(frozen=True)
class _Planned:
    line_id: int | None
    variant_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    vat_rate: Decimal


def variant_display_name(product_name: str, options: Iterable[str]) -> str:
    values = [o for o in options if o]
    return f"{product_name} ({' / '.join(values)})" if values else product_name


def _plan_lines(
    lines: Sequence[LineInput], *, existing: dict[int, OrderLine], currency: str
) -> list[_Planned]:
    if not lines:
        raise OrderError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise OrderError(_("At most %(count)d lines per order.") % {"count": MAX_LINES})
    new_ids = {line.variant_id for line in lines if line.line_id is None}
    variants = {
        v.pk: v
        for v in Variant.objects.filter(pk__in=new_ids)
        .select_related("product")
        .only(
            "pk",
            "sku",
            "sale_price",
            "vat_rate",
            "is_active",
            "option1",
            "option2",
            "option3",
            "product__name",
            "product__is_active",
        )
    }
    seen_lines: set[int] = set()
    planned: list[_Planned] = []
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise OrderError(_("Quantities are whole numbers."))
        if line.line_id is not None:
            old = existing.get(line.line_id)
            if old is None or line.line_id in seen_lines:
                raise OrderError(_("A line does not belong to this order."))
            seen_lines.add(line.line_id)
            if old.variant_id != line.variant_id:
                raise OrderError(
                    _(
                        "The product of line %(sku)s cannot be changed: remove the line and add "
                        "a new one."
                    )
                    % {"sku": old.sku}
                )
            sku, name = old.sku, old.name
            unit_price = old.unit_price if line.unit_price is None else line.unit_price
            vat_rate = old.vat_rate if line.vat_rate is None else line.vat_rate
        else:
            variant = variants.get(line.variant_id)
            if variant is None:
                raise OrderError(_("A line refers to a product variant that does not exist."))
            if not (variant.is_active and variant.product.is_active):
                raise OrderError(_("%(sku)s is no longer sold.") % {"sku": variant.sku})
            sku = variant.sku
            name = variant_display_name(variant.product.name, variant.option_values)[:400]
            unit_price = variant.sale_price if line.unit_price is None else line.unit_price
            vat_rate = variant.vat_rate if line.vat_rate is None else line.vat_rate
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise OrderError(
                _("The quantity of %(sku)s must be between 1 and %(max)d.")
                % {"sku": sku, "max": MAX_QUANTITY}
            )
        if not Decimal(0) <= vat_rate <= MAX_VAT_RATE:
            raise OrderError(
                _("The VAT rate of %(sku)s must be between 0 and 100%%.") % {"sku": sku}
            )
        planned.append(
            _Planned(
                line_id=line.line_id,
                variant_id=line.variant_id,
                sku=sku,
                name=name,
                quantity=line.quantity,
                unit_price=quantize(unit_price, currency),
                discount=quantize(line.discount, currency),
                vat_rate=Decimal(vat_rate).quantize(Decimal("0.01")),
            )
        )
    return planned


def _amounts(
    planned: Sequence[_Planned], *, discount_total: Decimal, shipping_fee: Decimal, currency: str
) -> OrderAmounts:
    return order_amounts(
        lines=[
            LinePrice(
                quantity=p.quantity,
                unit_price=p.unit_price,
                discount=p.discount,
                vat_rate=p.vat_rate,
            )
            for p in planned
        ],
        discount_total=discount_total,
        shipping_fee=shipping_fee,
        currency=currency,
    )


def _apply_amounts(order: Order, amounts: OrderAmounts) -> None:
    order.subtotal = amounts.subtotal
    order.discount_total = amounts.discount_total
    order.shipping_fee = amounts.shipping_fee
    order.vat_total = amounts.vat_total
    order.total = amounts.total
    order.payment_status = payment_status_for(
        total=order.total,
        paid=order.paid_amount,
        refunded=order.refunded_amount,
        payment_method=order.payment_method,
    )


def _set_shipping(order: Order, address: CleanAddress | None) -> None:
    if address is None:
        return
    order.ship_name = address.recipient_name
    order.ship_phone = address.recipient_phone
    order.ship_country = address.country
    order.ship_scheme = address.scheme
    order.ship_province = address.province
    order.ship_district = address.district
    order.ship_ward = address.ward
    order.ship_postcode = address.postcode
    order.ship_street = address.street


def _default_address(customer_id: int) -> CleanAddress | None:
    address = CustomerAddress.objects.filter(customer_id=customer_id, is_default=True).first()
    if address is None:
        return None
    return CleanAddress(
        recipient_name=address.recipient_name,
        recipient_phone=address.recipient_phone,
        country=address.country,
        scheme=address.scheme,
        province=address.province,
        district=address.district,
        ward=address.ward,
        postcode=address.postcode,
        street=address.street,
    )


def _by_variant(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for variant_id, quantity in pairs:
        totals[variant_id] += quantity
    return {v: q for v, q in totals.items() if q}


def _shortages(
    needed: dict[int, int], *, warehouse_id: int, fallback: InsufficientStock
) -> list[Shortage]:
    """Every SKU of `needed` (variant -> units to reserve) that the warehouse cannot cover."""
    available = {
        variant_id: on_hand - reserved
        for variant_id, on_hand, reserved in StockLevel.objects.filter(
            warehouse_id=warehouse_id, variant_id__in=list(needed)
        ).values_list("variant_id", "on_hand", "reserved")
    }
    skus = dict(Variant.objects.filter(pk__in=list(needed)).values_list("pk", "sku"))
    short = [
        Shortage(
            variant_id=variant_id,
            sku=skus.get(variant_id, str(variant_id)),
            requested=units,
            available=available.get(variant_id, 0),
        )
        for variant_id, units in sorted(needed.items(), key=lambda kv: skus.get(kv[0], ""))
        if units > available.get(variant_id, 0)
    ]
    if short:
        return short
    # Stock came back between the refusal and this read: report what was refused.
    variant_id = next((v for v, sku in skus.items() if sku == fallback.sku), 0)
    return [
        Shortage(
            variant_id=variant_id,
            sku=fallback.sku,
            requested=fallback.requested,
            available=fallback.available,
        )
    ]


def _reserve(
    order: Order,
    needed: dict[int, int],
    *,
    warehouse_id: int,
    user_id: int | None,
    now: datetime,
    releases: Sequence[StockChange] = (),
) -> None:
    """Reserve `needed` (and apply `releases`) in one batch, or raise OrderStockShort."""
    changes = [*releases, *(StockChange.reserve(v, warehouse_id, q) for v, q in needed.items())]
    changes.sort(key=lambda c: c.sort_key)  # ledger rows per variant, in variant order
    if not changes:
        return
    try:
        stock_apply(changes=changes, user_id=user_id, source=_source(order), now=now)
    except InsufficientStock as refused:
        code = Warehouse.objects.filter(pk=warehouse_id).values_list("code", flat=True).first()
        raise OrderStockShort(
            number=order.number,
            warehouse=code or str(warehouse_id),
            shortages=_shortages(needed, warehouse_id=warehouse_id, fallback=refused),
        ) from None


# --- Create -----------------------------------------------------------------------------------


def _check_choices(*, channel: str, payment_method: str) -> None:
    if channel not in Channel.values:
        raise OrderError(_("Choose the sales channel."))
    if payment_method not in PaymentMethod.values:
        raise OrderError(_("Choose the payment method."))


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
    currency = (currency or settings.SHOP_CURRENCY).upper()
    if currency not in PRECISION:
        raise OrderError(_("Unknown currency."))
    _check_choices(channel=channel, payment_method=payment_method)
    channel_account = channel_account.strip()[:32]
    external_number = external_number.strip()[:64]
    clean_shipping = address_clean(shipping) if shipping is not None else None
    with transaction.atomic():
        customer = customer_get_live(customer_id=customer_id)
        if clean_shipping is None:
            clean_shipping = _default_address(customer.pk)
        if warehouse_id is not None:
            _check_warehouse(warehouse_id)
        planned = _plan_lines(lines, existing={}, currency=currency)
        amounts = _amounts(
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
        _set_shipping(order, clean_shipping)
        _apply_amounts(order, amounts)
        _refresh_order_search(order)
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            if external_number:
                _refuse_duplicate_external(channel, channel_account, external_number)
            raise
        OrderLine.objects.bulk_create(
            OrderLine(
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
            for p, a in zip(planned, amounts.lines, strict=True)
        )
        _event(
            order,
            EventKind.CREATED,
            user_id=user_id,
            now=now,
            to_status=OrderStatus.NEW,
            data={
                "channel": channel,
                "lines": [{"sku": p.sku, "quantity": p.quantity} for p in planned],
                "total": _money(order.total, currency),
            },
        )
        customer_totals_refresh(customer_id=customer.pk)
        order_id = order.pk
        transaction.on_commit(lambda: order_created.send(sender=Order, order_id=order_id))
    return order


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


# --- Edit -------------------------------------------------------------------------------------


def _locked(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderError(_("This order does not exist."))
    return order


def order_update(
    *,
    order_id: int,
    user_id: int | None,
    customer_id: int | None = None,
    shipping: AddressInput | None = None,
    lines: Sequence[LineInput] | None = None,
    warehouse_id: int | None = None,
    payment_method: str | None = None,
    discount_total: Decimal | None = None,
    shipping_fee: Decimal | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Edit a new or processing order, all or nothing; None leaves a field as it is.

    `lines` is the complete new list: an input with line_id keeps (and may change) that line,
    one without adds a line, existing lines left out are removed. While processing, the
    reservations follow exactly: per variant, units added are reserved and units taken off
    released, in one batch with the order as source; a warehouse change moves the whole
    reservation. Short stock raises OrderStockShort and changes nothing. Writes one "edited"
    event listing what changed (none when nothing did).
    """
    now = now or timezone.now()
    clean_shipping = address_clean(shipping) if shipping is not None else None
    with transaction.atomic():
        order = _locked(order_id)
        if order.status not in t.EDITABLE_STATUSES:
            raise state_error(number=order.number, status=order.status, action="edit")
        changed: dict[str, Any] = {}
        if customer_id is not None and customer_id != order.customer_id:
            customer_get_live(customer_id=customer_id)
            changed["customer"] = [order.customer_id, customer_id]
            order.customer_id = customer_id
        if payment_method is not None and payment_method != order.payment_method:
            _check_choices(channel=order.channel, payment_method=payment_method)
            changed["payment_method"] = [order.payment_method, payment_method]
            order.payment_method = payment_method
        if notes is not None and notes.strip() != order.notes:
            changed["notes"] = [order.notes, notes.strip()]
            order.notes = notes.strip()
        if clean_shipping is not None:
            before = _shipping_of(order)
            _set_shipping(order, clean_shipping)
            after = _shipping_of(order)
            if before != after:
                changed["shipping"] = {
                    k: [before[k], after[k]] for k in after if before[k] != after[k]
                }
        old_warehouse_id = order.warehouse_id
        if warehouse_id is not None and warehouse_id != order.warehouse_id:
            _check_warehouse(warehouse_id)
            changed["warehouse"] = [order.warehouse_id, warehouse_id]
            order.warehouse_id = warehouse_id

        existing = {line.pk: line for line in order.lines.order_by("pk")}
        planned = (
            _plan_lines(lines, existing=existing, currency=order.currency)
            if lines is not None
            else [
                _Planned(
                    line_id=line.pk,
                    variant_id=line.variant_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount=line.discount,
                    vat_rate=line.vat_rate,
                )
                for line in existing.values()
            ]
        )
        amounts = _amounts(
            planned,
            discount_total=order.discount_total if discount_total is None else discount_total,
            shipping_fee=order.shipping_fee if shipping_fee is None else shipping_fee,
            currency=order.currency,
        )
        line_changes = _line_changes(existing, planned, currency=order.currency)
        if line_changes:
            changed["lines"] = line_changes
        cur = order.currency
        for name in ("discount_total", "shipping_fee", "total"):
            old_value, new_value = getattr(order, name), getattr(amounts, name)
            if old_value != new_value:
                changed[name] = [_money(old_value, cur), _money(new_value, cur)]
        if not changed:
            return order

        reserving = order.status in t.RESERVED_STATUSES
        if reserving:
            stock = _move_reservations(
                order,
                existing=existing.values(),
                planned=planned,
                old_warehouse_id=old_warehouse_id,
                user_id=user_id,
                now=now,
            )
            if stock:
                changed["stock"] = stock
        _write_lines(order, existing, planned, amounts, reserved=reserving)
        _apply_amounts(order, amounts)
        order.updated_at = now
        _refresh_order_search(order)
        order.save()
        if "customer" in changed:  # the order moves from one customer's figures to the other's
            for moved in sorted(changed["customer"]):
                customer_totals_refresh(customer_id=moved)
        _event(order, EventKind.EDITED, user_id=user_id, now=now, data=changed)
        shortage_drafts_shrink(order_id=order.pk, user_id=user_id)
    return order


def _shipping_of(order: Order) -> dict[str, str]:
    fields = (
        "name",
        "phone",
        "country",
        "scheme",
        "province",
        "district",
        "ward",
        "postcode",
        "street",
    )
    return {f: getattr(order, f"ship_{f}") for f in fields}


def _line_changes(
    existing: dict[int, OrderLine], planned: Sequence[_Planned], *, currency: str
) -> dict[str, Any]:
    kept = {p.line_id for p in planned if p.line_id is not None}
    result: dict[str, Any] = {}
    removed = [
        {"sku": line.sku, "quantity": line.quantity}
        for pk, line in existing.items()
        if pk not in kept
    ]
    added = [
        {"sku": p.sku, "quantity": p.quantity, "unit_price": _money(p.unit_price, currency)}
        for p in planned
        if p.line_id is None
    ]
    modified = []
    for p in planned:
        if p.line_id is None:
            continue
        old = existing[p.line_id]
        diff: dict[str, Any] = {}
        if old.quantity != p.quantity:
            diff["quantity"] = [old.quantity, p.quantity]
        for name in ("unit_price", "discount"):
            if getattr(old, name) != getattr(p, name):
                diff[name] = [
                    _money(getattr(old, name), currency),
                    _money(getattr(p, name), currency),
                ]
        if old.vat_rate != p.vat_rate:
            diff["vat_rate"] = [str(old.vat_rate), str(p.vat_rate)]
        if diff:
            modified.append({"sku": p.sku, **diff})
    for key, value in (("added", added), ("removed", removed), ("changed", modified)):
        if value:
            result[key] = value
    return result


def _move_reservations(
    order: Order,
    *,
    existing: Iterable[OrderLine],
    planned: Sequence[_Planned],
    old_warehouse_id: int | None,
    user_id: int | None,
    now: datetime,
) -> dict[str, dict[str, int]]:
    """Reserve / release the difference between what the lines hold and what they will hold."""
    if order.warehouse_id is None or old_warehouse_id is None:
        raise OrderError(_("Choose a warehouse."))
    held = _by_variant((line.variant_id, line.quantity_reserved) for line in existing)
    wanted = _by_variant((p.variant_id, p.quantity) for p in planned)
    skus = {line.variant_id: line.sku for line in existing} | {p.variant_id: p.sku for p in planned}
    releases: list[StockChange] = []
    needed: dict[int, int] = {}
    if old_warehouse_id != order.warehouse_id:
        releases = [StockChange.release(v, old_warehouse_id, q) for v, q in sorted(held.items())]
        needed = wanted
    else:
        for variant_id in sorted(set(held) | set(wanted)):
            delta = wanted.get(variant_id, 0) - held.get(variant_id, 0)
            if delta > 0:
                needed[variant_id] = delta
            elif delta < 0:
                releases.append(StockChange.release(variant_id, order.warehouse_id, -delta))
    if needed:  # releasing is always allowed, reserving only in an active warehouse
        _check_warehouse(order.warehouse_id)
    _reserve(
        order, needed, warehouse_id=order.warehouse_id, user_id=user_id, now=now, releases=releases
    )
    result: dict[str, dict[str, int]] = {}
    if needed:
        result["reserved"] = {skus[v]: q for v, q in needed.items()}
    if releases:
        result["released"] = {skus[c.variant_id]: -c.reserved_delta for c in releases}
    return result


def _write_lines(
    order: Order,
    existing: dict[int, OrderLine],
    planned: Sequence[_Planned],
    amounts: OrderAmounts,
    *,
    reserved: bool,
) -> None:
    kept = {p.line_id for p in planned if p.line_id is not None}
    OrderLine.objects.filter(order=order).exclude(pk__in=kept).delete()
    new_lines = []
    for p, a in zip(planned, amounts.lines, strict=True):
        values = {
            "quantity": p.quantity,
            "unit_price": p.unit_price,
            "discount": p.discount,
            "vat_rate": p.vat_rate,
            "line_total": a.line_total,
            "vat_amount": a.vat_amount,
            "quantity_reserved": p.quantity if reserved else 0,
        }
        if p.line_id is not None:
            OrderLine.objects.filter(pk=p.line_id).update(**values)
        else:
            new_lines.append(
                OrderLine(order=order, variant_id=p.variant_id, sku=p.sku, name=p.name, **values)
            )
    OrderLine.objects.bulk_create(new_lines)


# --- Transitions ------------------------------------------------------------------------------


def _transition(*, order_id: int, action: str, stamp: str, now: datetime) -> tuple[Order, str]:
    """Move the status with a conditional UPDATE; return the order (now locked) and the status
    it came from. Raise OrderStateError when the action is not allowed or someone else moved
    the order first."""
    row = Order.objects.filter(pk=order_id).values_list("number", "status").first()
    if row is None:
        raise OrderError(_("This order does not exist."))
    number, current = row
    if not t.can(current, action):
        raise state_error(number=number, status=current, action=action)
    target = t.target_of(current, action)
    moved = Order.objects.filter(pk=order_id, status=current).update(
        status=target, updated_at=now, **{stamp: now}
    )
    if moved != 1:
        fresh = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
        raise state_error(number=number, status=fresh or current, action=action)
    order_followup_summary_close(order_id=order_id)  # only when the target is a closed one
    return Order.objects.get(pk=order_id), current


def order_confirm(*, order_id: int, user_id: int | None, now: datetime | None = None) -> Order:
    """new -> processing: reserve every line in the order's warehouse, in one batch.

    When stock is short, raises OrderStockShort listing every short SKU (requested, available)
    and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = _transition(
            order_id=order_id, action=t.CONFIRM, stamp="confirmed_at", now=now
        )
        if order.warehouse_id is None:
            raise OrderError(
                _("Choose the warehouse of order %(number)s before confirming it.")
                % {"number": order.number}
            )
        _check_warehouse(order.warehouse_id)
        lines = list(order.lines.all())
        needed = _by_variant((line.variant_id, line.quantity) for line in lines)
        _reserve(order, needed, warehouse_id=order.warehouse_id, user_id=user_id, now=now)
        OrderLine.objects.filter(order=order).update(quantity_reserved=F("quantity"))
        _event(
            order,
            EventKind.STATUS_CHANGED,
            user_id=user_id,
            now=now,
            from_status=previous,
            to_status=order.status,
            data={"reserved": {line.sku: line.quantity for line in lines}},
        )
        _announce_status(order.pk, previous, order.status)
    return order


def order_ship(*, order_id: int, user_id: int | None, now: datetime | None = None) -> Order:
    """processing -> shipped: the reserved units leave the warehouse (shipment from reserved),
    and the order's sales enter the reports' rollup (orders.services.sales_rollup)."""
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = _transition(order_id=order_id, action=t.SHIP, stamp="shipped_at", now=now)
        lines = list(order.lines.all())
        if order.warehouse_id is None or any(
            line.quantity_reserved != line.quantity for line in lines
        ):
            raise OrderError(
                _(
                    "The reservations of order %(number)s do not match its lines; edit the order "
                    "to reserve them again."
                )
                % {"number": order.number}
            )
        shipped = _by_variant((line.variant_id, line.quantity_reserved) for line in lines)
        stock_apply(
            changes=[
                StockChange.ship(v, order.warehouse_id, q, from_reserved=True)
                for v, q in sorted(shipped.items())
            ],
            user_id=user_id,
            source=_source(order),
            now=now,
        )
        OrderLine.objects.filter(order=order).update(
            quantity_shipped=F("quantity"),
            quantity_reserved=0,
            unit_cost=Subquery(
                Variant.objects.filter(pk=OuterRef("variant_id")).values("cost_price")[:1]
            ),
        )
        sales_rollup_add_shipment(order_id=order.pk)
        customer_totals_refresh(customer_id=order.customer_id)
        _event(
            order,
            EventKind.STATUS_CHANGED,
            user_id=user_id,
            now=now,
            from_status=previous,
            to_status=order.status,
            data={"shipped": {line.sku: line.quantity for line in lines}},
        )
        _announce_status(order.pk, previous, order.status)
    return order


def order_complete(
    *,
    order_id: int,
    user_id: int | None,
    amount: Decimal | None = None,
    paid_at: datetime | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Order:
    """shipped -> completed: the delivery is done and the money is in.

    Records what is still owed (or `amount`, e.g. a COD amount the carrier collected) as one
    Payment row (COD collected for COD orders, a payment otherwise), unless nothing is owed,
    updates the payment status and the customer's lifetime totals.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = _transition(
            order_id=order_id, action=t.COMPLETE, stamp="completed_at", now=now
        )
        owed = order.total - order.paid_amount
        collect = owed if amount is None else quantize(amount, order.currency)
        if collect < 0:
            raise OrderError(_("An amount received cannot be negative."))
        data: dict[str, Any] = {}
        if collect > 0:
            payment = _record_payment(
                order,
                kind=(
                    PaymentKind.COD_COLLECTED
                    if order.payment_method == PaymentMethod.COD
                    else PaymentKind.PAYMENT
                ),
                amount=collect,
                method=order.payment_method,
                paid_at=paid_at or now,
                reference=reference,
                user_id=user_id,
                now=now,
            )
            data["payment"] = {
                "kind": payment.kind,
                "amount": _money(payment.amount, order.currency),
            }
        order.save(update_fields=["paid_amount", "payment_status"])
        _event(
            order,
            EventKind.STATUS_CHANGED,
            user_id=user_id,
            now=now,
            from_status=previous,
            to_status=order.status,
            data=data,
        )
        customer_totals_refresh(customer_id=order.customer_id)
        _announce_status(order.pk, previous, order.status)
    return order


def order_cancel(
    *, order_id: int, user_id: int | None, reason: str = "", now: datetime | None = None
) -> Order:
    """new | processing -> cancelled, releasing exactly what the lines hold reserved."""
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = _transition(
            order_id=order_id, action=t.CANCEL, stamp="cancelled_at", now=now
        )
        lines = list(order.lines.all())
        held = _by_variant((line.variant_id, line.quantity_reserved) for line in lines)
        data: dict[str, Any] = {"reason": reason.strip()} if reason.strip() else {}
        if held and order.warehouse_id is not None:
            stock_apply(
                changes=[
                    StockChange.release(v, order.warehouse_id, q) for v, q in sorted(held.items())
                ],
                user_id=user_id,
                source=_source(order),
                now=now,
            )
            OrderLine.objects.filter(order=order).update(quantity_reserved=0)
            data["released"] = {
                line.sku: line.quantity_reserved for line in lines if line.quantity_reserved
            }
        customer_totals_refresh(customer_id=order.customer_id)
        _event(
            order,
            EventKind.STATUS_CHANGED,
            user_id=user_id,
            now=now,
            from_status=previous,
            to_status=order.status,
            data=data,
        )
        _announce_status(order.pk, previous, order.status)
        shortage_drafts_shrink(order_id=order.pk, user_id=user_id)
    return order


# --- Payments and notes -----------------------------------------------------------------------


def _record_payment(
    order: Order,
    *,
    kind: str,
    amount: Decimal,
    method: str,
    paid_at: datetime,
    reference: str,
    user_id: int | None,
    now: datetime,
    order_return_id: int | None = None,
) -> Payment:
    """Add a Payment row and update the order's paid / refunded amounts and payment status
    (in memory: the caller saves the order). The order row must be locked by the caller."""
    if method not in PaymentMethod.values:
        raise OrderError(_("Choose the payment method."))
    if amount <= 0:
        raise OrderError(_("The amount must be above zero."))
    if kind == PaymentKind.REFUND:
        refundable = (
            collected_amount(
                payment_method=order.payment_method, total=order.total, paid=order.paid_amount
            )
            - order.refunded_amount
        )
        if amount > refundable:
            raise OrderError(
                _("Cannot refund %(amount)s on %(number)s: only %(refundable)s was received.")
                % {
                    "amount": _display(amount, order.currency),
                    "number": order.number,
                    "refundable": _display(refundable, order.currency),
                }
            )
        order.refunded_amount += amount
    else:
        order.paid_amount += amount
    order.payment_status = payment_status_for(
        total=order.total,
        paid=order.paid_amount,
        refunded=order.refunded_amount,
        payment_method=order.payment_method,
    )
    payment = Payment.objects.create(
        order=order,
        kind=kind,
        amount=amount,
        method=method,
        reference=reference.strip()[:120],
        paid_at=paid_at,
        order_return_id=order_return_id,
        created_by_id=user_id,
        created_at=now,
    )
    _event(
        order,
        EventKind.PAYMENT,
        user_id=user_id,
        now=now,
        data={
            "kind": kind,
            "amount": _money(amount, order.currency),
            "method": method,
            "reference": payment.reference,
        },
    )
    return payment


def order_payment_record(
    *,
    order_id: int,
    kind: str,
    amount: Decimal,
    method: str,
    user_id: int | None,
    paid_at: datetime | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Payment:
    """Record money received (payment, COD collected) or paid back (refund) on an order.

    Payments are refused on cancelled and returned orders; a refund can never exceed what was
    received minus what was already refunded. Keeps the payment status and, for shipped
    orders, the customer's lifetime revenue.
    """
    now = now or timezone.now()
    if kind not in PaymentKind.values:
        raise OrderError(_("Choose what kind of payment this is."))
    with transaction.atomic():
        order = _locked(order_id)
        if kind != PaymentKind.REFUND and order.status in (t.CANCELLED, t.RETURNED):
            raise state_error(number=order.number, status=order.status, action="pay")
        payment = _record_payment(
            order,
            kind=kind,
            amount=quantize(amount, order.currency),
            method=method,
            paid_at=paid_at or now,
            reference=reference,
            user_id=user_id,
            now=now,
        )
        order.updated_at = now
        order.save(update_fields=["paid_amount", "refunded_amount", "payment_status", "updated_at"])
        if order.shipped_at is not None:
            customer_totals_refresh(customer_id=order.customer_id)
    return payment


def order_note_add(
    *, order_id: int, text: str, user_id: int | None, now: datetime | None = None
) -> OrderEvent:
    """A note in the order's history."""
    text = text.strip()
    if not text:
        raise OrderError(_("Write the note first."))
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise OrderError(_("This order does not exist."))
        return _event(
            order,
            EventKind.NOTE,
            user_id=user_id,
            now=now or timezone.now(),
            data={"text": text[:4000]},
        )
