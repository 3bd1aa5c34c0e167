"""Check digits of Vietnamese tax codes (mã số thuế) and Thai tax identification numbers.

Vietnam: weights 31, 29, 23, 19, 17, 13, 7, 5, 3 over the first nine digits; the tenth digit is
10 - (sum mod 11). When that gives 10 no tenth digit fits, and such numbers are never issued:
they are invalid. Thailand: weights 13 down to 2 over the first twelve digits; the thirteenth is
(11 - sum mod 11) mod 10.
"""

from __future__ import annotations

VN_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def vn_check_digit(first_nine: str) -> int | None:
    """The tenth digit for these nine, or None when no digit can be one."""
    total = sum(w * int(d) for w, d in zip(VN_WEIGHTS, first_nine, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def th_check_digit(first_twelve: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10
