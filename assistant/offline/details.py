"""Delivery details inside a purchase message: "ซื้อ BAG-01 2 ใบ Somsak 0901234570 9 Lê Lợi,
Phường Bến Thành, Quận 1, Hồ Chí Minh สร้างออเดอร์เลย" names the product, the quantity, the
recipient, the phone and the address at once. purchase_details() rewrites it as the "name,
phone, street, ward, [district,] province" text the responder's detail reader takes: the name
is what is left before the phone once the keywords, the quantity and the product's own words
are taken out; the address runs from the phone to the first keyword after it ("create the order
now", "please")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant import synonyms
from assistant.offline import intents
from common.text import fold

_QUANTITY_WORDS = re.compile(
    r"^(?:\d{1,3}|x\d{1,3}|\d{1,3}x|cai|chiec|bo|doi|sp|pcs|pieces|pairs?|units"
    r"|ชิ้น|ตัว|อัน|ใบ|คู่|ชุด)$"
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")


def _fold_chars(text: str) -> str:
    """fold() character by character (same length as `text`, spaces kept), so a position
    found in it is a position in `text`."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
        kept = "".join(
            c for c in base if not (unicodedata.category(c) == "Mn" and "\u0300" <= c <= "\u036f")
        )
        out.append(kept[0].lower() if kept else " ")
    return "".join(out)


_TERMS = [term for _, group in intents.INTENTS for term in group]
# What ends an address typed after the phone: a Thai keyword, a keyword phrase of several
# words, a courtesy word (single Latin keywords such as "gia" are also places: Gia Lai).
_ADDRESS_ENDS = sorted(
    {t for t in _TERMS if _THAI.search(t) or " " in t} | {"please", "thanks", "thank you"},
    key=len,
    reverse=True,
)
_PHRASES = sorted(
    (t.split() for t in _TERMS if " " in t and not _THAI.search(t)), key=len, reverse=True
)
_BUY_WORDS = {t for intent, group in intents.INTENTS if intent == "buy" for t in group}
_THAI_KEYWORDS = [t for t in _TERMS if _THAI.search(t)]


def _address_end(folded_tail: str) -> int:
    """Where the address after the phone ends: at the first keyword after some address."""
    end = len(folded_tail)
    for term in _ADDRESS_ENDS:
        if _THAI.search(term):
            index = folded_tail.find(term)
        else:
            found = re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", folded_tail)
            index = found.start() if found else -1
        if 0 <= index < end and folded_tail[:index].strip():
            end = index
    return end


def _without_purchase_words(tokens: list[str], product_words: set[str]) -> list[str]:
    """The tokens less keyword phrases, buying words, quantities and the product's words."""
    folded = [fold(t).strip(" .,:;!?") for t in tokens]
    drop = {i for i, f in enumerate(folded) if not f or f in _BUY_WORDS or f in product_words}
    drop |= {i for i, f in enumerate(folded) if _QUANTITY_WORDS.match(f)}
    drop |= {i for i, f in enumerate(folded) if any(k in f for k in _THAI_KEYWORDS)}
    for phrase in _PHRASES:
        for start in range(len(folded) - len(phrase) + 1):
            if folded[start : start + len(phrase)] == phrase:
                drop |= set(range(start, start + len(phrase)))
    return [t for i, t in enumerate(tokens) if i not in drop]


def _name_before(text: str, product_words: set[str]) -> str:
    """The recipient's name: the last comma part before the phone that still holds words once
    the purchase's own words are taken out."""
    for part in reversed(re.split(r"[,\n;]", text)):
        kept = _without_purchase_words(part.split(), product_words)
        if kept:
            return " ".join(kept).strip(" .:-")
    return ""


def product_words(sku: str, name: str, options: Iterable[str]) -> set[str]:
    """Folded words a message may use for this product: its SKU, name, options and their
    synonyms in our languages."""
    from assistant.tools import words

    found = {sku.casefold(), *words(name)}
    for value in options:
        found |= set(words(value))
    named = synonyms.groups_named(sorted(found))
    found |= {w for i in named for term in synonyms.GROUPS[i] for w in term.split()}
    return found


def purchase_details(message: str, known_words: set[str]) -> str:
    """The message's "name, phone, address" text ("" when it gives no phone or no name)."""
    phone = intents.find_phone(message)
    if phone is None:
        return ""
    start, end = phone
    name = _name_before(message[:start], known_words)
    tail = message[end:]
    address = tail[: _address_end(_fold_chars(tail))].strip(" ,.;:-\n")
    if not name or not address:
        return ""
    return f"{name}, {message[start:end]}, {address}"
