"""Phone normalisation and tax code validation (no database)."""

from __future__ import annotations

import pytest

from common.taxcodes import th_check_digit, vn_check_digit
from orders.errors import InvalidPhoneNumber, InvalidTaxCode
from orders.validators import (
    phone_normalize,
    phone_search_digits,
    shop_country,
    tax_code_normalize,
)


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912345678", "84912345678", "0912.345.678"])
def test_vietnamese_mobile_formats_give_one_e164(raw, settings):
    settings.SHOP_CURRENCY = "VND"
    phone = phone_normalize(raw)
    assert (phone.e164, phone.digits, phone.region) == ("+84912345678", "912345678", "VN")
    assert phone.local == "0912345678"
    assert phone.search_digits == "0912345678 84912345678"


@pytest.mark.parametrize("raw", ["081-234-5678", "0812345678", "+66 81 234 5678", "66812345678"])
def test_thai_mobile_formats_give_one_e164(raw, settings):
    settings.SHOP_CURRENCY = "THB"
    phone = phone_normalize(raw)
    assert (phone.e164, phone.digits, phone.region) == ("+66812345678", "812345678", "TH")
    assert phone.local == "0812345678"


def test_the_default_region_follows_the_shop_currency(settings):
    settings.SHOP_CURRENCY = "VND"
    assert shop_country() == "VN"
    assert phone_normalize("0812345678").e164 == "+84812345678"
    settings.SHOP_CURRENCY = "THB"
    assert shop_country() == "TH"
    assert phone_normalize("0812345678").e164 == "+66812345678"


def test_an_explicit_region_wins_over_the_shop(settings):
    settings.SHOP_CURRENCY = "VND"
    assert phone_normalize("081-234-5678", region="TH").e164 == "+66812345678"
    assert phone_normalize("081-234-5678", region="th").e164 == "+66812345678"


def test_landlines_are_accepted():
    assert phone_normalize("028 3822 1234", region="VN").e164 == "+842838221234"
    assert phone_normalize("02-123-4567", region="TH").e164 == "+6621234567"


@pytest.mark.parametrize("raw", ["", "   ", "12345", "abc", "0912 345", "+84 1234", "x" * 60])
def test_impossible_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        phone_normalize(raw, region="VN")


def test_search_digits_keep_only_digits():
    assert phone_search_digits("0912 345-6") == "09123456"
    assert phone_search_digits("An") == ""


# --- Tax codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("first_nine", "check"), [("010010910", 6), ("010124814", 1)])
def test_vietnamese_check_digit(first_nine, check):
    assert vn_check_digit(first_nine) == check


def test_vietnamese_check_digit_ten_means_no_valid_code():
    # A weighted sum that is a multiple of 11 gives 10 - 0 = 10: no digit can be the check.
    assert vn_check_digit("010000005") is None  # 29 + 5 x 3 = 44
    assert vn_check_digit("100000001") == 10 - (31 + 3) % 11


def test_vietnamese_sequence_all_zero_is_no_valid_code():
    # E.7: PP + a 7-digit sequence that is not all zero + the check digit. The arithmetic alone
    # would give 010000000 the check digit 3.
    assert vn_check_digit("010000000") is None
    with pytest.raises(InvalidTaxCode):
        tax_code_normalize("0100000003", country="VN")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("0100109106", "0100109106"),
        (" 0101248141 ", "0101248141"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106 001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),
        ("001099012345", "001099012345"),  # 12-digit personal identification number
    ],
)
def test_valid_vietnamese_tax_codes(raw, normalized):
    assert tax_code_normalize(raw, country="VN") == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "0100109107",
        "0101248140",
        "010010910",
        "01001091060",
        "0100109106-000",
        "01001O9106",
        "0000000000",
    ],
)
def test_invalid_vietnamese_tax_codes(raw):
    with pytest.raises(InvalidTaxCode):
        tax_code_normalize(raw, country="VN")


def test_vietnamese_error_names_the_check_digit():
    with pytest.raises(InvalidTaxCode, match="check digit"):
        tax_code_normalize("0100109107", country="VN")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("0107544000108", "0107544000108"),
        ("0-1075-44000-10-8", "0107544000108"),
        ("0107536000102", "0107536000102"),
    ],
)
def test_valid_thai_tax_ids(raw, normalized):
    assert tax_code_normalize(raw, country="TH") == normalized


@pytest.mark.parametrize("raw", ["0107544000109", "010754400010", "01075440001088", "0100109106"])
def test_invalid_thai_tax_ids(raw):
    with pytest.raises(InvalidTaxCode):
        tax_code_normalize(raw, country="TH")


def test_thai_check_digit():
    assert th_check_digit("010754400010") == 8


@pytest.mark.parametrize(
    ("check_digit", "text"),
    [
        (vn_check_digit, "๐๑๐๐๑๐๙๑๐"),  # Thai digits: int() reads them, no tax code holds them
        (vn_check_digit, "٠١٠٠١٠٩١٠"),
        (th_check_digit, "๐๑๐๗๕๔๔๐๐๐๑๐"),
        (vn_check_digit, "01001091"),
        (th_check_digit, "0107544000100"),
    ],
)
def test_check_digits_take_exactly_their_ascii_digits(check_digit, text):
    with pytest.raises(ValueError, match="digits 0-9"):
        check_digit(text)


def test_blank_tax_code_is_no_tax_code():
    assert tax_code_normalize("  ", country="VN") == ""


def test_tax_code_country_follows_the_shop(settings):
    settings.SHOP_CURRENCY = "THB"
    assert tax_code_normalize("0107544000108") == "0107544000108"
    settings.SHOP_CURRENCY = "VND"
    with pytest.raises(InvalidTaxCode):
        tax_code_normalize("0107544000108")


def test_other_countries_cannot_be_checked():
    with pytest.raises(InvalidTaxCode):
        tax_code_normalize("123", country="SG")
