"""The built-in responder end to end (conversation_receive, the default engine): conversations
in Vietnamese, Thai and English over the live catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from assistant.models import Conversation, Message
from assistant.offline.language import detect_language
from assistant.services import conversation_receive
from followups.models import ContactRequest
from orders.models import Order
from tests.assistant.conftest import NOW
from tests.orders.factories import make_customer, make_order

pytestmark = pytest.mark.django_db

NB = "\xa0"


@pytest.fixture(autouse=True)
def _flat_shipping(settings):
    settings.ASSISTANT_ENGINE = ""
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    settings.ASSISTANT_FREE_SHIPPING_FROM = None


def say(user: str, text: str, channel: str = "web") -> str | None:
    out = conversation_receive(channel=channel, external_user_id=user, text=text, raw={}, now=NOW)
    return out.text if out is not None else None


def test_language_detection():
    assert detect_language("áo thun còn không") == "vi"
    assert detect_language("ao thun con hang khong shop", default="en") == "vi"
    assert detect_language("เสื้อยืดราคาเท่าไหร่") == "th"
    assert detect_language("how much is the tote bag", default="vi") == "en"


def test_vietnamese_price_question(catalogue):
    assert say("a", "áo thun đỏ size M giá bao nhiêu?") == (
        "Shop có các sản phẩm sau:\n"
        f"- Áo thun Basic (Đỏ / M) (SKU AT-DO-M): 150.000{NB}₫, còn 5 sản phẩm\n"
        f"- Áo thun Basic (Đỏ / L) (SKU AT-DO-L): 150.000{NB}₫, tạm hết hàng\n"
        f"- Áo thun Basic (Trắng / M) (SKU AT-TRANG-M): 160.000{NB}₫, còn 3 sản phẩm"
    )
    message = Message.objects.filter(direction="out").get()
    assert (message.engine, message.guardrail, message.tool_calls) == (
        "offline",
        "",
        [{"name": "search_products", "arguments": {"query": "ao thun do m", "limit": 5}}],
    )


def test_vietnamese_purchase_to_a_draft_order(catalogue):
    assert say("a", "mình muốn mua 2 áo thun đỏ M") == (
        f"- Áo thun Basic (Đỏ / M) (SKU AT-DO-M): 150.000{NB}₫, còn 5 sản phẩm\n"
        "Bạn gửi giúp mình: họ tên, số điện thoại, địa chỉ (số nhà và đường, phường/xã, "
        "tỉnh/thành), cách nhau bằng dấu phẩy. Ví dụ: Nguyễn Văn An, số điện thoại, số nhà "
        "và tên đường, Phường Bến Nghé, TP. Hồ Chí Minh"
    )
    read_back = say("a", "Nguyễn Văn An, 0912345678, 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh")
    assert read_back == (
        "Mình xác nhận lại đơn hàng:\n"
        f"- Áo thun Basic (Đỏ / M) (SKU AT-DO-M): 2 x 150.000{NB}₫ = 300.000{NB}₫\n"
        f"Phí giao hàng: 30.000{NB}₫\n"
        f"Tổng cộng: 330.000{NB}₫ (thanh toán khi nhận hàng)\n"
        "Người nhận: Nguyễn Văn An, 0912 345 678\n"
        "Địa chỉ: 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh\n"
        'Bạn trả lời "đồng ý" để mình tạo đơn nhé.'
    )
    assert Order.objects.count() == 0
    done = say("a", "đồng ý")
    order = Order.objects.get()
    assert done == (
        f"Đã tạo đơn {order.number}, tổng 330.000{NB}₫. Nhân viên shop sẽ xác nhận và giao "
        "hàng. Cảm ơn bạn!"
    )
    assert (order.channel, order.status, order.total) == ("chat", "new", Decimal("330000"))
    conversation = Conversation.objects.get(external_user_id="a")
    assert (conversation.customer_id, conversation.draft) == (order.customer_id, {})


def test_no_means_no_order(catalogue):
    say("n", "mua 1 quần jean slim")
    say("n", "Trần Thị Bình, 0987654321, 5 Hàng Bài, Phường Hoàn Kiếm, Hà Nội")
    assert say("n", "không, thôi") == (
        "Mình đã hủy đơn đang soạn. Bạn cần gì thêm cứ nhắn mình nhé."
    )
    assert say("n", "đồng ý") == (
        "Xin lỗi, mình chưa hiểu ý bạn. Mình có thể tìm sản phẩm, báo giá, tồn kho, phí ship "
        "hoặc kiểm tra đơn hàng."
    )
    assert Order.objects.count() == 0
    assert Conversation.objects.get(external_user_id="n").draft == {}


def _placed(order: Order) -> date:
    """The shop-local day the order was placed (the factory stamps the real clock)."""
    return timezone.localtime(order.created_at).date()


def test_order_status_needs_the_phone_on_the_order(catalogue):
    customer = make_customer(phones=("0912 345 678",))
    order = make_order(customer, catalogue.warehouse, [(catalogue.jeans, 1)])
    assert say("b", f"kiểm tra đơn {order.number}") == (
        "Bạn cho mình mã đơn hàng và số điện thoại đặt hàng để kiểm tra nhé."
    )
    assert say("b", "0912 345 678") == (
        f"Đơn {order.number} (đặt ngày {_placed(order):%d/%m/%Y}): Mới. Tổng tiền 450.000{NB}₫."
    )
    assert say("c", f"don hang {order.number} sdt 0987654321") == (
        "Mình không tìm thấy đơn nào khớp với mã đơn và số điện thoại này. Bạn kiểm tra lại "
        "giúp mình số điện thoại đã dùng khi đặt hàng nhé."
    )
    assert Conversation.objects.get(external_user_id="c").verified_orders == []
    assert Conversation.objects.get(external_user_id="b").verified_orders == [order.number]


def test_discount_refused_and_off_topic_twice_hands_over(catalogue):
    assert say("d", "giảm giá cho mình đi") == (
        "Xin lỗi, mình không thể thay đổi giá. Giá mình báo là giá bán hiện tại của shop."
    )
    off_topic = (
        "Xin lỗi, mình chưa hiểu ý bạn. Mình có thể tìm sản phẩm, báo giá, tồn kho, phí ship "
        "hoặc kiểm tra đơn hàng."
    )
    assert say("d", "thời tiết hôm nay thế nào") == off_topic
    assert say("d", "bạn có người yêu chưa") == (
        f"{off_topic}\nMình sẽ chuyển cuộc trò chuyện cho nhân viên shop, bạn chờ một chút nhé."
    )
    conversation = Conversation.objects.get(external_user_id="d")
    assert (conversation.hand_over_reason, conversation.failed_attempts) == (
        "failed_attempts",
        2,
    )
    assert say("d", "alo?") is None


def test_thai_product_and_shipping(catalogue):
    assert say("e", "เสื้อยืดคอกลม ราคาเท่าไหร่", channel="line") == (
        "ร้านมีสินค้าดังนี้:\n- เสื้อยืดคอกลม (SKU TH-TEE-01): ₫199,000 เหลือ 4 ชิ้น"
    )
    assert say("e", "ค่าส่งเท่าไหร่", channel="line") == "ค่าจัดส่งตามอัตราของร้าน: ₫30,000"
    assert Conversation.objects.get(external_user_id="e").language == "th"


def test_english_product_order_and_call_back(catalogue, make_user):
    owner = make_user("owner")
    customer = make_customer(phones=("0912 345 678",))
    order = make_order(customer, catalogue.warehouse, [(catalogue.jeans, 1)])
    assert say("f", "How much is the canvas tote?") == (
        "Here is what we have:\n- Canvas Tote Bag (SKU BAG-01): ₫120,000, 10 in stock"
    )
    assert say("f", f"where is my order {order.number}? my phone is 0912345678") == (
        f"Order {order.number} (placed {_placed(order).day} {_placed(order):%B %Y}): New. "
        "Total ₫450,000."
    )
    assert say("h", "call me back please") == (
        "Please give me your phone number so that someone can call you back."
    )
    assert say("h", "0912345678") == (
        "Done: someone from the shop will call you back as soon as possible."
    )
    request = ContactRequest.objects.get()
    assert (request.name, request.phone, request.source) == (
        "Chat customer",
        "+84912345678",
        "assistant",
    )
    assert request.followup.assignee_id == owner.pk
    assert Conversation.objects.get(external_user_id="h").customer_id == customer.pk


def test_option_picked_after_a_listing(catalogue):
    say("g", "ao thun")
    assert say("g", "mua 1 cai mau trang").startswith(
        f"- Áo thun Basic (Trắng / M) (SKU AT-TRANG-M): 160.000{NB}₫, còn 3 sản phẩm\n"
    )
    conversation = Conversation.objects.get(external_user_id="g")
    assert conversation.draft == {
        "memory": {"step": "details", "items": [{"sku": "AT-TRANG-M", "quantity": 1}]}
    }


def test_thai_shop_purchase_in_thai(catalogue, settings):
    settings.SHOP_CURRENCY = "THB"
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "50"
    assert say("t", "ขอซื้อ 1 ชิ้น เสื้อยืดคอกลม", channel="line") == (
        "- เสื้อยืดคอกลม (SKU TH-TEE-01): ฿199,000.00 เหลือ 4 ชิ้น\n"
        "กรุณาส่ง: ชื่อ, เบอร์โทร, ที่อยู่ (บ้านเลขที่และถนน, ตำบล/แขวง, อำเภอ/เขต, "
        "จังหวัด, รหัสไปรษณีย์) คั่นด้วยเครื่องหมายจุลภาค เช่น สมชาย ใจดี, เบอร์โทร, "
        "บ้านเลขที่และถนน, คลองเตยเหนือ, วัฒนา, กรุงเทพมหานคร, รหัสไปรษณีย์"
    )
    read_back = say(
        "t",
        "สมชาย ใจดี, 081-234-5678, 99/1 สุขุมวิท ซอย 11, คลองเตยเหนือ, วัฒนา, กรุงเทพมหานคร, 10110",
        channel="line",
    )
    assert read_back == (
        "ขอทวนคำสั่งซื้อค่ะ:\n"
        "- เสื้อยืดคอกลม (SKU TH-TEE-01): 1 x ฿199,000.00 = ฿199,000.00\n"
        "ค่าจัดส่ง: ฿50.00\n"
        "รวมทั้งหมด: ฿199,050.00 (เก็บเงินปลายทาง)\n"
        "ผู้รับ: สมชาย ใจดี, 081 234 5678\n"
        "ที่อยู่: 99/1 สุขุมวิท ซอย 11, คลองเตยเหนือ, วัฒนา, กรุงเทพมหานคร, 10110\n"
        'ตอบ "ยืนยัน" เพื่อสร้างคำสั่งซื้อค่ะ'
    )
    done = say("t", "ยืนยัน", channel="line")
    order = Order.objects.get()
    assert done == (
        f"สร้างคำสั่งซื้อ {order.number} แล้ว ยอดรวม ฿199,050.00 พนักงานจะยืนยันและจัดส่งให้ค่ะ ขอบคุณค่ะ"
    )
    assert (order.currency, order.total, order.ship_postcode, order.ship_phone) == (
        "THB",
        Decimal("199050.00"),
        "10110",
        "+66812345678",
    )
