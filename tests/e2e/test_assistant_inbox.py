"""In Chromium, in Vietnamese and Thai: the chat inbox with its unread counts and the sidebar
badge, a conversation with its messages, and taking it over (screenshots in test-artifacts/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant.models import Conversation, Message
from tests.orders.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "vi-VN": {"title": "Hộp thư chat", "unread": "5 tin nhắn chưa đọc", "take": "Tiếp nhận"},
    "th-TH": {"title": "กล่องข้อความแชท", "unread": "5 ข้อความที่ยังไม่อ่าน", "take": "รับช่วงต่อ"},
}


def conversations(owner):
    now = timezone.now()
    customer = CustomerFactory(name="Nguyễn Thị Mai")
    mai = Conversation.objects.create(
        channel="zalo",
        external_user_id="zalo-1",
        customer=customer,
        unread_count=3,
        last_activity_at=now,
    )
    texts = [
        ("in", "customer", "Áo thun trắng size M còn không shop?"),
        ("out", "bot", "Dạ áo thun trắng size M còn 12 cái, giá 150.000 ₫ ạ."),
        ("in", "customer", "Cho em gặp nhân viên với"),
    ]
    for offset, (direction, author, text) in enumerate(texts):
        Message.objects.create(
            conversation=mai,
            direction=direction,
            author=author,
            text=text,
            created_at=now - timedelta(minutes=5 - offset),
        )
    Conversation.objects.create(
        channel="line",
        external_user_id="Uline1",
        display_name="Somchai",
        unread_count=2,
        hand_over_reason="requested",
        last_activity_at=now - timedelta(minutes=20),
    )
    Conversation.objects.create(
        channel="messenger",
        external_user_id="psid-9",
        display_name="Trần Văn Bình",
        state="staff",
        owner=owner,
        hand_over_reason="staff",
        last_activity_at=now - timedelta(hours=2),
    )
    return mai


@pytest.mark.parametrize("locale", ["vi-VN", "th-TH"])
def test_inbox_conversation_and_take_over(live_server, signed_in, make_user, artifacts, locale):
    user = make_user("sales", username="lan", first_name="Lan")
    mai = conversations(user)
    words = WORDS[locale]
    page = signed_in("lan", next_url="/assistant/inbox/", locale=locale)
    assert page.locator("h1.page-title").inner_text() == words["title"]
    assert page.locator(f'[data-testid="unread-{mai.pk}"]').inner_text() == "3"
    assert words["unread"] in page.locator('[data-testid="conversation-list"]').inner_text()
    badge = page.locator("a.active .nav-badge")
    badge.wait_for()
    page.wait_for_function("document.querySelector('a.active .nav-badge').innerText === '5'")
    page.screenshot(path=str(artifacts / f"assistant-inbox-{locale[:2]}.png"), full_page=True)

    page.click(f"#conversation-{mai.pk} a")
    thread = page.locator('[data-testid="conversation-thread"]')
    assert "giá 150.000 ₫" in thread.inner_text()
    assert page.locator('[data-testid="take-over"]').inner_text() == words["take"]
    page.click('[data-testid="take-over"]')
    page.locator('[data-testid="hand-back"]').wait_for()
    assert "Lan" in page.locator('[data-testid="conversation-state"]').inner_text()
    page.screenshot(
        path=str(artifacts / f"assistant-conversation-{locale[:2]}.png"), full_page=True
    )
    mai.refresh_from_db()
    assert (mai.state, mai.owner_id, mai.unread_count) == ("staff", user.pk, 0)


@pytest.mark.parametrize(("locale", "title"), [("vi-VN", "Kênh chat"), ("th-TH", "ช่องทางแชท")])
def test_chat_channels_page(
    live_server, signed_in, make_user, artifacts, encryption_keys, locale, title
):
    from assistant.channels.models import ChatAccount

    make_user("manager", username="minh", first_name="Minh")
    ChatAccount.objects.create(platform="messenger", name="Fanpage Áo Đẹp", external_id="1048")
    ChatAccount.objects.create(
        platform="web", name="Website", external_id="w-shop", allowed_origins="https://ao.example"
    )
    page = signed_in("minh", next_url="/assistant/accounts/", locale=locale)
    assert page.locator("h1.page-title").inner_text() == title
    accounts = page.locator("table").filter(has_text="Fanpage Áo Đẹp")
    assert "/assistant/webhooks/messenger/" in accounts.inner_text()
    page.screenshot(path=str(artifacts / f"assistant-accounts-{locale[:2]}.png"), full_page=True)
    page.click("text=Fanpage Áo Đẹp")
    page.locator("#id_secret").wait_for()
    assert page.locator("#id_secret").input_value() == ""
    page.screenshot(
        path=str(artifacts / f"assistant-account-form-{locale[:2]}.png"), full_page=True
    )
