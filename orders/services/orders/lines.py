"""Order lines as entered (LineInput), checked and priced (lines_plan, lines_amounts), and the
order fields they and the shipping address set (amounts_apply, shipping_set)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from common.money import quantize
from inventory.models import Variant, VatCategory
from orders.errors import OrderError
from orders.models import Channel, Order, OrderLine, PaymentMethod
from orders.services.amounts import LinePrice, OrderAmounts, order_amounts
from orders.services.customers import CleanAddress
from orders.services.orders.core import MAX_LINES, MAX_QUANTITY, MAX_VAT_RATE, payment_status_for


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
class PlannedLine:
    line_id: int | None
    variant_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    vat_rate: Decimal
    vat_category: str = VatCategory.RATE


def variant_display_name(product_name: str, options: Iterable[str]) -> str:
    values = [o for o in options if o]
    return f"{product_name} ({' / '.join(values)})" if values else product_name


# What lines_plan reads of a new line's variant (Variant.objects.select_related("product")).
PLAN_FIELDS = (
    "pk",
    "sku",
    "sale_price",
    "vat_rate",
    "vat_category",
    "is_active",
    "option1",
    "option2",
    "option3",
    "product__name",
    "product__is_active",
)


def lines_plan(
    lines: Sequence[LineInput],
    *,
    existing: dict[int, OrderLine],
    currency: str,
    variants: Mapping[int, Variant] | None = None,
) -> list[PlannedLine]:
    """`variants`: the new lines' variants by id with PLAN_FIELDS, when the caller already
    read them in this transaction (None: read here)."""
    if not lines:
        raise OrderError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise OrderError(_("At most %(count)d lines per order.") % {"count": MAX_LINES})
    if variants is None:
        new_ids = {line.variant_id for line in lines if line.line_id is None}
        variants = {
            v.pk: v
            for v in Variant.objects.filter(pk__in=new_ids)
            .select_related("product")
            .only(*PLAN_FIELDS)
        }
    seen_lines: set[int] = set()
    planned: list[PlannedLine] = []
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise OrderError(_("Quantities are whole numbers."))
        if line.line_id is not None:
            if line.line_id in seen_lines:
                raise OrderError(_("A line does not belong to this order."))
            seen_lines.add(line.line_id)
            sku, name, unit_price, vat = _kept_line(line, existing.get(line.line_id))
        else:
            sku, name, unit_price, vat = _new_line(line, variants.get(line.variant_id))
        category, vat_rate = vat
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise OrderError(
                _("The quantity of %(sku)s must be between 1 and %(max)d.")
                % {"sku": sku, "max": MAX_QUANTITY}
            )
        _check_vat(sku, category, vat_rate)
        planned.append(
            PlannedLine(
                line_id=line.line_id,
                variant_id=line.variant_id,
                sku=sku,
                name=name,
                quantity=line.quantity,
                unit_price=quantize(unit_price, currency),
                discount=quantize(line.discount, currency),
                vat_rate=Decimal(vat_rate).quantize(Decimal("0.01")),
                vat_category=category,
            )
        )
    return planned


_Vat = tuple[str, Decimal]  # (VAT category, rate)


def _check_vat(sku: str, category: str, vat_rate: Decimal) -> None:
    if not Decimal(0) <= vat_rate <= MAX_VAT_RATE:
        raise OrderError(_("The VAT rate of %(sku)s must be between 0 and 100%%.") % {"sku": sku})
    if category != VatCategory.RATE and vat_rate != 0:
        raise OrderError(
            _("%(sku)s is not subject to VAT or not declared: its VAT rate is 0.") % {"sku": sku}
        )


def _kept_line(line: LineInput, old: OrderLine | None) -> tuple[str, str, Decimal, _Vat]:
    """(sku, name, unit price, (VAT category, rate)) of an existing line as edited: the
    category stays the one the line was taken with."""
    if old is None:
        raise OrderError(_("A line does not belong to this order."))
    if old.variant_id != line.variant_id:
        raise OrderError(
            _("The product of line %(sku)s cannot be changed: remove the line and add a new one.")
            % {"sku": old.sku}
        )
    unit_price = old.unit_price if line.unit_price is None else line.unit_price
    vat_rate = old.vat_rate if line.vat_rate is None else line.vat_rate
    return old.sku, old.name, unit_price, (old.vat_category, vat_rate)


def _new_line(line: LineInput, variant: Variant | None) -> tuple[str, str, Decimal, _Vat]:
    """(sku, name, unit price, (VAT category, rate)) of a new line: the variant's, unless
    the price or rate is given (the category is always the variant's)."""
    if variant is None:
        raise OrderError(_("A line refers to a product variant that does not exist."))
    if not (variant.is_active and variant.product.is_active):
        raise OrderError(_("%(sku)s is no longer sold.") % {"sku": variant.sku})
    name = variant_display_name(variant.product.name, variant.option_values)[:400]
    unit_price = variant.sale_price if line.unit_price is None else line.unit_price
    vat_rate = variant.vat_rate if line.vat_rate is None else line.vat_rate
    return variant.sku, name, unit_price, (variant.vat_category, vat_rate)


def lines_amounts(
    planned: Sequence[PlannedLine], *, discount_total: Decimal, shipping_fee: Decimal, currency: str
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


def amounts_apply(order: Order, amounts: OrderAmounts) -> None:
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


# Each CleanAddress field and the order's copy of it.
_SHIP_FIELDS = {
    "recipient_name": "ship_name",
    "recipient_phone": "ship_phone",
    **{
        name: f"ship_{name}"
        for name in ("country", "scheme", "province", "district", "ward", "postcode", "street")
    },
}


def shipping_set(order: Order, address: CleanAddress | None) -> None:
    """Copy a delivery address onto the order (None: keep the order's own)."""
    if address is None:
        return
    for name, ship_field in _SHIP_FIELDS.items():
        setattr(order, ship_field, getattr(address, name))


def shipping_of(order: Order) -> CleanAddress:
    """The order's delivery address as it was copied onto it."""
    return CleanAddress(**{name: getattr(order, f) for name, f in _SHIP_FIELDS.items()})


def choices_check(*, channel: str, payment_method: str) -> None:
    if channel not in Channel.values:
        raise OrderError(_("Choose the sales channel."))
    if payment_method not in PaymentMethod.values:
        raise OrderError(_("Choose the payment method."))
