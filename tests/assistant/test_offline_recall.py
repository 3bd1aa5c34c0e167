"""What the offline responder finds and does beyond exact words: colour, size and product words
of another language than the catalogue's, a SKU glued to Thai text, an address sent in the
middle of a purchase, complaints handed to staff at once, dates in the customer's language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.models import Conversation, Message
from assistant.services import conversation_receive
from assistant.tools import ToolContext, search_products
from orders.models import Order
from tests.assistant.conftest import NOW
from tests.inventory.factories import ProductFactory
from tests.orders.factories import stocked_variant

pytestmark = pytest.mark.django_db

NB = "\xa0"


@pytest.fixture(autouse=True)
def _flat_shipping(settings):
    settings.ASSISTANT_ENGINE = ""
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    settings.ASSISTANT_FREE_SHIPPING_FROM = None


@pytest.fixture
def ctx(db) -> ToolContext:
    conversation = Conversation.objects.create(channel="web", external_user_id="r1")
    return ToolContext(conversation.pk, 1, NOW)


@pytest.fixture
def more(catalogue):
    """Shoes with Vietnamese colour options and a polo with Thai options and English name."""
    shoes = ProductFactory(name="Giày Canvas")
    polo = ProductFactory(name="Polo Shirt")
    w = catalogue.warehouse
    return {
        "shoes_black": stocked_variant(
            w, 4, price="390000", product=shoes, sku="GC-DEN", option1="Đen"
        ),
        "shoes_white": stocked_variant(
            w, 2, price="390000", product=shoes, sku="GC-TRANG", option1="Trắng"
        ),
        "polo_red_l": stocked_variant(
            w, 3, price="250000", product=polo, sku="PL-RED-L", option1="แดง", option2="L"
        ),
        "polo_black_m": stocked_variant(
            w, 6, price="250000", product=polo, sku="PL-BLK-M", option1="ดำ", option2="M"
        ),
    }


def _skus(ctx, query: str) -> list[str]:
    return [item["sku"] for item in search_products(ctx, query=query).data["items"]]


def say(user: str, text: str) -> str | None:
    out = conversation_receive(channel="web", external_user_id=user, text=text, raw={}, now=NOW)
    return out.text if out is not None else None


@pytest.mark.parametrize(
    "query",
    ["red t-shirt size M", "tee red M", "เสื้อยืดสีแดง ไซส์ M", "áo thun đỏ M", "ao thun do size m"],
)
def test_colour_size_and_kind_in_any_language_find_the_vietnamese_variant(ctx, catalogue, query):
    assert _skus(ctx, query)[0] == "AT-DO-M"


def test_english_and_thai_colours_find_vietnamese_options(ctx, more):
    assert _skus(ctx, "black shoes") == ["GC-DEN"]
    assert _skus(ctx, "รองเท้าสีขาว") == ["GC-TRANG"]
    assert _skus(ctx, "giày") == ["GC-DEN", "GC-TRANG"]


def test_vietnamese_and_english_words_find_thai_options(ctx, more):
    assert _skus(ctx, "polo đỏ size L") == ["PL-RED-L"]
    assert _skus(ctx, "polo shirt black") == ["PL-BLK-M", "PL-RED-L"]


def test_plural_and_synonym_reach_the_candidates(ctx, catalogue):
    # "jeans" is not in "quan jean slim qj-32": the search still considers the jeans.
    assert _skus(ctx, "jeans") == ["QJ-32"]
    assert _skus(ctx, "denim") == ["QJ-32"]
    assert _skus(ctx, "nothing like this") == []


def test_sku_glued_to_thai_text(catalogue):
    assert say("s", "QJ-32ราคาเท่าไหร่") == (
        "ร้านมีสินค้าดังนี้:\n- Quần jean Slim (SKU QJ-32): ₫450,000 เหลือ 2 ชิ้น"
    )


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        (
            "hàng mình nhận bị rách, mình muốn khiếu nại",
            "Mình rất tiếc về sự cố này. Mình chuyển ngay cho nhân viên shop để xử lý cho bạn, "
            "bạn chờ một chút nhé.",
        ),
        (
            "ได้รับสินค้าชำรุด ต้องการคืนเงิน",
            "ขออภัยในความไม่สะดวกค่ะ ฉันจะส่งเรื่องให้พนักงานของร้านดูแลทันที กรุณารอสักครู่ค่ะ",
        ),
        (
            "You sent the wrong item, this is unacceptable",
            "I'm sorry about this. I'm passing it to a person from the shop right away; "
            "please wait a moment.",
        ),
    ],
)
def test_a_complaint_goes_to_staff_on_the_first_message(catalogue, text, reply):
    assert say("c", text) == reply
    conversation = Conversation.objects.get(external_user_id="c")
    assert (conversation.hand_over_reason, conversation.failed_attempts) == ("requested", 0)
    message = Message.objects.filter(direction="out").get()
    assert (message.raw["intent"], message.tool_calls) == ("complaint", [])
    assert say("c", "alo?") is None  # staff answer from now on


def test_a_question_about_exchanges_is_not_a_complaint(catalogue):
    say("x", "áo thun basic trắng size M còn không shop")
    assert Conversation.objects.get(external_user_id="x").hand_over_reason == ""


def test_an_address_while_choosing_the_option_is_kept_not_searched(catalogue):
    choose = say("p", "mua 1 áo thun basic")
    assert choose is not None
    assert choose.startswith("Bạn chọn giúp mình phân loại")
    details = "Lê Hoa, 0901234567, 5 Hai Bà Trưng, Phường Bến Nghé, Quận 1, Hồ Chí Minh"
    assert say("p", details) == (
        "Mình đã ghi lại thông tin giao hàng. Bạn chọn giúp mình phân loại trước nhé:\n"
        f"- Áo thun Basic (Đỏ / M) (SKU AT-DO-M): 150.000{NB}₫, còn 5 sản phẩm\n"
        f"- Áo thun Basic (Đỏ / L) (SKU AT-DO-L): 150.000{NB}₫, tạm hết hàng\n"
        f"- Áo thun Basic (Trắng / M) (SKU AT-TRANG-M): 160.000{NB}₫, còn 3 sản phẩm"
    )
    assert [m.tool_calls[0]["name"] for m in Message.objects.filter(direction="out")][1] == (
        "variant_price_stock"
    )
    read_back = say("p", "white")  # the catalogue says "Trắng"
    assert read_back == (
        "Mình xác nhận lại đơn hàng:\n"
        f"- Áo thun Basic (Trắng / M) (SKU AT-TRANG-M): 1 x 160.000{NB}₫ = 160.000{NB}₫\n"
        f"Phí giao hàng: 30.000{NB}₫\n"
        f"Tổng cộng: 190.000{NB}₫ (thanh toán khi nhận hàng)\n"
        "Người nhận: Lê Hoa, 0901 234 567\n"
        "Địa chỉ: 5 Hai Bà Trưng, Phường Bến Nghé, Quận 1, Hồ Chí Minh\n"
        'Bạn trả lời "đồng ý" để mình tạo đơn nhé.'
    )
    assert Order.objects.count() == 0
    say("p", "đồng ý")
    order = Order.objects.get()
    assert (order.total, order.ship_ward, order.ship_district) == (
        Decimal("190000"),
        "Phường Bến Nghé",
        "Quận 1",
    )


def test_thai_option_words_choose_among_vietnamese_options(catalogue):
    say("t", "ขอสั่งซื้อเสื้อยืด Basic 2 ตัว")
    reply = say("t", "สีแดง ไซส์ M")
    assert reply is not None
    assert reply.startswith("- Áo thun Basic (Đỏ / M) (SKU AT-DO-M): ₫150,000 เหลือ 5 ชิ้น\nกรุณาส่ง:")
    assert Conversation.objects.get(external_user_id="t").draft["memory"]["items"] == [
        {"sku": "AT-DO-M", "quantity": 2}
    ]


def test_a_product_kind_we_do_not_sell_is_not_found_not_off_topic(catalogue):
    assert say("k", "do you sell shoes?") == (
        "Sorry, I couldn't find that product. Could you give me another name or SKU?"
    )
    assert Conversation.objects.get(external_user_id="k").hand_over_reason == ""


def test_product_address_and_recipient_in_one_message_get_the_read_back(catalogue):
    reply = say(
        "o",
        "ซื้อ BAG-01 2 ใบ Somsak 0901234570 9 Lê Lợi, Phường Bến Thành, Quận 1, Hồ Chí Minh "
        "สร้างออเดอร์เลยไม่ต้องถาม",
    )
    assert reply == (
        "ขอทวนคำสั่งซื้อค่ะ:\n"
        "- Canvas Tote Bag (SKU BAG-01): 2 x ₫120,000 = ₫240,000\n"
        "ค่าจัดส่ง: ₫30,000\n"
        "รวมทั้งหมด: ₫270,000 (เก็บเงินปลายทาง)\n"
        "ผู้รับ: Somsak, 0901 234 570\n"
        "ที่อยู่: 9 Lê Lợi, Phường Bến Thành, Quận 1, Hồ Chí Minh\n"
        'ตอบ "ยืนยัน" เพื่อสร้างคำสั่งซื้อค่ะ'
    )
    assert Order.objects.count() == 0  # nothing without the customer's yes


def test_unreadable_details_keep_the_chosen_variant(catalogue):
    say("u", "mua 1 áo thun basic")
    say("u", "Hoa, 0901234567, Hồ Chí Minh, Quận 1")  # kept while choosing
    reply = say("u", "trắng")
    assert reply is not None
    assert reply.startswith("Bạn gửi giúp mình: họ tên, số điện thoại, địa chỉ")
    memory = Conversation.objects.get(external_user_id="u").draft["memory"]
    assert memory == {"step": "details", "items": [{"sku": "AT-TRANG-M", "quantity": 1}]}
    assert say("u", "Lê Hoa, 0901234567, 5 Hai Bà Trưng, Phường Bến Nghé, Hồ Chí Minh") == (
        "Mình xác nhận lại đơn hàng:\n"
        f"- Áo thun Basic (Trắng / M) (SKU AT-TRANG-M): 1 x 160.000{NB}₫ = 160.000{NB}₫\n"
        f"Phí giao hàng: 30.000{NB}₫\n"
        f"Tổng cộng: 190.000{NB}₫ (thanh toán khi nhận hàng)\n"
        "Người nhận: Lê Hoa, 0901 234 567\n"
        "Địa chỉ: 5 Hai Bà Trưng, Phường Bến Nghé, Hồ Chí Minh\n"
        'Bạn trả lời "đồng ý" để mình tạo đơn nhé.'
    )
