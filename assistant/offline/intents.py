"""What the customer wants (intent) and the entities of the message (order number, phone,
quantity, address parts), from folded keyword tables in Vietnamese (with or without
diacritics), Thai and English."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.text import fold

# Checked in this order: the first intent with a matching term wins.
INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "call_back",
        ("goi lai", "goi cho toi", "goi cho minh", "call me", "call back", "โทรกลับ", "โทรหา"),
    ),
    (
        "discount",
        (
            "giam gia",
            "bot gia",
            "bot chut",
            "khuyen mai",
            "re hon",
            "voucher",
            "discount",
            "cheaper",
            "coupon",
            "deal",
            "ลดราคา",
            "ส่วนลด",
            "ลดได้",
            "ลดหน่อย",
        ),
    ),
    (
        "order_status",
        (
            "don hang",
            "don cua",
            "kiem tra don",
            "tinh trang don",
            "order status",
            "my order",
            "where is my order",
            "track",
            "ออเดอร์",
            "คำสั่งซื้อ",
            "สถานะ",
            "พัสดุ",
        ),
    ),
    (
        "shipping",
        (
            "phi ship",
            "phi van chuyen",
            "phi giao",
            "tien ship",
            "ship bao nhieu",
            "shipping",
            "delivery fee",
            "postage",
            "ค่าส่ง",
            "ค่าจัดส่ง",
        ),
    ),
    (
        "buy",
        (
            "mua",
            "dat hang",
            "dat mua",
            "lay cho",
            "chot don",
            "i want to buy",
            "i'll take",
            "i will take",
            "buy",
            "purchase",
            "สั่งซื้อ",
            "ซื้อ",
            "ขอสั่ง",
            "เอา",
        ),
    ),
    (
        "price_stock",
        (
            "gia",
            "bao nhieu",
            "con hang",
            "con khong",
            "het hang",
            "con size",
            "price",
            "how much",
            "cost",
            "in stock",
            "available",
            "do you have",
            "ราคา",
            "เท่าไหร่",
            "กี่บาท",
            "มีไหม",
            "เหลือ",
            "มีของ",
        ),
    ),
    (
        "greeting",
        ("xin chao", "chao shop", "chao ban", "alo", "hello", "hi", "hey", "good morning", "สวัสดี"),
    ),
    ("thanks", ("cam on", "thank", "ขอบคุณ")),
)

YES = (
    "co",
    "dong y",
    "ok",
    "oke",
    "dung roi",
    "dung",
    "chot",
    "xac nhan",
    "vang",
    "uh",
    "yes",
    "yep",
    "sure",
    "confirm",
    "correct",
    "ใช่",
    "ตกลง",
    "โอเค",
    "ยืนยัน",
    "ได้เลย",
)
NO = ("khong", "ko", "huy", "thoi", "sai", "no", "cancel", "wrong", "ไม่", "ยกเลิก")

_ORDER_NUMBER = re.compile(r"\b(SO\d{4,})\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+?84|\+?66|0)(?:[ .-]?\d){8,10}(?!\d)")
_QUANTITY = re.compile(
    r"(?<![\d.,])(\d{1,3})\s*(?:cai|chiec|bo|doi|cay|sp|san pham|pcs|pieces|units|x|ชิ้น|ตัว|อัน)"
    r"(?![\w])|\bx\s*(\d{1,3})\b|(?:mua|lay|buy|take|ซื้อ|เอา)\s*(\d{1,3})(?!\d)"
)
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def _has(folded: str, term: str) -> bool:
    if re.search(r"[\u0e00-\u0e7f]", term):
        return term in folded
    return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", folded) is not None


def intent_of(text: str) -> str:
    folded = fold(text)
    for intent, terms in INTENTS:
        if any(_has(folded, term) for term in terms):
            return intent
    return ""


def terms_of_intents() -> set[str]:
    """Every keyword word (to drop from product searches)."""
    found: set[str] = set()
    for _, terms in INTENTS:
        for term in terms:
            found.update(term.split())
    return found


def is_yes(text: str) -> bool:
    folded = fold(text).strip(" .!")
    return any(_has(folded, term) for term in YES) and not is_no(text)


def is_no(text: str) -> bool:
    folded = fold(text).strip(" .!")
    return any(_has(folded, term) for term in NO)


@dataclass(frozen=True)
class Entities:
    order_number: str
    phone: str
    quantity: int | None
    postcode: str


def entities_of(text: str) -> Entities:
    folded = fold(text)
    order = _ORDER_NUMBER.search(text)
    phone = _PHONE.search(text)
    quantity = _QUANTITY.search(folded)
    postcode = _POSTCODE.search(_PHONE.sub(" ", text))
    value = next((int(g) for g in quantity.groups() if g), None) if quantity else None
    return Entities(
        order_number=order.group(1).upper() if order else "",
        phone=re.sub(r"[ .-]", "", phone.group(0)) if phone else "",
        quantity=value if value else None,
        postcode=postcode.group(1) if postcode else "",
    )


def without_phone(text: str) -> str:
    return _PHONE.sub(" ", text)
