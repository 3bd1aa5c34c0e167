"""Amounts, quantities and rates are typed in ASCII digits only: Thai, Arabic-Indic and
full-width digits (written as escapes below) are refused, as they always were for amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.money import ParseError, parse_money, parse_percent, parse_quantity


@pytest.mark.parametrize(
    "text",
    ["\u0e51\u0e52", "\u0661\u0662", "\uff11\uff12", "1,\u0e50\u0e50\u0e50", "\u0e51\u0e52.0"],
)
def test_quantity_takes_ascii_digits_only(text):
    with pytest.raises(ParseError) as caught:
        parse_quantity(text)
    assert str(caught.value) == f"“{text}” is not a whole number."


@pytest.mark.parametrize("text", ["\u0e51\u0e50", "\u0e58,\u0e55", "\uff11\uff10%", "1\u0e50"])
def test_percent_takes_ascii_digits_only(text):
    with pytest.raises(ParseError) as caught:
        parse_percent(text)
    assert str(caught.value) == f"“{text}” is not a percentage."


@pytest.mark.parametrize("text", ["\u0e51\u0e55\u0e50\u0e50\u0e50\u0e50", "\uff11\uff15\uff10"])
def test_money_takes_ascii_digits_only(text):
    with pytest.raises(ParseError) as caught:
        parse_money(text, currency="VND")
    assert str(caught.value) == f"“{text}” is not an amount."


def test_ascii_digits_still_parse():
    assert parse_quantity("1.000") == 1000
    assert parse_percent("8,5%") == Decimal("8.50")
    assert parse_money("150.000", currency="VND") == Decimal("150000")
