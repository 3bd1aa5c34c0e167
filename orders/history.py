"""An order's history as readable sentences: one OrderEvent -> one HistoryEntry.

A pure function of the event (kind, statuses, data, user, time) and the names the caller
looked up (warehouse codes, customer names): no queries, in the active language. Each kind's
data is what orders.services writes:

    created         {"channel", "lines": [{"sku", "quantity"}], "total"}
    status_changed  confirm {"reserved": {sku: n}}; ship {"shipped": {sku: n}};
                    complete {"payment": {"kind", "amount"}}?; cancel {"reason"?, "released"?}
    edited          {"customer": [old_id, new_id], "payment_method": [old, new],
                     "notes": [old, new], "shipping": {field: [old, new]},
                     "warehouse": [old_id, new_id], "lines": {"added", "removed", "changed"},
                     "discount_total" | "shipping_fee" | "total": [old, new],
                     "stock": {"reserved": {sku: n}, "released": {sku: n}},
                     "invoice": {field: [old, new]}}   (the e-invoice request's fields)
    note            {"text"}
    payment         {"kind", "amount", "method", "reference"}
    return          {"return", "lines": [{"sku", "quantity", "condition", "warehouse_id"}],
                     "refund"?, "exchange_order"?}   (+ to_status "returned" when all came back)

Unknown or malformed data never raises: the entry falls back to a general sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from common.db import choice_label
from common.money import format_money
from orders.models import (
    BuyerType,
    Channel,
    EventKind,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    ReturnCondition,
)


class _User(Protocol):
    username: str

    def get_full_name(self) -> str: ...


class EventLike(Protocol):
    kind: str
    from_status: str
    to_status: str
    data: Any
    created_at: datetime

    @property
    def user(self) -> Any: ...


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    sentence: str
    details: tuple[str, ...]
    who: str
    at: datetime
    note: str = ""  # a note's text, shown as a quote


def user_label(user: _User | None) -> str:
    if user is None:
        return _("System")
    return user.get_full_name() or user.username


def _money(value: Any, currency: str) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_money(amount, currency, get_language() or "en")


def _units(items: Any) -> str:
    """{"AO-1": 2, "NON": 1} -> "AO-1 x 2, NON x 1" (sorted by SKU)."""
    if not isinstance(items, Mapping):
        return ""
    return ", ".join(
        _("%(sku)s x %(quantity)s") % {"sku": sku, "quantity": quantity}
        for sku, quantity in sorted(items.items())
    )


def _pair(value: Any) -> tuple[Any, Any] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None


def describe_event(
    event: EventLike,
    *,
    currency: str,
    warehouses: Mapping[int, str] | None = None,
    customers: Mapping[int, str] | None = None,
) -> HistoryEntry:
    """The event as a sentence (who did what) with detail lines, in the active language."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    who = user_label(event.user)
    build = _BUILDERS.get(event.kind, _fallback)
    sentence, details, note = build(
        _Context(event, data, who, currency, warehouses or {}, customers or {})
    )
    return HistoryEntry(
        kind=event.kind,
        sentence=sentence,
        details=tuple(d for d in details if d),
        who=who,
        at=event.created_at,
        note=note,
    )


@dataclass(frozen=True)
class _Context:
    """What every kind's sentence is built from: the event, its data (a dict, {} when
    malformed), who did it and the names the caller looked up."""

    event: EventLike
    data: dict[str, Any]
    who: str
    currency: str
    warehouses: Mapping[int, str]
    customers: Mapping[int, str]


_Result = tuple[str, list[str], str]  # sentence, details, note


def _fallback(c: _Context) -> _Result:
    if c.event.from_status and c.event.to_status:
        return _status_change_generic(c.event, c.who), [], ""
    return _("%(user)s updated the order.") % {"user": c.who}, [], ""


def _status_change_generic(event: EventLike, who: str) -> str:
    return _("%(user)s changed the status from %(from)s to %(to)s.") % {
        "user": who,
        "from": choice_label(OrderStatus, event.from_status),
        "to": choice_label(OrderStatus, event.to_status),
    }


