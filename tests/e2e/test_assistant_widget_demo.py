"""In Chromium: the widget's demo page served by the CRM itself (DEBUG): the visitor chats,
the assistant answers, and a staff reply arrives through the widget's same-origin polling (a
GET without an Origin header). Screenshots in test-artifacts/ (vi and th)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assistant.channels.inbox import conversation_staff_reply
from assistant.channels.models import ChatAccount, Platform
from assistant.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_page(settings, live_server) -> str:
    settings.DEBUG = True
    ChatAccount.objects.create(
        platform=Platform.WEB,
        name="Demo storefront",
        external_id="demo-storefront",
        allowed_origins=live_server.url,
    )
    return f"{live_server.url}/assistant/widget/demo/"


def test_a_visitor_chats_on_the_demo_page_and_sees_a_staff_reply(
    page, demo_page, make_user, artifacts
):
    page.goto(demo_page)
    page.get_by_role("button", name="Nhắn tin cho shop").click()
    dialog = page.get_by_role("dialog", name="Trò chuyện")
    dialog.get_by_role("textbox").fill("xin chào shop")
    dialog.get_by_role("button", name="Gửi").click()
    dialog.locator("div > div").nth(1).wait_for()
    conversation = Conversation.objects.get(channel="web")
    inbound, answer = conversation.messages.order_by("id")
    assert inbound.text == "xin chào shop"
    assert dialog.locator("div > div").all_inner_texts()[:2] == ["xin chào shop", answer.text]

    conversation_staff_reply(
        conversation_id=conversation.pk,
        user_id=make_user("sales").pk,
        text="Dạ em chào chị ạ",
        now=timezone.now(),
    )
    # Polled: the page's GET carries no Origin header (same origin).
    dialog.get_by_text("Dạ em chào chị ạ", exact=True).wait_for(timeout=15000)
    page.screenshot(path=str(artifacts / "assistant-widget-demo-vi.png"))


def test_the_demo_page_in_thai(browser, demo_page, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
    page = context.new_page()
    try:
        page.goto(demo_page)
        assert page.locator("html").get_attribute("lang") == "th"
        page.get_by_role("button", name="แชทกับร้าน").click()
        dialog = page.get_by_role("dialog", name="แชท")
        dialog.get_by_role("textbox").fill("สวัสดีค่ะ")
        dialog.get_by_role("button", name="ส่ง").click()
        dialog.locator("div > div").nth(1).wait_for()
        answer = Conversation.objects.get(channel="web").messages.order_by("id").last()
        assert answer is not None
        assert answer.text.startswith("สวัสดีค่ะ")
        page.screenshot(path=str(artifacts / "assistant-widget-demo-th.png"))
    finally:
        context.close()
