"""In Chromium, in Vietnamese and Thai: a conversation whose reply Messenger refused (outside
its 24-hour window) is flagged in the chat inbox with the reason, and its page offers to send
it again or to record another way of answering; sending again once the customer wrote again
clears the flag."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assistant.channels.models import ChatAccount, Delivery, DeliveryStatus, Platform
from assistant.channels.services import delivery_send
from assistant.models import Conversation, Message
from assistant.sandbox.chat import ChatSandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "EAAG-e2e-page-token"


@pytest.fixture
def sandbox():
    chat = ChatSandbox(messenger_tokens={TOKEN}, users={"psid-e2e"}).start()
    yield chat
    chat.stop()


def refused_reply(sandbox: ChatSandbox) -> Conversation:
    account = ChatAccount.objects.create(
        platform=Platform.MESSENGER,
        name="Trang shop",
        external_id="1048576",
        secret="s",
        access_token=TOKEN,
        api_base_url=sandbox.url + "/v21.0",
    )
    now = timezone.now()
    conversation = Conversation.objects.create(
        channel="messenger",
        external_user_id="psid-e2e",
        display_name="Nguyễn Thị Hoa",
        last_activity_at=now,
    )
    Message.objects.create(
        conversation=conversation,
        direction="in",
        author="customer",
        text="Áo sơ mi trắng còn size M không shop?",
        created_at=now,
    )
    answer = Message.objects.create(
        conversation=conversation,
        direction="out",
        author="bot",
        text="Dạ áo sơ mi trắng size M còn 4 cái, giá 350.000 ₫ ạ.",
        created_at=now,
    )
    sandbox.user_wrote("psid-e2e", at=time.time() - 25 * 3600)
    delivery = Delivery.objects.create(
        account=account,
        conversation=conversation,
        message=answer,
        recipient="psid-e2e",
        text=answer.text,
        created_at=now,
    )
    delivery_send(delivery_id=delivery.pk)
    return conversation


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("th-TH", "th")])
def test_an_undelivered_reply_is_flagged_and_sent_again(
    live_server, signed_in, make_user, artifacts, encryption_keys, sandbox, locale, lang
):
    conversation = refused_reply(sandbox)
    make_user("sales", username="lan", first_name="Lan")
    page = signed_in("lan", next_url="/assistant/inbox/", locale=locale)
    flag = page.locator(f'[data-testid="undelivered-{conversation.pk}"]')
    expect(flag).to_be_visible()
    expect(page.locator('[data-testid="undelivered-total"]')).to_be_visible()
    page.screenshot(path=str(artifacts / f"chat_inbox_undelivered_{lang}.png"), full_page=True)

    page.click(f"#conversation-{conversation.pk} a")
    alert = page.locator('[data-testid="undelivered-alert"]')
    expect(alert).to_be_visible()
    page.screenshot(
        path=str(artifacts / f"chat_conversation_undelivered_{lang}.png"), full_page=True
    )

    sandbox.user_wrote("psid-e2e")  # the customer wrote again: the window is open
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        page.click('[data-testid="undelivered-retry"]')
        expect(alert).to_have_count(0)
    finally:
        app.conf.task_always_eager = False
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert [s.recipient for s in sandbox.sent] == ["psid-e2e"]
