"""The words customers use for the same thing in Vietnamese, Thai and English: product kinds,
colours and sizes. Catalogue search (assistant.tools.match_score) counts a product's name or
option value as named when the customer wrote any word of the same group, so "red t-shirt",
"áo thun đỏ" and "เสื้อยืดสีแดง" all name "Áo thun Basic (Đỏ / M)", whatever language the
shop wrote its catalogue in.

Terms are folded (common.text.fold: lower case, no Vietnamese diacritics). A Latin term matches
whole words; a Thai term matches inside a Thai run, since Thai has no spaces and word
segmentation may cut a compound either way. Keep groups narrow: a term in two groups (Vietnamese
"xanh" is blue and green) names both. Add a group for a product kind your shop sells when
customers call it by another name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# What a product is. Longer terms are matched first, so "t shirt" is a tee, not a "shirt".
PRODUCT_KINDS: tuple[tuple[str, ...], ...] = (
    ("ao thun", "ao phong", "t-shirt", "t shirt", "tshirt", "tee", "tees", "เสื้อยืด"),
    ("ao so mi", "so mi", "shirt", "shirts", "เสื้อเชิ้ต"),
    ("ao khoac", "jacket", "jackets", "coat", "เสื้อแจ็คเก็ต", "แจ็คเก็ต", "เสื้อโค้ท"),
    ("quan jean", "quan bo", "jeans", "jean", "denim", "กางเกงยีนส์", "ยีนส์", "ยีน"),
    ("quan short", "quan dui", "shorts", "กางเกงขาสั้น"),
    ("quan", "pants", "trousers", "กางเกง"),
    ("dam", "vay dam", "dress", "dresses", "ชุดเดรส", "เดรส"),
    ("chan vay", "skirt", "skirts", "กระโปรง"),
    ("giay", "shoes", "shoe", "sneaker", "sneakers", "รองเท้า"),
    ("dep", "sandal", "sandals", "slippers", "flip flops", "รองเท้าแตะ"),
    ("tui", "tui xach", "bag", "bags", "handbag", "tote", "กระเป๋า"),
    ("balo", "ba lo", "backpack", "เป้", "กระเป๋าเป้"),
    ("mu", "non", "hat", "cap", "หมวก"),
    ("vi", "wallet", "purse", "กระเป๋าสตางค์"),
    ("that lung", "belt", "เข็มขัด"),
    ("tat", "vo", "socks", "sock", "ถุงเท้า"),
)

# Colours: the bare Thai colour word and with "สี" (colour) before it.
COLOURS: tuple[tuple[str, ...], ...] = (
    ("do", "mau do", "red", "แดง", "สีแดง"),
    ("den", "mau den", "black", "ดำ", "สีดำ"),
    ("trang", "mau trang", "white", "ขาว", "สีขาว"),
    ("xanh", "xanh duong", "xanh da troi", "xanh nuoc bien", "blue", "navy", "น้ำเงิน", "ฟ้า"),
    ("xanh", "xanh la", "xanh la cay", "green", "เขียว", "สีเขียว"),
    ("vang", "mau vang", "yellow", "เหลือง", "สีเหลือง"),
    ("hong", "mau hong", "pink", "ชมพู", "สีชมพู"),
    ("tim", "mau tim", "purple", "violet", "ม่วง", "สีม่วง"),
    ("xam", "ghi", "grey", "gray", "เทา", "สีเทา"),
    ("nau", "brown", "น้ำตาล", "สีน้ำตาล"),
    ("cam", "orange", "ส้ม", "สีส้ม"),
    ("be", "kem", "beige", "cream", "ครีม", "เบจ", "สีครีม"),
)

# Sizes: letters, and the words for small, medium and large.
SIZES: tuple[tuple[str, ...], ...] = (
    ("xs", "extra small"),
    ("s", "small", "nho", "เล็ก", "ไซส์เล็ก"),
    ("m", "medium", "vua", "กลาง", "ไซส์กลาง"),
    ("l", "large", "lon", "ใหญ่", "ไซส์ใหญ่"),
    ("xl", "extra large"),
    ("xxl", "2xl"),
)

GROUPS: tuple[tuple[str, ...], ...] = (*PRODUCT_KINDS, *COLOURS, *SIZES)
KIND_GROUPS = frozenset(range(len(PRODUCT_KINDS)))
OPTION_GROUPS = frozenset(range(len(PRODUCT_KINDS), len(GROUPS)))
# Every term with the groups it is in, longest first.
_LONGEST_FIRST: list[tuple[str, set[int]]] = sorted(
    (
        (term, {index for index, group in enumerate(GROUPS) if term in group})
        for term in {term for group in GROUPS for term in group}
    ),
    key=lambda pair: (-len(pair[0]), pair[0]),
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")


def _is_thai(term: str) -> bool:
    return _THAI.search(term) is not None


def _latin_spans(words: Sequence[str], term: str) -> list[set[int]]:
    """The index sets of `words` that spell Latin `term` as whole consecutive words."""
    parts = term.split()
    found = []
    for start in range(len(words) - len(parts) + 1):
        if list(words[start : start + len(parts)]) == parts:
            found.append(set(range(start, start + len(parts))))
    return found


def _thai_spans(words: Sequence[str], term: str) -> list[set[int]]:
    """The index sets of `words` whose joined text holds Thai `term` (any word it overlaps)."""
    joined = "".join(words)
    owner = [index for index, word in enumerate(words) for _ in word]
    found = []
    start = joined.find(term)
    while start >= 0:
        found.append(set(owner[start : start + len(term)]))
        start = joined.find(term, start + 1)
    return found


def spans(words: Sequence[str], term: str) -> list[set[int]]:
    """Where folded `term` occurs in the folded words (each occurrence: the word indexes)."""
    return _thai_spans(words, term) if _is_thai(term) else _latin_spans(words, term)


def groups_named(words: Sequence[str]) -> set[int]:
    """The groups (indexes in GROUPS) the words name, longest terms first: a word taken by a
    longer term ("t shirt") does not also count for a shorter one ("shirt")."""
    taken: set[int] = set()
    named: set[int] = set()
    for term, indexes in _LONGEST_FIRST:
        found = [span for span in spans(words, term) if not span & taken]
        if found:
            named |= indexes
            taken = taken.union(*found)
    return named


def covered(words: Sequence[str], groups: set[int]) -> set[int]:
    """The indexes of `words` that spell a term of one of `groups`."""
    found: set[int] = set()
    for index in groups:
        for term in GROUPS[index]:
            for span in spans(words, term):
                found |= span
    return found


def words_of_groups() -> set[str]:
    """Every Latin word of every term (a product search keeps these)."""
    return {w for group in GROUPS for term in group if not _is_thai(term) for w in term.split()}
