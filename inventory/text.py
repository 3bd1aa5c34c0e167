"""Search text: lower case without Vietnamese and Thai-irrelevant diacritics, so "ao thun"
finds "Áo thun" and "dam" finds "Đầm"."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    # Drop Latin combining marks only; Thai vowels and tone marks (also category Mn) are kept.
    kept = "".join(
        ch
        for ch in decomposed
        if not (unicodedata.category(ch) == "Mn" and "\u0300" <= ch <= "\u036f")
    )
    return " ".join(unicodedata.normalize("NFC", kept).lower().split())
