"""What the customer wants (intent) and the entities of the message (order number, phone,
quantity, address parts), from folded keyword tables in Vietnamese (with or without
diacritics), Thai and English."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.text import fold
from orders.errors import InvalidPhoneNumber
from orders.validators import phone_normalize

# Checked in this order: the first intent with a matching term wins (but see intent_of).
# "complaint": damaged or wrong goods, a refund dispute, an angry customer; staff take these
# from the first message. Policy questions ("can I exchange the size?") are not complaints.
INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "complaint",
        (
            "khieu nai",
            "phan nan",
            "hoan tien",
            "tra lai tien",
            "bi rach",
            "bi hong",
            "hu hong",
            "bi loi",
            "hang loi",
            "bi be",
            "bi vo",
            "bi moc",
            "giao sai",
            "giao nham",
            "gui sai",
            "sai hang",
            "thieu hang",
            "lua dao",
            "that vong",
            "qua te",
            "te qua",
            "buc minh",
            "boc phot",
            "complain",
            "complaint",
            "refund",
            "money back",
            "chargeback",
            "damaged",
            "broken",
            "defective",
            "faulty",
            "torn",
            "ripped",
            "wrong item",
            "wrong product",
            "never arrived",
            "never received",
            "scam",
            "fraud",
            "unacceptable",
            "disappointed",
            "terrible",
            "worst",
            "ร้องเรียน",
            "คืนเงิน",
            "ชำรุด",
            "เสียหาย",
            "แตกหัก",
            "ส่งผิด",
            "ได้ของผิด",
            "ของปลอม",
            "หลอกลวง",
            "โกง",
            "ผิดหวัง",
            "ไม่พอใจ",
            "แย่มาก",
            "ห่วย",
            "เคลม",
        ),
    ),
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
            "place an order",
            "place the order",
            "tao don",
            "len don",
            "สั่งซื้อ",
            "สร้างออเดอร์",
            "สร้างคำสั่งซื้อ",
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
    r"(?<![\d.,])(\d{1,3})\s*(?:cai|chiec|bo|doi|cay|sp|san pham|pcs|pieces|pairs?|units|x)"
    r"(?![\w])|(?<![\d.,])(\d{1,3})\s*(?:ชิ้น|ตัว|อัน|ใบ|คู่|ชุด)"
    r"|\bx\s*(\d{1,3})\b|(?:mua|lay|buy|take|ซื้อ|เอา)\s*(\d{1,3})(?!\d)"
)
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def _has(folded: str, term: str) -> bool:
    if re.search(r"[\u0e00-\u0e7f]", term):
        return term in folded
    return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", folded) is not None


def intents_in(text: str) -> list[str]:
    """Every intent whose terms the message holds, in INTENTS order."""
    folded = fold(text)
    return [intent for intent, terms in INTENTS if any(_has(folded, term) for term in terms)]


def intent_of(text: str) -> str:
    """The message's intent: the first of INTENTS it holds a term of; but a purchase that also
    says "order" ("สร้างออเดอร์เลย": create the order now) without an order number is a purchase,
    not an order-status question."""
    found = intents_in(text)
    if not found:
        return ""
    if found[0] == "order_status" and "buy" in found and not _ORDER_NUMBER.search(text):
        return "buy"
    return found[0]


def terms_of_intents() -> set[str]:
    """Every keyword word (to drop from product searches)."""
    found: set[str] = set()
    for _, terms in INTENTS:
        for term in terms:
            found.update(term.split())
    return found


def intent_phrases() -> list[list[str]]:
    """The keywords of several Latin words ("tinh trang don"), longest first: a product search
    drops them as a whole, not word by word ("trang" alone is the colour white)."""
    phrases = {
        tuple(term.split())
        for _, terms in INTENTS
        for term in terms
        if " " in term and not re.search(r"[\u0e00-\u0e7f]", term)
    }
    return [list(p) for p in sorted(phrases, key=lambda p: (-len(p), p))]


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
    phone = find_phone(text)
    quantity = _QUANTITY.search(folded)
    postcode = _POSTCODE.search(without_phone(text))
    value = next((int(g) for g in quantity.groups() if g), None) if quantity else None
    return Entities(
        order_number=order.group(1).upper() if order else "",
        phone=re.sub(r"[ .-]", "", text[phone[0] : phone[1]]) if phone else "",
        quantity=value if value else None,
        postcode=postcode.group(1) if postcode else "",
    )


def _valid_phone(candidate: str) -> bool:
    try:
        phone_normalize(candidate)
    except InvalidPhoneNumber:
        return False
    return True


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Where phone numbers are: each match, less a group of digits after it that makes it
    invalid ("0901234570 9 Lê Lợi": the phone, then house number 9)."""
    spans = []
    for match in _PHONE.finditer(text):
        candidate = match.group(0)
        while not _valid_phone(candidate):
            cut = max(candidate.rfind(" "), candidate.rfind("."), candidate.rfind("-"))
            if cut <= 0 or len(re.sub(r"\D", "", candidate[:cut])) < 9:
                candidate = match.group(0)
                break
            candidate = candidate[:cut]
        spans.append((match.start(), match.start() + len(candidate)))
    return spans


def find_phone(text: str) -> tuple[int, int] | None:
    """Where the first phone number of `text` starts and ends."""
    spans = _phone_spans(text)
    return spans[0] if spans else None


def without_phone(text: str) -> str:
    for start, end in reversed(_phone_spans(text)):
        text = f"{text[:start]} {text[end:]}"
    return text


# An administrative unit with a number ("Quận 1", "Q.1", "P7", "Phường 7", "district 3"): part
# of an address, never a product ("quan" is also trousers).
_NUMBERED_UNIT = re.compile(
    r"(?<![\w])(?:quan|q|phuong|p|huyen|district|ward|khu pho|kp|to|ap)\s*\.?\s*\d{1,3}(?![\d])"
)
# Words that only an address holds (folded).
_ADDRESS_WORDS = re.compile(
    r"(?<![\w])(?:phuong|huyen|thi xa|thi tran|tp|thanh pho|tinh|duong|ngo|hem|kiet|so nha"
    r"|street|st|road|rd|ward|district|province|city)(?![\w])"
    r"|แขวง|เขต|ตำบล|อำเภอ|จังหวัด|ถนน|ซอย|หมู่บ้าน|(?<![\u0e00-\u0e7f])[ตอจถ]\.\s*[\u0e00-\u0e7f]"
)
_HOUSE_NUMBER = re.compile(r"^\s*(?:so\s*)?\d+[a-z]?(?:/\d+[a-z]?)*\s+\D")


def _address_part(part: str) -> bool:
    """A folded comma-separated part of a message that is part of an address."""
    return bool(
        _NUMBERED_UNIT.search(part) or _ADDRESS_WORDS.search(part) or _HOUSE_NUMBER.match(part)
    )


def is_delivery_details(text: str) -> bool:
    """The message gives a phone and an address ("name, phone, street, ward, province")."""
    if find_phone(text) is None:
        return False
    folded = fold(without_phone(text))
    parts = [p for p in re.split(r"[,\n;]", folded) if p.strip()]
    return len(parts) >= 3 or any(_address_part(p) for p in parts)


def without_address(text: str) -> str:
    """The folded message without its address: numbered units always; in a message giving
    delivery details, also every part after the first that looks like an address."""
    folded = fold(text)
    if is_delivery_details(text):
        parts = re.split(r"[,\n;]", fold(without_phone(text)))
        folded = ", ".join([parts[0], *(p for p in parts[1:] if not _address_part(p))])
    return _NUMBERED_UNIT.sub(" ", folded)
