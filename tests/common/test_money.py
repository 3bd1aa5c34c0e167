from decimal import Decimal

import pytest

from common.money import format_money, quantize


def test_vnd_has_no_minor_unit_and_rounds_half_up():
    assert quantize(Decimal("1250000.5"), "VND") == Decimal("1250001")
    assert quantize(Decimal("1249999.4"), "VND") == Decimal("1249999")
    assert quantize("15000", "VND").as_tuple().exponent == 0


def test_thb_has_two_decimals():
    assert quantize(Decimal("199.005"), "THB") == Decimal("199.01")
    assert quantize(10, "THB") == Decimal("10.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        quantize(0.1, "VND")  # type: ignore[arg-type]


def test_formatting_follows_the_language():
    assert format_money(Decimal("1250000"), "VND", "vi") == "1.250.000\xa0₫"
    assert format_money(Decimal("1250000"), "VND", "en") == "₫1,250,000"
    assert format_money(Decimal("1250.5"), "THB", "th") == "฿1,250.50"
