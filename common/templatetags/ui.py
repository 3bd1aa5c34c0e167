from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.translation import get_language

from common.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str | None = None) -> str:
    """`{{ total|money }}` in the shop currency, or `{{ total|money:"THB" }}`."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency or settings.SHOP_CURRENCY, get_language() or "en")


@register.simple_tag(takes_context=True)
def query_with(context: dict, **changes: object) -> str:
    """`?{% query_with page=2 %}`: the request's query string with some values replaced."""
    from common.pagination import query_with as build

    return build(context["request"].GET, **changes)