def _created(c: _Context) -> _Result:
    raw_lines = c.data.get("lines")
    lines: list[Any] = raw_lines if isinstance(raw_lines, list) else []
    channel = c.data.get("channel", "")
    channel_label = choice_label(Channel, channel)
    count = len(lines)
    sentence = ngettext(
        "%(user)s created the order (%(channel)s) with %(count)d line, total %(total)s.",
        "%(user)s created the order (%(channel)s) with %(count)d lines, total %(total)s.",
        count,
    ) % {
        "user": c.who,
        "channel": channel_label,
        "count": count,
        "total": _money(c.data.get("total", "0"), c.currency),
    }
    details = [
        _("%(sku)s x %(quantity)s") % {"sku": line.get("sku", ""), "quantity": line.get("quantity")}
        for line in lines
        if isinstance(line, dict)
    ]
    return sentence, details, ""


def _status_changed(c: _Context) -> _Result:
    to = c.event.to_status
    details: list[str] = []
    if to == OrderStatus.PROCESSING:
        sentence = _("%(user)s confirmed the order.") % {"user": c.who}
        if c.data.get("reserved"):
            details.append(_("Reserved: %(items)s") % {"items": _units(c.data["reserved"])})
    elif to == OrderStatus.SHIPPED:
        sentence = _("%(user)s marked the order shipped.") % {"user": c.who}
        if c.data.get("shipped"):
            details.append(_("Shipped: %(items)s") % {"items": _units(c.data["shipped"])})
    elif to == OrderStatus.COMPLETED:
        payment = c.data.get("payment") if isinstance(c.data.get("payment"), dict) else None
        if payment is None:
            sentence = _("%(user)s completed the order.") % {"user": c.who}
        elif payment.get("kind") == PaymentKind.COD_COLLECTED:
            sentence = _("%(user)s completed the order; %(amount)s COD collected.") % {
                "user": c.who,
                "amount": _money(payment.get("amount", "0"), c.currency),
            }
        else:
            sentence = _("%(user)s completed the order; a payment of %(amount)s was recorded.") % {
                "user": c.who,
                "amount": _money(payment.get("amount", "0"), c.currency),
            }
    elif to == OrderStatus.CANCELLED:
        reason = str(c.data.get("reason") or "").strip()
        if reason:
            sentence = _("%(user)s cancelled the order: %(reason)s") % {
                "user": c.who,
                "reason": reason,
            }
        else:
            sentence = _("%(user)s cancelled the order.") % {"user": c.who}
        if c.data.get("released"):
            details.append(
                _("Released reservations: %(items)s") % {"items": _units(c.data["released"])}
            )
    else:
        sentence = _status_change_generic(c.event, c.who)
    return sentence, details, ""


def _edited(c: _Context) -> _Result:
    details = [
        *_edited_header(c.data, c.warehouses, c.customers),
        *_edited_lines(c.data, c.currency),
        *_edited_amounts_and_stock(c.data, c.currency),
        *_edited_invoice(c.data),
    ]
    return _("%(user)s edited the order.") % {"user": c.who}, details, ""


def _invoice_value(name: str, value: Any) -> str:
    if name == "wants_invoice":
        return _("Yes") if value else _("No")
    if name == "buyer_type":
        return choice_label(BuyerType, value)
    return str(value or "") or "—"


def _edited_invoice(data: dict[str, Any]) -> list[str]:
    """The e-invoice request's changed fields."""
    invoice = data.get("invoice")
    if not isinstance(invoice, dict):
        return []
    labels = {
        "wants_invoice": pgettext("order form", "Buyer wants an e-invoice"),
        "buyer_type": pgettext("invoice buyer", "Buyer"),
        "tax_code": pgettext("invoice buyer", "Tax code"),
        "legal_name": pgettext("invoice buyer", "Name on the invoice"),
        "address": _("Invoice address"),
        "email": _("Invoice e-mail"),
        "id_number": _("Citizen ID (CCCD)"),
    }
    change = _("E-invoice, %(field)s: %(old)s → %(new)s")
    details = []
    for name, values in invoice.items():
        if (pair := _pair(values)) and name in labels:
            old, new = (_invoice_value(name, v) for v in pair)
            details.append(change % {"field": labels[name], "old": old, "new": new})
    return details


