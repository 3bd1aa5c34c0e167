"""In Chromium: the chat widget pasted on a shop's own site (another origin) talks to our
endpoint through CORS, keeps the visitor's token, shows the assistant's answer and, polling,
a staff reply (screenshot in test-artifacts/)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from assistant.channels.inbox import conversation_staff_reply
from assistant.channels.models import ChatAccount, Platform
from assistant.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop_site(live_server):
    """The shop's own website on another origin, with the widget's script tag pasted."""
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Shop</title></head>'
        "<body><h1>Áo thun</h1>"
        f'<script src="{live_server.url}/static/assistant/widget.js" data-key="w-e2e" defer>'
        "</script></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            return

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    ChatAccount.objects.create(
        platform=Platform.WEB, name="Website", external_id="w-e2e", allowed_origins=origin
    )
    yield origin
    server.shutdown()
    server.server_close()


def test_the_widget_on_the_shops_site_answers_and_shows_staff_replies(
    page, shop_site, make_user, artifacts
):
    page.goto(shop_site + "/")
    page.get_by_role("button", name="Nhắn tin cho shop").click()
    dialog = page.get_by_role("dialog", name="Trò chuyện")
    dialog.get_by_role("textbox").fill("xin chào shop")
    dialog.get_by_role("button", name="Gửi").click()
    bubbles = dialog.locator("div > div")
    page.wait_for_function(
        "document.querySelectorAll('[role=dialog] > div:first-child > div').length >= 2"
    )
    conversation = Conversation.objects.get(channel="web")
    inbound, answer = conversation.messages.order_by("id")
    assert inbound.text == "xin chào shop"
    texts = bubbles.all_inner_texts()
    assert texts[:2] == ["xin chào shop", answer.text]
    assert page.evaluate("Object.keys(localStorage)") == ["shopChat:w-e2e"]

    staff = make_user("sales")
    conversation_staff_reply(
        conversation_id=conversation.pk,
        user_id=staff.pk,
        text="Dạ em chào chị ạ",
        now=timezone.now(),
    )
    page.wait_for_function(
        "[...document.querySelectorAll('[role=dialog] > div:first-child > div')]"
        ".some(d => d.textContent === 'Dạ em chào chị ạ')",
        timeout=15000,
    )
    page.screenshot(path=str(artifacts / "assistant-widget-vi.png"))
