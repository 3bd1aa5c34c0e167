"""How a phone number is shown: one form per country, on every page, export, report and PDF.

A number of the shop's country is written as it is dialled there, grouped the way that country
groups it: "0913 456 789" (Viet Nam), "081 234 5678" (Thailand). Any other number is written
in international form, "+66 81 234 5678", so nobody dials it as a local one. Numbers are
stored as E.164 ("+84913456789"); older free-text fields (suppliers, warehouses, contact
requests) are read in the shop's country. What cannot be read as a valid number is shown as
it was typed.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings

COUNTRY_BY_CURRENCY = {"VND": "VN", "THB": "TH"}


def shop_country() -> str:
    """The shop's country code, from its currency."""
    return COUNTRY_BY_CURRENCY.get(settings.SHOP_CURRENCY, "VN")


def format_phone(value: str | None, *, region: str | None = None) -> str:
    """`"+84913456789"`, `"0913456789"` or `"0913-456-789"` -> `"0913 456 789"` in a
    Vietnamese shop; `"+66812345678"` -> `"+66 81 234 5678"` there, `"081 234 5678"` in a
    Thai one. `region`: where a number written without its country code is from (default:
    the shop's country)."""
    text = (value or "").strip()
    if not text:
        return ""
    home = shop_country()
    try:
        number = phonenumbers.parse(text, (region or home).upper())
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