def _edited_header(
    data: dict[str, Any], warehouses: Mapping[int, str], customers: Mapping[int, str]
) -> list[str]:
    """Buyer, payment method, notes, shipping address, warehouse."""
    details: list[str] = []
    change = _("%(field)s: %(old)s → %(new)s")
    if pair := _pair(data.get("customer")):
        details.append(
            _("Customer: %(old)s → %(new)s")
            % {
                "old": customers.get(pair[0], f"#{pair[0]}"),
                "new": customers.get(pair[1], f"#{pair[1]}"),
            }
        )
    if pair := _pair(data.get("payment_method")):
        details.append(
            _("Payment method: %(old)s → %(new)s")
            % {
                "old": choice_label(PaymentMethod, pair[0]),
                "new": choice_label(PaymentMethod, pair[1]),
            }
        )
    if _pair(data.get("notes")):
        details.append(_("Notes changed."))
    shipping = data.get("shipping")
    if isinstance(shipping, dict) and shipping:
        labels = _shipping_labels()
        for name, values in shipping.items():
            if pair := _pair(values):
                details.append(
                    change
                    % {
                        "field": labels.get(name, name),
                        "old": pair[0] or "—",
                        "new": pair[1] or "—",
                    }
                )
    if pair := _pair(data.get("warehouse")):
        details.append(
            _("Warehouse: %(old)s → %(new)s")
            % {
                "old": warehouses.get(pair[0], f"#{pair[0]}") if pair[0] else "—",
                "new": warehouses.get(pair[1], f"#{pair[1]}") if pair[1] else "—",
            }
        )
    return details


def _edited_lines(data: dict[str, Any], currency: str) -> list[str]:
    """Lines added, removed and changed."""
    details: list[str] = []
    raw_lines = data.get("lines")
    lines: dict[str, Any] = raw_lines if isinstance(raw_lines, dict) else {}
    for line in lines.get("added") or ():
        if isinstance(line, dict):
            details.append(
                _("Added %(sku)s x %(quantity)s at %(price)s.")
                % {
                    "sku": line.get("sku", ""),
                    "quantity": line.get("quantity"),
                    "price": _money(line.get("unit_price", "0"), currency),
                }
            )
    for line in lines.get("removed") or ():
        if isinstance(line, dict):
            details.append(
                _("Removed %(sku)s x %(quantity)s.")
                % {"sku": line.get("sku", ""), "quantity": line.get("quantity")}
            )
    for line in lines.get("changed") or ():
        if not isinstance(line, dict):
            continue
        sku = line.get("sku", "")
        if pair := _pair(line.get("quantity")):
            details.append(
                _("%(sku)s quantity: %(old)s → %(new)s")
                % {"sku": sku, "old": pair[0], "new": pair[1]}
            )
        if pair := _pair(line.get("unit_price")):
            details.append(
                _("%(sku)s unit price: %(old)s → %(new)s")
                % {"sku": sku, "old": _money(pair[0], currency), "new": _money(pair[1], currency)}
            )
        if pair := _pair(line.get("discount")):
            details.append(
                _("%(sku)s discount: %(old)s → %(new)s")
                % {"sku": sku, "old": _money(pair[0], currency), "new": _money(pair[1], currency)}
            )
        if pair := _pair(line.get("vat_rate")):
            details.append(
                _("%(sku)s VAT rate: %(old)s%% → %(new)s%%")
                % {"sku": sku, "old": _percent(pair[0]), "new": _percent(pair[1])}
            )
    return details


