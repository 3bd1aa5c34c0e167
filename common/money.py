"""Money is a Decimal in the shop currency's precision: VND has no minor unit, THB has two."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

PRECISION: dict[str, int] = {"VND": 0, "THB": 2}
BABEL_LOCALES: dict[str, str] = {"vi": "vi_VN", "th": "th_TH", "en": "en_US"}


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's precision. Floats are refused: they are not money."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    exponent = Decimal(1).scaleb(-PRECISION[currency])
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | int | str, currency: str, language: str) -> str:
    """Format for display in the user's language, e.g. 1.250.000 ₫ or ฿1,250.00."""
    value = quantize(amount, currency)
    locale = BABEL_LOCALES.get((language or "en")[:2], "en_US")
    return format_currency(value, currency, locale=locale, currency_digits=True)
