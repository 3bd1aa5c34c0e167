"""Which of our languages (vi, th, en) a customer writes in: Thai script; Vietnamese letters
with their diacritics; else common words of each language, written without diacritics too."""

from __future__ import annotations

import re

from common.text import fold

_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Latin letters only Vietnamese uses (with their tone marks), and đ.
_VIETNAMESE = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    r"ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ]"
)
_VI_WORDS = frozenset(
    [
        "gia",
        "bao",
        "nhieu",
        "con",
        "hang",
        "khong",
        "ko",
        "k",
        "mua",
        "lay",
        "dat",
        "don",
        "cua",
        "minh",
        "toi",
        "em",
        "anh",
        "chi",
        "shop",
        "a",
        "ak",
        "ah",
        "nhe",
        "nha",
        "oi",
        "voi",
        "cho",
        "ship",
        "phi",
        "size",
        "mau",
        "ao",
        "quan",
        "vay",
        "dam",
        "giay",
        "tui",
        "duoc",
        "co",
        "chua",
        "roi",
        "xin",
        "chao",
        "cam",
        "on",
        "ban",
        "muon",
        "kiem",
        "tra",
        "het",
        "bn",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "do",
        "does",
        "you",
        "have",
        "how",
        "much",
        "price",
        "cost",
        "stock",
        "order",
        "my",
        "i",
        "want",
        "to",
        "buy",
        "please",
        "hi",
        "hello",
        "thanks",
        "thank",
        "what",
        "where",
        "when",
        "can",
        "shipping",
        "fee",
        "of",
        "in",
        "for",
        "and",
        "with",
        "available",
        "size",
        "colour",
        "color",
        "yes",
        "no",
    ]
)


def detect_language(text: str, *, default: str = "vi") -> str:
    if _THAI.search(text):
        return "th"
    if _VIETNAMESE.search(text):
        return "vi"
    tokens = re.findall(r"[a-z]+", fold(text))
    vi = sum(1 for t in tokens if t in _VI_WORDS)
    en = sum(1 for t in tokens if t in _EN_WORDS)
    if vi > en:
        return "vi"
    if en > vi:
        return "en"
    return default if default in ("vi", "th", "en") else "vi"
