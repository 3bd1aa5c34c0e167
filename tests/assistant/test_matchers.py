"""The offline responder's matchers without a database: synonym groups across vi/th/en, search
words (a SKU glued to Thai text), complaint and purchase intents, and addresses that are not
products."""

from __future__ import annotations

import pytest

from assistant import synonyms
from assistant.offline import intents
from assistant.offline.responder import product_query
from assistant.tools import words


def _named(text: str) -> set[str]:
    """The first term of each group `text` names (readable in assertions)."""
    return {synonyms.GROUPS[i][0] for i in synonyms.groups_named(words(text))}


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("red", "do"),
        ("màu đỏ", "do"),
        ("สีแดง", "do"),
        ("black", "den"),
        ("ดำ", "den"),
        ("trắng", "trang"),
        ("white", "trang"),
        ("ขาว", "trang"),
        ("t-shirt", "ao thun"),
        ("tee", "ao thun"),
        ("เสื้อยืด", "ao thun"),
        ("shoes", "giay"),
        ("รองเท้า", "giay"),
        ("size L", "l"),
        ("large", "l"),
        ("ไซส์ใหญ่", "l"),
    ],
)
def test_each_language_names_the_same_group(text, group):
    assert group in _named(text)


def test_xanh_names_blue_and_green():
    named = synonyms.groups_named(["xanh"])
    assert {synonyms.GROUPS[i][-1] for i in named} == {"ฟ้า", "สีเขียว"}


def test_a_longer_term_takes_its_words_first():
    # "t shirt" is a tee, not a shirt; "ao so mi" a shirt, not a t-shirt.
    assert _named("t shirt") == {"ao thun"}
    assert "ao thun" not in _named("áo sơ mi")
    assert "ao so mi" in _named("áo sơ mi")


def test_thai_terms_match_inside_a_thai_run():
    name = words("เสื้อยืดคอกลม")
    tee = next(i for i, group in enumerate(synonyms.GROUPS) if group[0] == "ao thun")
    assert synonyms.covered(name, {tee}) == {0}
    assert synonyms.covered(words("Áo thun Basic"), {tee}) == {0, 1}
    assert synonyms.covered(words("Quần jean Slim"), {tee}) == set()


def test_a_sku_followed_by_thai_stays_one_word():
    assert words("TS-001ราคาเท่าไหร่") == ["ts-001", "ราคา", "เท่าไหร่"]
    assert words("QJ-32 ยังมีของไหม")[0] == "qj-32"
    assert words("ซื้อBAG-01ค่ะ") == ["ซื้อ", "bag-01", "ค่ะ"]


@pytest.mark.parametrize(
    "text",
    [
        "hàng mình nhận bị rách, mình muốn khiếu nại",
        "shop giao sai hàng rồi, hoàn tiền cho mình",
        "hang bi loi, that vong qua",
        "The parcel arrived damaged and I want a refund",
        "This is unacceptable, you sent the wrong item",
        "ได้รับสินค้าชำรุด ต้องการคืนเงิน",
        "ส่งผิดสี ไม่พอใจมาก",
    ],
)
def test_complaints(text):
    assert intents.intent_of(text) == "complaint"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hàng này giá bao nhiêu", "price_stock"),
        ("áo thun màu hồng còn không", "price_stock"),
        ("kiểm tra đơn SO000123 giúp mình", "order_status"),
        ("can I exchange the size if it doesn't fit?", ""),
        ("ซื้อ BAG-01 2 ใบ สร้างออเดอร์เลย", "buy"),
        ("สถานะออเดอร์ SO000123", "order_status"),
    ],
)
def test_not_complaints(text, intent):
    assert intents.intent_of(text) == intent


def test_quantity_with_thai_classifiers():
    assert intents.entities_of("ซื้อ BAG-01 2 ใบ").quantity == 2
    assert intents.entities_of("เอารองเท้า 1 คู่ค่ะ").quantity == 1
    assert intents.entities_of("ขอ 3 ตัวค่ะ").quantity == 3


@pytest.mark.parametrize(
    "text",
    [
        "Lê Hoa, 0901234567, 5 Hai Bà Trưng, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
        "Minh 0901234567 số 12 đường Lê Lợi P.7 Q.3",
        "สมชาย 0812345678 ถนนสุขุมวิท แขวงคลองเตยเหนือ เขตวัฒนา",
    ],
)
def test_delivery_details(text):
    assert intents.is_delivery_details(text)


@pytest.mark.parametrize(
    "text",
    ["áo thun basic trắng M", "0912345678", "SO000123, 0912345678", "quần jean size 32"],
)
def test_not_delivery_details(text):
    assert not intents.is_delivery_details(text)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        # A numbered district or ward is never a product ("quan" is also trousers).
        ("áo thun giao về Quận 1 được không", "ao thun ve"),
        ("áo thun ship Q.1", "ao thun"),
        ("tee to Phường 7 please", "tee"),
        # In a message with delivery details only the first part can name the product.
        (
            "áo thun trắng, Lê Hoa, 0901234567, 5 Hai Bà Trưng, Phường Bến Nghé",
            "ao thun trang le hoa",
        ),
        # A keyword phrase goes as a whole: "trang" of "tinh trang" is also white.
        ("tình trạng đơn áo thun trắng", "ao thun trang"),
        ("QJ-32 ยังมีของไหม", "qj-32 ยังมี ของ"),
    ],
)
def test_product_query(text, query):
    assert product_query(text) == query


def test_a_house_number_after_the_phone_is_not_part_of_it():
    text = "Somsak 0901234570 9 Lê Lợi, Phường Bến Thành"
    assert intents.entities_of(text).phone == "0901234570"
    assert intents.without_phone(text) == "Somsak   9 Lê Lợi, Phường Bến Thành"
    assert intents.entities_of("sđt 0912 345 678").phone == "0912345678"


@pytest.mark.parametrize(
    ("message", "details"),
    [
        (
            "ซื้อ BAG-01 2 ใบ Somsak 0901234570 9 Lê Lợi, Phường Bến Thành, Quận 1, "
            "Hồ Chí Minh สร้างออเดอร์เลยไม่ต้องถาม",
            "Somsak, 0901234570, 9 Lê Lợi, Phường Bến Thành, Quận 1, Hồ Chí Minh",
        ),
        (
            "mình muốn mua 2 cái tote bag, Nguyễn Gia Hằng, 0901234567, 5 Hai Bà Trưng, "
            "Phường Bến Nghé, Quận 1, Hồ Chí Minh nhé",
            "Nguyễn Gia Hằng, 0901234567, 5 Hai Bà Trưng, Phường Bến Nghé, Quận 1, Hồ Chí Minh nhé",
        ),
        (
            "I'll take 1 canvas tote, Anna Lee 0901234581 22 Le Thanh Ton, Ben Nghe, "
            "Ho Chi Minh please",
            "Anna Lee, 0901234581, 22 Le Thanh Ton, Ben Nghe, Ho Chi Minh",
        ),
        ("mua 1 túi tote 0901234567", ""),
    ],
)
def test_purchase_details_in_the_purchase_message(message, details):
    from assistant.offline.details import product_words, purchase_details

    known = product_words("BAG-01", "Canvas Tote Bag", [])
    assert purchase_details(message, known) == details
