"""The demo follow-ups (one order in each marker state, a customer to call) and two contact
requests, one of them scheduled."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from common.markers import tomorrow_start
from followups.services import (
    Subject,
    contact_request_create,
    followup_finish,
    followup_log_contact,
    followup_schedule,
)
from orders.models import Customer, Order


def demo_contacts(
    customers: list[Customer], orders: list[Order], *, users: dict[str, int], now: datetime
) -> None:
    """Follow-ups on the demo orders and customers (crm.demo_data.sales) and contact requests."""
    sales = users["sales"]
    today = timezone.localdate()
    morning = timezone.make_aware(datetime.combine(today, time(10, 0)))
    # The four markers: red (due today, overdue), green (later), grey (finished); the rest blue.
    followup_log_contact(
        subject=Subject("order", orders[9].pk), method="phone",
        note="Khách hỏi thêm màu xanh, hẹn gọi lại xác nhận.", next_contact_at=morning,
        user_id=sales, now=now - timedelta(hours=20),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("order", orders[7].pk),
        next_contact_at=morning - timedelta(days=1),
        user_id=sales,
        note="Xác nhận địa chỉ giao hàng.",
        now=now - timedelta(days=2),
    )
    followup_log_contact(
        subject=Subject("order", orders[4].pk), method="zalo",
        note="Đã gửi mã vận đơn qua Zalo; hỏi lại khi khách nhận hàng.",
        next_contact_at=tomorrow_start(today) + timedelta(days=2, hours=9),
        user_id=sales, now=now - timedelta(days=1),
    )  # fmt: skip
    done = followup_schedule(
        subject=Subject("order", orders[0].pk),
        next_contact_at=morning - timedelta(days=5),
        user_id=sales,
        now=now - timedelta(days=8),
    )
    followup_finish(
        followup_id=done.pk, outcome="sold", note="Khách mua thêm 1 áo.", user_id=sales,
        now=now - timedelta(days=5),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("customer", customers[6].pk),
        next_contact_at=tomorrow_start(today) + timedelta(hours=14),
        user_id=sales,
        note="Gọi giới thiệu bộ sưu tập mới.",
        now=now,
    )
    contact_request_create(
        name="Chị Ngọc", phone="0909 777 888", source="staff", user_id=sales,
        message="Hỏi giá sỉ chảo chống dính, muốn lấy 20 cái.", now=now - timedelta(hours=3),
    )  # fmt: skip
    request, _created = contact_request_create(
        name="Anh Khoa", phone="0912 000 333", source="staff", user_id=sales,
        message="Nhờ tư vấn size quần jean.", now=now - timedelta(days=1),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=morning + timedelta(hours=6),
        user_id=sales,
        now=now - timedelta(hours=20),
    )
