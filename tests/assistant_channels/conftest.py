"""Accounts of each chat platform pointed at one running chat sandbox (assistant.sandbox.chat),
and a helper that POSTs a signed webhook to the live server over real HTTP."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from assistant.channels.models import ChatAccount, InboundEvent, Platform
from assistant.models import Conversation, Message
from assistant.sandbox.chat import ChatSandbox

PAGE_ID = "104857600000001"
FB_APP_SECRET = "fb-app-secret-7f3a"
FB_PAGE_TOKEN = "EAAG-page-token-1"
FB_VERIFY = "verify-me-42"
ZALO_APP_ID = "4318862045133958123"
ZALO_OA_ID = "579745863508352884"
ZALO_SECRET = "zalo-oa-secret-key-9"
ZALO_TOKEN = "zalo-oa-access-token-1"
LINE_DEST = "U0123456789abcdef0123456789abcdef"
LINE_SECRET = "line-channel-secret-3"
LINE_TOKEN = "line-channel-access-token-1"
WIDGET_KEY = "w-shop-1"
SHOP_ORIGIN = "https://shop.example"


@pytest.fixture
def chat_sandbox():
    sandbox = ChatSandbox(
        messenger_tokens={FB_PAGE_TOKEN},
        zalo_tokens={ZALO_TOKEN},
        line_tokens={LINE_TOKEN},
        users={"psid-1", "zalo-user-1", "Uline0001"},
    ).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def accounts(encryption_keys, chat_sandbox):
    return {
        Platform.MESSENGER: ChatAccount.objects.create(
            platform=Platform.MESSENGER,
            name="Shop page",
            external_id=PAGE_ID,
            secret=FB_APP_SECRET,
            access_token=FB_PAGE_TOKEN,
            verify_token=FB_VERIFY,
            api_base_url=chat_sandbox.url + "/v21.0",
        ),
        Platform.ZALO: ChatAccount.objects.create(
            platform=Platform.ZALO,
            name="Shop OA",
            external_id=ZALO_OA_ID,
            app_id=ZALO_APP_ID,
            secret=ZALO_SECRET,
            access_token=ZALO_TOKEN,
            api_base_url=chat_sandbox.url,
        ),
        Platform.LINE: ChatAccount.objects.create(
            platform=Platform.LINE,
            name="Shop LINE",
            external_id=LINE_DEST,
            secret=LINE_SECRET,
            access_token=LINE_TOKEN,
            api_base_url=chat_sandbox.url,
        ),
        Platform.WEB: ChatAccount.objects.create(
            platform=Platform.WEB,
            name="Website",
            external_id=WIDGET_KEY,
            allowed_origins=SHOP_ORIGIN + "\nhttps://www.shop.example",
        ),
    }


@pytest.fixture
def eager():
    """Celery tasks run in the process that queues them (the live server's thread)."""
    from crm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def post_webhook(live_server):
    def post(platform: str, signed: tuple[bytes, dict[str, str]]) -> requests.Response:
        body, headers = signed
        url = live_server.url + reverse(f"assistant_channels:{platform}_webhook")
        return requests.post(url, data=body, headers=headers, timeout=30)

    return post


@pytest.fixture
def conversation(accounts):
    """A Messenger conversation with one unread customer message (and its webhook event)."""
    now = timezone.now()
    conversation = Conversation.objects.create(
        channel="messenger", external_user_id="psid-1", unread_count=2, last_activity_at=now
    )
    Message.objects.create(
        conversation=conversation,
        direction="in",
        author="customer",
        text="Áo này còn size M không?",
        created_at=now,
    )
    InboundEvent.objects.create(
        account=accounts[Platform.MESSENGER],
        event_id="m_x",
        kind="text",
        user_id="psid-1",
        text="Áo này còn size M không?",
        conversation_id=conversation.pk,
        status="answered",
    )
    return conversation
