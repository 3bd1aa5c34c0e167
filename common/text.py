"""Text helpers: search folding, and a spreadsheet cell or form value read as text."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Search text: lower case without Vietnamese diacritics, so "ao thun" finds "Áo thun" and
    "dam" finds "Đầm"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    # Drop Latin combining marks only; Thai vowels and tone marks (also category Mn) are kept.
    kept = "".join(
        ch
        for ch in decomposed
        if not (unicodedata.category(ch) == "Mn" and "\u0300" <= ch <= "\u036f")
    )
    return " ".join(unicodedata.normalize("NFC", kept).lower().split())


def cell_text(value: object) -> str:
    """A cell (or typed value) as stripped text: whole floats without ".0", booleans as 1/0, and
    the quote our exports put before a formula-like text ("'=...") taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text
