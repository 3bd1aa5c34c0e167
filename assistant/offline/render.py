"""The assistant's answers from templates in the customer's language (vi, th, en), filled only
with what the tools returned: render_results is also the guardrails' templated answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import date_format

from assistant.engine import ToolResult
from common.money import format_money
from orders.models import OrderStatus

# How a date is written to customers, per language (Django date format characters).
CUSTOMER_DATE_FORMATS = {"vi": "d/m/Y", "th": "j F Y", "en": "j F Y"}

T: dict[str, dict[str, str]] = {
    "greeting": {
        "vi": "Xin chào! Mình là trợ lý của shop. Bạn cần tìm sản phẩm, hỏi giá, tồn kho, "
        "phí ship hay kiểm tra đơn hàng ạ?",
        "th": "สวัสดีค่ะ ฉันเป็นผู้ช่วยของร้าน ต้องการค้นหาสินค้า ถามราคา สต็อก ค่าส่ง หรือตรวจสอบคำสั่งซื้อคะ",
        "en": "Hello! I'm the shop's assistant. I can find products, tell you prices, stock "
        "and shipping fees, or check an order.",
    },
    "item": {
        "vi": "- {name} (SKU {sku}): {price}, còn {available} sản phẩm",
        "th": "- {name} (SKU {sku}): {price} เหลือ {available} ชิ้น",
        "en": "- {name} (SKU {sku}): {price}, {available} in stock",
    },
    "item_out": {
        "vi": "- {name} (SKU {sku}): {price}, tạm hết hàng",
        "th": "- {name} (SKU {sku}): {price} สินค้าหมดชั่วคราว",
        "en": "- {name} (SKU {sku}): {price}, out of stock",
    },
    "found": {
        "vi": "Shop có các sản phẩm sau:",
        "th": "ร้านมีสินค้าดังนี้:",
        "en": "Here is what we have:",
    },
    "not_found": {
        "vi": "Xin lỗi, mình chưa tìm thấy sản phẩm này. Bạn cho mình tên hoặc mã SKU khác nhé.",
        "th": "ขออภัย ไม่พบสินค้านี้ กรุณาบอกชื่อหรือรหัส SKU อื่นค่ะ",
        "en": "Sorry, I couldn't find that product. Could you give me another name or SKU?",
    },
    "order": {
        "vi": "Đơn {number} (đặt ngày {created}): {status}. Tổng tiền {total}.",
        "th": "คำสั่งซื้อ {number} (สั่งวันที่ {created}): {status} ยอดรวม {total}",
        "en": "Order {number} (placed {created}): {status}. Total {total}.",
    },
    "order_shipped": {
        "vi": "Đã giao cho đơn vị vận chuyển ngày {date}.",
        "th": "ส่งมอบให้ขนส่งเมื่อ {date}",
        "en": "Handed to the carrier on {date}.",
    },
    "order_expected": {
        "vi": "Dự kiến giao ngày {date}.",
        "th": "คาดว่าจะได้รับวันที่ {date}",
        "en": "Expected delivery: {date}.",
    },
    "order_denied": {
        "vi": "Mình không tìm thấy đơn nào khớp với mã đơn và số điện thoại này. Bạn kiểm tra "
        "lại giúp mình số điện thoại đã dùng khi đặt hàng nhé.",
        "th": "ไม่พบคำสั่งซื้อที่ตรงกับหมายเลขคำสั่งซื้อและเบอร์โทรนี้ กรุณาตรวจสอบเบอร์โทรที่ใช้ตอนสั่งซื้ออีกครั้งค่ะ",
        "en": "I couldn't find an order matching that order number and phone number. Please "
        "check the phone number used for the order.",
    },
    "order_ask": {
        "vi": "Bạn cho mình mã đơn hàng và số điện thoại đặt hàng để kiểm tra nhé.",
        "th": "กรุณาแจ้งหมายเลขคำสั่งซื้อและเบอร์โทรที่ใช้สั่งซื้อค่ะ",
        "en": "Please send me the order number and the phone number on the order.",
    },
    "shipping_flat": {
        "vi": "Phí giao hàng theo biểu phí của shop: {fee}.",
        "th": "ค่าจัดส่งตามอัตราของร้าน: {fee}",
        "en": "Shipping by the shop's standard rate: {fee}.",
    },
    "shipping_carrier": {
        "vi": "Phí giao hàng báo giá từ {carrier}: {fee}.",
        "th": "ค่าจัดส่งจาก {carrier}: {fee}",
        "en": "Shipping quoted by {carrier}: {fee}.",
    },
    "read_back": {
        "vi": "Mình xác nhận lại đơn hàng:\n{lines}\nPhí giao hàng: {fee}\nTổng cộng: {total} "
        "(thanh toán khi nhận hàng)\nNgười nhận: {name}, {phone}\nĐịa chỉ: {address}\n"
        'Bạn trả lời "đồng ý" để mình tạo đơn nhé.',
        "th": "ขอทวนคำสั่งซื้อค่ะ:\n{lines}\nค่าจัดส่ง: {fee}\nรวมทั้งหมด: {total} "
        "(เก็บเงินปลายทาง)\nผู้รับ: {name}, {phone}\nที่อยู่: {address}\n"
        'ตอบ "ยืนยัน" เพื่อสร้างคำสั่งซื้อค่ะ',
        "en": "Let me read your order back:\n{lines}\nShipping: {fee}\nTotal: {total} "
        "(cash on delivery)\nRecipient: {name}, {phone}\nAddress: {address}\n"
        'Reply "yes" to place the order.',
    },
    "line": {
        "vi": "- {name} (SKU {sku}): {quantity} x {unit_price} = {line_total}",
        "th": "- {name} (SKU {sku}): {quantity} x {unit_price} = {line_total}",
        "en": "- {name} (SKU {sku}): {quantity} x {unit_price} = {line_total}",
    },
    "created": {
        "vi": "Đã tạo đơn {number}, tổng {total}. Nhân viên shop sẽ xác nhận và giao hàng. "
        "Cảm ơn bạn!",
        "th": "สร้างคำสั่งซื้อ {number} แล้ว ยอดรวม {total} พนักงานจะยืนยันและจัดส่งให้ค่ะ ขอบคุณค่ะ",
        "en": "Order {number} is placed, total {total}. The shop's staff will confirm and ship "
        "it. Thank you!",
    },
    "call_back": {
        "vi": "Mình đã chuyển yêu cầu, nhân viên shop sẽ gọi lại cho bạn sớm nhất.",
        "th": "ส่งคำขอแล้ว พนักงานของร้านจะโทรกลับโดยเร็วที่สุดค่ะ",
        "en": "Done: someone from the shop will call you back as soon as possible.",
    },
    "hand_over": {
        "vi": "Mình sẽ chuyển cuộc trò chuyện cho nhân viên shop, bạn chờ một chút nhé.",
        "th": "ฉันจะส่งต่อให้พนักงานของร้าน กรุณารอสักครู่ค่ะ",
        "en": "I'm passing this conversation to a person from the shop; please wait a moment.",
    },
    "complaint": {
        "vi": "Mình rất tiếc về sự cố này. Mình chuyển ngay cho nhân viên shop để xử lý cho bạn, "
        "bạn chờ một chút nhé.",
        "th": "ขออภัยในความไม่สะดวกค่ะ ฉันจะส่งเรื่องให้พนักงานของร้านดูแลทันที กรุณารอสักครู่ค่ะ",
        "en": "I'm sorry about this. I'm passing it to a person from the shop right away; "
        "please wait a moment.",
    },
    "choose_first": {
        "vi": "Mình đã ghi lại thông tin giao hàng. Bạn chọn giúp mình phân loại trước nhé:",
        "th": "บันทึกข้อมูลจัดส่งแล้วค่ะ กรุณาเลือกตัวเลือกสินค้าก่อนค่ะ:",
        "en": "I've noted your delivery details. Which option would you like first?",
    },
    "cancelled": {
        "vi": "Mình đã hủy đơn đang soạn. Bạn cần gì thêm cứ nhắn mình nhé.",
        "th": "ยกเลิกคำสั่งซื้อที่กำลังทำแล้วค่ะ ต้องการอะไรเพิ่มเติมบอกได้เลยค่ะ",
        "en": "I've dropped that order. Tell me if you need anything else.",
    },
    "ask_details": {
        "vi": "Bạn gửi giúp mình: họ tên, số điện thoại, địa chỉ (số nhà và đường, phường/xã, "
        "tỉnh/thành), cách nhau bằng dấu phẩy. Ví dụ: Nguyễn Văn An, số điện thoại, số nhà "
        "và tên đường, Phường Bến Nghé, TP. Hồ Chí Minh",
        "th": "กรุณาส่ง: ชื่อ, เบอร์โทร, ที่อยู่ (บ้านเลขที่และถนน, ตำบล/แขวง, อำเภอ/เขต, "
        "จังหวัด, รหัสไปรษณีย์) คั่นด้วยเครื่องหมายจุลภาค เช่น สมชาย ใจดี, เบอร์โทร, "
        "บ้านเลขที่และถนน, คลองเตยเหนือ, วัฒนา, กรุงเทพมหานคร, รหัสไปรษณีย์",
        "en": "Please send your name, phone number and address (street, ward, province), "
        "separated by commas.",
    },
    "bad_details": {
        "vi": "Mình chưa đọc được thông tin giao hàng: {why}",
        "th": "ยังอ่านข้อมูลจัดส่งไม่ได้: {why}",
        "en": "I couldn't read the delivery details: {why}",
    },
    "choose": {
        "vi": "Bạn chọn giúp mình phân loại (màu, size...) nhé:",
        "th": "กรุณาเลือกตัวเลือก (สี ขนาด...) ค่ะ:",
        "en": "Which option would you like (colour, size...)?",
    },
    "not_enough": {
        "vi": "Xin lỗi, sản phẩm này không đủ số lượng bạn cần:",
        "th": "ขออภัย สินค้านี้มีไม่พอตามจำนวนที่ต้องการค่ะ:",
        "en": "Sorry, we don't have that many:",
    },
    "call_back_ask": {
        "vi": "Bạn cho mình xin số điện thoại để nhân viên gọi lại nhé.",
        "th": "กรุณาแจ้งเบอร์โทรเพื่อให้พนักงานโทรกลับค่ะ",
        "en": "Please give me your phone number so that someone can call you back.",
    },
    "no_discount": {
        "vi": "Xin lỗi, mình không thể thay đổi giá. Giá mình báo là giá bán hiện tại của shop.",
        "th": "ขออภัย ฉันไม่สามารถเปลี่ยนราคาได้ ราคาที่แจ้งคือราคาขายปัจจุบันของร้านค่ะ",
        "en": "Sorry, I can't change prices: the prices I quote are the shop's current prices.",
    },
    "off_topic": {
        "vi": "Xin lỗi, mình chưa hiểu ý bạn. Mình có thể tìm sản phẩm, báo giá, tồn kho, phí "
        "ship hoặc kiểm tra đơn hàng.",
        "th": "ขออภัย ยังไม่เข้าใจค่ะ ฉันช่วยค้นหาสินค้า แจ้งราคา สต็อก ค่าส่ง หรือตรวจสอบคำสั่งซื้อได้ค่ะ",
        "en": "Sorry, I didn't get that. I can find products, tell you prices, stock and "
        "shipping fees, or check an order.",
    },
    "welcome": {
        "vi": "Không có gì ạ! Bạn cần gì cứ nhắn mình nhé.",
        "th": "ยินดีค่ะ ต้องการอะไรเพิ่มเติมบอกได้เลยค่ะ",
        "en": "You're welcome! Message me any time.",
    },
    "changed": {
        "vi": "Giá hoặc tồn kho vừa thay đổi, mình gửi lại thông tin đơn mới nhất:",
        "th": "ราคาหรือสต็อกเพิ่งเปลี่ยน ขอทวนคำสั่งซื้อใหม่ค่ะ:",
        "en": "A price or the stock just changed; here is the order again:",
    },
}


def text(key: str, language: str, **values: Any) -> str:
    table = T[key]
    return table.get(language, table["en"]).format(**values)


def hand_over_text(language: str) -> str:
    return text("hand_over", language)


def money(amount: str | Decimal, currency: str, language: str) -> str:
    return format_money(Decimal(amount), currency, language)


def item_line(item: dict[str, Any], language: str) -> str:
    key = "item" if int(item["available"]) > 0 else "item_out"
    return text(
        key,
        language,
        name=item["name"],
        sku=item["sku"],
        price=money(item["price"], item["currency"], language),
        available=item["available"],
    )


def status_label(code: str, language: str) -> str:
    with translation.override(language):
        labels = dict(OrderStatus.choices)
        return str(labels.get(code, code))


def address_text(address: dict[str, Any]) -> str:
    parts = (address.get(k, "") for k in ("street", "ward", "district", "province", "postcode"))
    return ", ".join(p for p in parts if p)


def render_one(result: ToolResult, language: str) -> str:
    """One tool result in words ("" for a refused call)."""
    data = result.data
    if not result.ok:
        return text("order_denied", language) if result.name == "order_status" else ""
    if result.name == "search_products":
        if not data["items"]:
            return text("not_found", language)
        lines = [item_line(item, language) for item in data["items"]]
        return "\n".join([text("found", language), *lines])
    if result.name == "variant_price_stock":
        return item_line(data, language)
    if result.name == "order_status":
        return order_text(data, language)
    if result.name == "shipping_fee_estimate":
        fee = money(data["fee"], data["currency"], language)
        if data["source"] == "carrier":
            return text("shipping_carrier", language, carrier=data["carrier"], fee=fee)
        return text("shipping_flat", language, fee=fee)
    if result.name == "prepare_draft_order":
        return read_back_text(data, language)
    if result.name == "create_draft_order":
        total = money(data["total"], data["currency"], language)
        return text("created", language, number=data["order_number"], total=total)
    if result.name == "request_call_back":
        return text("call_back", language)
    return ""


def customer_date(iso_date: str, language: str) -> str:
    """A date ("2026-12-05") as customers write it: vi 05/12/2026, th 5 ธันวาคม 2026 and en
    5 December 2026 (month names from Django's translations)."""
    day = date.fromisoformat(iso_date)
    with translation.override(language):
        return date_format(day, CUSTOMER_DATE_FORMATS.get(language, "j F Y"))


def order_text(data: dict[str, Any], language: str) -> str:
    """An order's number, date, status and total; when it was shipped and when the carrier
    expects to deliver it, if known."""
    parts = [
        text(
            "order",
            language,
            number=data["order_number"],
            created=customer_date(data["created"], language),
            status=status_label(data["status"], language),
            total=money(data["total"], data["currency"], language),
        )
    ]
    if data.get("shipped"):
        parts.append(text("order_shipped", language, date=customer_date(data["shipped"], language)))
    if data.get("expected_delivery"):
        expected = customer_date(data["expected_delivery"], language)
        parts.append(text("order_expected", language, date=expected))
    return " ".join(parts)


def read_back_text(data: dict[str, Any], language: str) -> str:
    currency = data["currency"]
    lines = "\n".join(
        text(
            "line",
            language,
            quantity=line["quantity"],
            name=line["name"],
            sku=line["sku"],
            unit_price=money(line["unit_price"], currency, language),
            line_total=money(line["line_total"], currency, language),
        )
        for line in data["lines"]
    )
    return text(
        "read_back",
        language,
        lines=lines,
        fee=money(data["shipping_fee"], currency, language),
        total=money(data["total"], currency, language),
        name=data["name"],
        phone=data["phone"],
        address=address_text(data["address"]),
    )


def render_results(results: Iterable[ToolResult], language: str) -> str:
    """Every result in words, in order, once each (the guardrails' templated answer)."""
    parts: list[str] = []
    for result in results:
        part = render_one(result, language)
        if part and part not in parts:
            parts.append(part)
    return "\n".join(parts)
