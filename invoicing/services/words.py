"""An amount of Vietnamese dong in words, as an invoice writes its total
("Bảy trăm nghìn hai trăm năm mươi đồng").

Groups of three digits named nghìn, triệu, tỷ (then nghìn tỷ, triệu tỷ: the tỷ repeats); a group
after the first is read in full ("không trăm", "linh"); 1 after a ten above ten is "mốt", 5 after
a ten is "lăm", 4 after a ten above ten is "tư". Zero groups are skipped.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")


def _three(number: int, *, full: bool) -> list[str]:
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(number: int, *, full: bool) -> list[str]:
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _three(group, full=full or bool(words))
        if GROUPS[index]:
            words.append(GROUPS[index])
    return words


def _words(number: int, *, full: bool = False) -> list[str]:
    billions, rest = divmod(number, 1_000_000_000)
    words: list[str] = []
    if billions:
        words += [*_words(billions, full=full), "tỷ"]
    words += _below_billion(rest, full=full or bool(words))
    return words


def amount_in_words(amount: Decimal | int, currency: str = "VND") -> str:
    """The whole dong of `amount` in Vietnamese words, capitalised, ending in "đồng"."""
    value = int(Decimal(amount))
    if value == 0:
        return "Không đồng"
    words = _words(abs(value))
    if value < 0:
        words.insert(0, "âm")
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