def _edited_amounts_and_stock(data: dict[str, Any], currency: str) -> list[str]:
    """Order discount, shipping fee, total, and the reservations that followed the lines."""
    details: list[str] = []
    amount_labels = {
        "discount_total": _("Order discount: %(old)s → %(new)s"),
        "shipping_fee": _("Shipping fee: %(old)s → %(new)s"),
        "total": _("Total: %(old)s → %(new)s"),
    }
    for name, template in amount_labels.items():
        if pair := _pair(data.get(name)):
            details.append(
                template % {"old": _money(pair[0], currency), "new": _money(pair[1], currency)}
            )
    raw_stock = data.get("stock")
    stock: dict[str, Any] = raw_stock if isinstance(raw_stock, dict) else {}
    if stock.get("reserved"):
        details.append(_("Reserved: %(items)s") % {"items": _units(stock["reserved"])})
    if stock.get("released"):
        details.append(_("Released reservations: %(items)s") % {"items": _units(stock["released"])})
    return details


def _percent(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format(number.normalize(), "f") if number != number.to_integral() else str(int(number))


def _shipping_labels() -> dict[str, str]:
    return {
        "name": _("Recipient"),
        "phone": _("Recipient phone"),
        "country": _("Country"),
        "scheme": _("Address form"),
        "province": _("Province"),
        "district": _("District"),
        "ward": _("Ward / subdistrict"),
        "postcode": _("Postcode"),
        "street": _("Street address"),
    }


def _note(c: _Context) -> _Result:
    return _("%(user)s added a note.") % {"user": c.who}, [], str(c.data.get("text", ""))


def _payment(c: _Context) -> _Result:
    values = {
        "user": c.who,
        "amount": _money(c.data.get("amount", "0"), c.currency),
        "method": choice_label(PaymentMethod, c.data.get("method", "")),
    }
    kind = c.data.get("kind")
    if kind == PaymentKind.REFUND:
        sentence = _("%(user)s refunded %(amount)s (%(method)s).") % values
    elif kind == PaymentKind.COD_COLLECTED:
        sentence = _("%(user)s recorded %(amount)s COD collected.") % values
    else:
        sentence = _("%(user)s recorded a payment of %(amount)s (%(method)s).") % values
    details = []
    if c.data.get("reference"):
        details.append(_("Reference: %(reference)s") % {"reference": c.data["reference"]})
    return sentence, details, ""


def _return(c: _Context) -> _Result:
    values = {"user": c.who, "number": c.data.get("return", "")}
    if c.event.to_status == OrderStatus.RETURNED:
        sentence = _("%(user)s recorded return %(number)s; every shipped unit is back.") % values
    else:
        sentence = _("%(user)s recorded return %(number)s.") % values
    details: list[str] = []
    for line in c.data.get("lines") or ():
        if not isinstance(line, dict):
            continue
        warehouse_id = line.get("warehouse_id")
        item = {
            "sku": line.get("sku", ""),
            "quantity": line.get("quantity"),
            "warehouse": c.warehouses.get(warehouse_id, f"#{warehouse_id}")
            if isinstance(warehouse_id, int)
            else "—",
        }
        if line.get("condition") == ReturnCondition.DAMAGED:
            details.append(
                _("%(sku)s x %(quantity)s damaged, written off in %(warehouse)s.") % item
            )
        else:
            details.append(_("%(sku)s x %(quantity)s back in stock in %(warehouse)s.") % item)
    if c.data.get("refund"):
        details.append(_("Refund: %(amount)s") % {"amount": _money(c.data["refund"], c.currency)})
    if c.data.get("exchange_order"):
        details.append(_("Exchange order: %(number)s") % {"number": c.data["exchange_order"]})
    return sentence, details, ""


_Builder = Callable[[_Context], _Result]

_BUILDERS: dict[str, _Builder] = {
    EventKind.CREATED: _created,
    EventKind.STATUS_CHANGED: _status_changed,
    EventKind.EDITED: _edited,
    EventKind.NOTE: _note,
    EventKind.PAYMENT: _payment,
    EventKind.RETURN: _return,
}
