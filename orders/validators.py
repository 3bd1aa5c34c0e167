"""Phone numbers and tax codes of Vietnamese and Thai customers: normalise or refuse.

Pure functions (no database), used by the services and usable by forms.

Phones: parsed with `phonenumbers`; local formats ("0912 345 678", "081-234-5678") are read in
the default region, which is the shop's country (VND -> VN, THB -> TH) unless one is given.
A number written with its country code ("+84 912345678", "84912345678") is read as such. The
result is E.164 ("+84912345678") plus the national significant number ("912345678"), which is
what "search by any part of the phone" matches.

Tax codes:
  Vietnam  - enterprise code (MST): 10 digits, the 10th a check digit over the first nine
             (weights 31 29 23 19 17 13 7 5 3; check = 10 - sum mod 11, a result of 10 is
             invalid); a branch or dependent unit adds "-" and 3 digits (001-999);
           - individuals: the 12-digit personal identification number, which replaces the
             personal tax code from 1 July 2025 (no check digit: digits and length only).
  Thailand - 13-digit tax identification number (juristic persons and individuals alike),
             the 13th a check digit: (11 - sum(d_i x (13 - i)) mod 11) mod 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

from common.phones import shop_country
from common.taxcodes import th_check_digit, vn_check_digit
from orders.errors import InvalidPhoneNumber, InvalidTaxCode

COUNTRIES = ("VN", "TH")

_SEPARATORS = re.compile(r"[\s.\-_/]+")


# --- Phones -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    e164: str  # "+84912345678"
    digits: str  # national significant number: "912345678"
    region: str  # "VN", "TH", ... (the number's own region)

    @property
    def local(self) -> str:
        """As dialled inside the country: "0912345678"."""
        return f"0{self.digits}" if self.region in COUNTRIES else self.e164

    @property
    def search_digits(self) -> str:
        """Digit strings a search for any part of the number should find: local and E.164."""
        return f"{self.local} {self.e164.lstrip('+')}"


def phone_normalize(raw: str, *, region: str | None = None) -> Phone:
    """Parse a phone number typed by staff or received from a channel; raise InvalidPhoneNumber.

    `region`: where local numbers are read from (default: the shop's country).
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("Enter a phone number."))
    if len(text) > 40:
        raise InvalidPhoneNumber(_("%(phone)s is not a phone number.") % {"phone": text[:40]})
    try:
        number = phonenumbers.parse(text, (region or shop_country()).upper())
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(_("%(phone)s is not a phone number.") % {"phone": text}) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            _("%(phone)s is not a valid phone number in %(region)s.")
            % {"phone": text, "region": (region or shop_country()).upper()}
        )
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        digits=phonenumbers.national_significant_number(number),
        region=phonenumbers.region_code_for_number(number) or "",
    )


def phone_search_digits(text: str) -> str:
    """The digits to look for when a user searches a phone fragment ("0912 34" -> "091234")."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


# --- Tax codes --------------------------------------------------------------------------------


def _ascii_digits(text: str) -> bool:
    """Only 0-9: str.isdigit() and int() also take "๐๑๒" or "١٢٣", which no tax code holds."""
    return text.isascii() and text.isdigit()


def _invalid(code: str) -> InvalidTaxCode:
    return InvalidTaxCode(_("%(code)s is not a valid tax code.") % {"code": code})


def vn_tax_code_normalize(raw: str) -> str:
    """ "0100109106", "0100109106-001" (branch) or a 12-digit personal number; else raise."""
    text = raw.strip()
    digits = _SEPARATORS.sub("", text)
    if not _ascii_digits(digits) or len(digits) not in (10, 12, 13):
        raise InvalidTaxCode(
            _(
                "%(code)s is not a Vietnamese tax code: it has 10 digits "
                "(13 with a branch suffix), or 12 for a personal identification number."
            )
            % {"code": text}
        )
    if len(digits) == 12:
        return digits
    if vn_check_digit(digits[:9]) != int(digits[9]):
        raise InvalidTaxCode(
            _("%(code)s is not a valid Vietnamese tax code: the check digit does not match.")
            % {"code": text}
        )
    if len(digits) == 13:
        if digits[10:] == "000":
            raise _invalid(text)
        return f"{digits[:10]}-{digits[10:]}"
    return digits


def th_tax_code_normalize(raw: str) -> str:
    """A 13-digit Thai tax identification number with a valid check digit; else raise."""
    text = raw.strip()
    digits = _SEPARATORS.sub("", text)
    if not _ascii_digits(digits) or len(digits) != 13:
        raise InvalidTaxCode(
            _("%(code)s is not a Thai tax identification number: it has 13 digits.")
            % {"code": text}
        )
    if th_check_digit(digits[:12]) != int(digits[12]):
        raise InvalidTaxCode(
            _(
                "%(code)s is not a valid Thai tax identification number: the check digit does "
                "not match."
            )
            % {"code": text}
        )
    return digits


def tax_code_normalize(raw: str, *, country: str | None = None) -> str:
    """Normalise a tax code of `country` (default: the shop's); "" stays "" (no tax code)."""
    if not (raw or "").strip():
        return ""
    country = (country or shop_country()).upper()
    if country == "VN":
        return vn_tax_code_normalize(raw)
    if country == "TH":
        return th_tax_code_normalize(raw)
    raise InvalidTaxCode(_("Tax codes can only be checked for Vietnam and Thailand."))
