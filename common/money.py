"""Money is a Decimal in the shop currency's precision: VND has no minor unit, THB has two.

Also how staff type amounts, quantities and rates (forms, the phone order page, the catalogue
import): ASCII digits only, with the separators Vietnamese and Thai shops use."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.utils.translation import gettext as _

from common.text import cell_text

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
    locale = _locale(BABEL_LOCALES.get((language or "en")[:2], "en_US"))
    return format_currency(value, currency, locale=locale, currency_digits=True)


@functools.cache
def _locale(name: str) -> Locale:
    """The parsed locale, once per process (parsing it took half of each format_money call: a
    report page formats hundreds of amounts)."""
    return Locale.parse(name)


def money_input(value: Decimal, currency: str | None = None) -> str:
    """An amount as staff type it: 150.000 (VND), 1,500.00 (THB)."""
    currency = currency or settings.SHOP_CURRENCY
    places = PRECISION[currency]
    pattern = "#,##0" + ("." + "0" * places if places else "")
    locale = "vi_VN" if currency == "VND" else "en_US"
    return format_decimal(quantize(value, currency), format=pattern, locale=locale)


MAX_MONEY = Decimal("999999999999.99")
MAX_INT = 2_147_483_647


class ParseError(ValueError):
    """A typed or imported value that is not a number, amount or flag we understand."""


def _number_text(value: object) -> str:
    """A numeric cell as text; floats (what Excel stores) by their shortest repr, not binary."""
    if isinstance(value, float):
        return repr(value)
    return cell_text(value)


_GROUPED = {".": re.compile(r"[0-9]{1,3}(\.[0-9]{3})+"), ",": re.compile(r"[0-9]{1,3}(,[0-9]{3})+")}


def parse_money(value: object, *, currency: str | None = None) -> Decimal:
    """An amount in the shop currency: "150000", "150.000" / "150,000" (thousands),
    "1.250.000,50", "1,250.50", "199.50", "199,5"; symbols and spaces are ignored.

    One separator followed by exactly three digits is a thousands separator in VND (no minor
    unit); in THB a lone "." is the decimal point. More decimals than the currency has is an error.
    """
    currency = currency or settings.SHOP_CURRENCY
    places = PRECISION[currency]
    if isinstance(value, bool):
        raise ParseError(_("Enter an amount."))
    text = _number_text(value)
    text = re.sub(r"(?i)(vnd|thb|₫|đ|฿|baht|bath|\s|\u00a0|\u202f)", "", text)
    if not text:
        raise ParseError(_("Enter an amount."))
    if text.startswith("-"):
        raise ParseError(_("An amount cannot be negative."))
    if not re.fullmatch(r"[0-9.,]+", text) or not text[0].isdigit() or not text[-1].isdigit():
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": cell_text(value)})
    dots, commas = text.count("."), text.count(",")
    number: str | None = None
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _sep, fraction = text.rpartition(decimal_mark)
        if group_mark in fraction or not _GROUPED[group_mark].fullmatch(whole):
            number = None
        else:
            number = whole.replace(group_mark, "") + "." + fraction
    elif dots or commas:
        mark = "." if dots else ","
        parts = text.split(mark)
        if len(parts) > 2:
            number = text.replace(mark, "") if _GROUPED[mark].fullmatch(text) else None
        elif len(parts[1]) == 3 and (places == 0 or mark == ","):
            number = parts[0] + parts[1]
        else:
            number = parts[0] + "." + parts[1]
    else:
        number = text
    if number is None:
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": cell_text(value)})
    amount = Decimal(number)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise ParseError(
                _("%(currency)s amounts have no decimals: “%(value)s”.")
                % {"currency": currency, "value": cell_text(value)}
            )
        raise ParseError(
            _("%(currency)s amounts have at most %(places)d decimals: “%(value)s”.")
            % {"currency": currency, "places": places, "value": cell_text(value)}
        )
    if amount > MAX_MONEY:
        raise ParseError(_("The amount is too large."))
    return quantize(amount, currency)


def parse_percent(value: object) -> Decimal:
    """A VAT rate: "10", "10%", "8.5", "8,5"; between 0 and 100, at most 2 decimals."""
    text = re.sub(r"[\s%]", "", _number_text(value)).replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]+)?", text):
        raise ParseError(_("“%(value)s” is not a percentage.") % {"value": cell_text(value)})
    rate = Decimal(text)
    if rate > 100 or rate != rate.quantize(Decimal("0.01")):
        raise ParseError(_("Enter a rate from 0 to 100 with at most 2 decimals."))
    return rate.quantize(Decimal("0.01"))


def parse_quantity(value: object) -> int:
    """A whole number of units (or grams, cm): "12", "1.000" / "1,000" (thousands), "12.0"."""
    if isinstance(value, bool):
        raise ParseError(_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"[\s\u00a0]", "", _number_text(value))
        if re.fullmatch(r"[0-9]+", text):
            number = int(text)
        elif _GROUPED["."].fullmatch(text) or _GROUPED[","].fullmatch(text):
            number = int(re.sub(r"[.,]", "", text))
        elif re.fullmatch(r"[0-9]+[.,]0+", text):
            number = int(re.split(r"[.,]", text)[0])
        elif text.startswith("-") and re.fullmatch(r"-[0-9]+", text):
            raise ParseError(_("Enter a number of 0 or more."))
        else:
            raise ParseError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
    if number < 0:
        raise ParseError(_("Enter a number of 0 or more."))
    if number > MAX_INT:
        raise ParseError(_("The number is too large."))
    return number
