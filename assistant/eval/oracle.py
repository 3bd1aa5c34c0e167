"""An independent check of what replies state, built from the database alone (not from the
tool results the guardrails use): every number in a reply must be a fact of the database (a
price, units available, a line total for 1-20 units with or without the shipping fee, an
order's total or date) or a number the customer typed in that conversation."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from assistant.eval.runner import Outcome
from assistant.guardrails import _NUMBER, _SKU_LIKE, readings
from assistant.tools import _available, flat_shipping_fee
from common.money import quantize
from inventory.models import Variant
from orders.models import Order

MAX_UNITS = 20


def database_numbers() -> set[Decimal]:
    """The values a true reply may state, from the database as it is now."""
    currency = settings.SHOP_CURRENCY
    values: set[Decimal] = set()
    variants = list(Variant.objects.filter(is_active=True).order_by("pk"))
    stock = _available([v.pk for v in variants])
    for variant in variants:
        price = quantize(variant.sale_price, currency)
        values.add(Decimal(stock.get(variant.pk, 0)))
        for units in range(1, MAX_UNITS + 1):
            line = price * units
            values |= {line, line + flat_shipping_fee(line)}
    values.add(flat_shipping_fee(Decimal(0)))
    for order in Order.objects.order_by("pk"):
        values.add(quantize(order.total, order.currency))
        local = timezone.localtime(order.created_at).date()
        values |= {Decimal(local.year), Decimal(local.month), Decimal(local.day)}
    return {value.normalize() for value in values}


def _numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(_SKU_LIKE.sub(" ", text))


def unexplained_numbers(outcome: Outcome, facts: set[Decimal]) -> list[str]:
    """Numbers of the sent replies that neither the database nor the customer's own messages
    explain."""
    typed: set[Decimal] = set()
    found = []
    for turn in outcome.turns:
        for token in _numbers_in(turn.customer):
            typed |= readings(token)
            typed |= {Decimal(part) for part in token.replace(",", " ").replace(".", " ").split()}
        for token in _numbers_in(turn.text):
            if not readings(token) & (facts | typed):
                found.append(token)
    return found
