"""Check digits of Vietnamese tax codes (mã số thuế) and Thai tax identification numbers.

The arithmetic is python-stdnum's (`stdnum.vn.mst`, `stdnum.th.pin`, which `stdnum.th.tin` and
`stdnum.th.moa` share); these two functions keep our names and our rules around it:

Vietnam: weights 31, 29, 23, 19, 17, 13, 7, 5, 3 over the first nine digits; the tenth digit is
10 - (sum mod 11). When that gives 10 no tenth digit fits, and such numbers are never issued:
they are invalid (stdnum answers "10", which no single digit equals). Thailand: weights 13 down
to 2 over the first twelve digits; the thirteenth is (11 - sum mod 11) mod 10.

Only ASCII 0-9 are digits here: stdnum's arithmetic uses int(), which also reads Thai "๑" and
other scripts' digits, so anything else is refused before it gets there. Shapes, separators, branch
suffixes and the 12-digit Vietnamese personal number are the callers' rules
(`orders.validators`, `inventory.services.suppliers`). stdnum's `validate()` is not used: it adds
a rule ours does not have (a Thai id may not start with 9) and knows no 12-digit personal
number. A Vietnamese code's sequence (digits 3-9) may not be all 0 (carriers_einvoice.md E.7):
vn_check_digit refuses it, so every caller does.
"""

from __future__ import annotations

from stdnum.th import pin as th_pin
from stdnum.vn import mst as vn_mst

# The Vietnamese weights, as in stdnum.vn.mst.calc_check_digit (for readers and tests).
VN_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _ascii_digits(text: str, length: int) -> str:
    if len(text) != length or not (text.isascii() and text.isdigit()):
        raise ValueError(f"expected {length} digits 0-9, got {text!r}")
    return text


def vn_check_digit(first_nine: str) -> int | None:
    """The tenth digit for these nine, or None when no digit can be one: the sum gives 10, or
    the 7-digit sequence after the province code is all zero (no such code is issued)."""
    digits = _ascii_digits(first_nine, 9)
    if digits[2:] == "0000000":
        return None
    check = vn_mst.calc_check_digit(digits)
    return int(check) if len(check) == 1 else None


def th_check_digit(first_twelve: str) -> int:
    """The thirteenth digit for these twelve."""
    return int(th_pin.calc_check_digit(_ascii_digits(first_twelve, 12)))
