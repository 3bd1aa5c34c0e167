"""The demo's AI sales assistant: chat accounts on the local chat sandbox and a website widget.

`make run` (scripts/run_dev.py) writes `assistant_script()` to a file, starts the chat sandbox
with it (`python -m assistant.sandbox.chat --script ... --message-every 20`), then calls
`assistant_demo_setup` (manage.py demoassistant) once the web server answers:
- a Messenger page, a Zalo Official Account and a LINE channel, their API base URL the sandbox,
  each with its own secret and access token (random, made once and kept);
- our three webhook URLs registered with the sandbox with those credentials (Messenger's
  dashboard checks the URL with its subscription handshake first), so the scripted customers'
  messages arrive signed, the offline engine answers and the answer goes out through the
  sandbox's send API;
- a website chat account for the CRM's own origin, for the widget's demo page
  (/assistant/widget/demo/, DEBUG only).
Running it again updates the same rows and keeps their secrets (the sandbox starts empty each
time, so the webhooks are registered again). Each step reports one line; a failed step reports
why and the others still run.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.urls import reverse

from assistant.channels.models import ChatAccount, Platform
from assistant.channels.services import chat_account_save
from orders.models import Order

PAGE_ID = "108542371904417"
ZALO_OA_ID = "2718336510479263844"
ZALO_APP_ID = "3946120587713409917"
LINE_BOT_ID = "U5d3c1a9e07b24f6c8a1e2d3f4b5c6d7e"
WIDGET_KEY = "demo-storefront"
NAMES: dict[str, str] = {
    Platform.MESSENGER: "Shop CRM Demo (Messenger sandbox)",
    Platform.ZALO: "Shop CRM Demo (Zalo OA sandbox)",
    Platform.LINE: "Shop CRM Demo (LINE sandbox)",
    Platform.WEB: "Demo storefront (website chat)",
}
LABELS: dict[str, str] = {
    Platform.MESSENGER: "Messenger page",
    Platform.ZALO: "Zalo OA",
    Platform.LINE: "LINE channel",
    Platform.WEB: "Website chat",
}
# Customers of the script (ids shaped as each platform's: a PSID, a Zalo user id, a LINE userId).
CUSTOMERS = {
    "hoa": ("messenger", "6723019458812390"),
    "minh": ("zalo", "8406221937705518233"),
    "ploy": ("line", "U9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    "sam": ("messenger", "7390015526643871"),
}
BUYER = "Phạm Thu Trang, 0938 246 810, 45 Nguyễn Trãi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh"


@dataclass
class DemoAssistant:
    accounts: dict[str, ChatAccount] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


Say = Callable[[str], None]


def _local_phone(phone: str) -> str:
    """+84912345678 as a Vietnamese customer types it: 0912 345 678."""
    digits = "0" + phone.removeprefix("+84") if phone.startswith("+84") else phone
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}" if len(digits) == 10 else digits


def _orders_to_ask_about(count: int = 2) -> list[tuple[str, str]]:
    """(order number, the buyer's phone) of the first open demo orders with a phone."""
    found: list[tuple[str, str]] = []
    orders = (
        Order.objects.filter(status__in=("processing", "shipped"))
        .select_related("customer")
        .prefetch_related("customer__phones")
        .order_by("pk")
    )
    for order in orders[:20]:
        phones = list(order.customer.phones.all()) if order.customer else []
        if phones:
            found.append((order.number, _local_phone(phones[0].e164)))
        if len(found) == count:
            break
    return found


def assistant_script() -> list[dict[str, str]]:
    """The demo's customer messages in vi, th and en (product questions, price and stock,
    shipping, order status, a purchase to the end), four conversations taking turns."""
    asked = _orders_to_ask_about() + [("SO000001", "0912 345 678")] * 2
    (vi_order, vi_phone), (en_order, en_phone) = asked[0], asked[1]
    conversations = {
        "hoa": [
            "Chào shop, áo thun cổ tròn cotton còn size M không ạ?",
            "Màu đen, cho mình 2 cái nha shop",
            BUYER,
            "Ok chốt đơn",
        ],
        "minh": [
            "Chảo chống dính 26cm giá bao nhiêu ạ?",
            "Phí ship về Hà Nội bao nhiêu shop?",
            f"Kiểm tra giúp mình đơn {vi_order}, sđt {vi_phone}",
            "Cảm ơn shop nhiều",
        ],
        "ploy": ["สวัสดีค่ะ", "ผ้าขาวม้าทอมือราคาเท่าไหร่คะ", "ค่าส่งเท่าไหร่คะ", "ขอบคุณค่ะ"],
        "sam": [
            "Hi! How much is the slim fit jeans?",
            f"Where is my order {en_order}? My phone is {en_phone}",
            "Thank you!",
        ],
    }
    turns: list[dict[str, str]] = []
    for step in range(max(len(texts) for texts in conversations.values())):
        for who, texts in conversations.items():
            if step < len(texts):
                platform, user = CUSTOMERS[who]
                turns.append({"platform": platform, "user": user, "text": texts[step]})
    return turns


def _account(platform: str, external_id: str, **fields: str) -> tuple[ChatAccount, bool]:
    """The demo account (created with fresh random credentials, or updated keeping its own)."""
    account = ChatAccount.objects.filter(platform=platform, external_id=external_id).first()
    created = account is None
    account = account or ChatAccount(platform=platform, external_id=external_id)
    account.name = NAMES[platform]
    account.active = True
    for name, value in fields.items():
        setattr(account, name, value)
    kept = {} if created else {"secret": account.secret, "access_token": account.access_token}
    credentials = {
        "secret": kept.get("secret") or secrets.token_hex(16),
        "access_token": kept.get("access_token") or secrets.token_urlsafe(32),
    }
    if platform == Platform.MESSENGER:
        credentials["verify_token"] = account.verify_token or secrets.token_urlsafe(16)
    if platform == Platform.WEB:
        credentials = {}
    return chat_account_save(account=account, secrets=credentials), created


def _register(sandbox_url: str, account: ChatAccount, url: str) -> None:
    data = {
        "platform": account.platform,
        "url": url,
        "account_id": account.external_id,
        "secret": account.secret,
        "access_token": account.access_token,
        "app_id": account.app_id,
        "verify_token": account.verify_token,
    }
    answer = requests.post(f"{sandbox_url}/_sandbox/webhook", json=data, timeout=60)
    body = answer.json()
    if not body.get("ok"):
        raise RuntimeError(f"sandbox webhook: {body.get('error')}")


def _platform(platform: str, sandbox_url: str, site_url: str, say: Say) -> ChatAccount:
    where: dict[str, tuple[str, dict[str, str]]] = {
        Platform.MESSENGER: (PAGE_ID, {"api_base_url": f"{sandbox_url}/v21.0"}),
        Platform.ZALO: (ZALO_OA_ID, {"api_base_url": sandbox_url, "app_id": ZALO_APP_ID}),
        Platform.LINE: (LINE_BOT_ID, {"api_base_url": sandbox_url}),
    }
    external_id, extra = where[platform]
    account, created = _account(platform, external_id, **extra)
    label = f"{LABELS[platform]} {account.name}"
    say(f"{label}: {'created' if created else 'updated'} (API {account.api_base_url}).")
    url = site_url + reverse(f"assistant_channels:{platform}_webhook")
    _register(sandbox_url, account, url)
    checked = " (verified with the subscription handshake)" if platform == "messenger" else ""
    say(f"{label}: the sandbox posts its customers' messages to {url}{checked}.")
    return account


def _origins(site_url: str) -> str:
    """The site's origin, and the same port on the other loopback name (127.0.0.1/localhost)."""
    parts = urlsplit(site_url)
    origins = [f"{parts.scheme}://{parts.netloc}"]
    other = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(parts.hostname or "")
    if other:
        origins.append(f"{parts.scheme}://{other}" + (f":{parts.port}" if parts.port else ""))
    return "\n".join(origins)


def _widget(site_url: str, say: Say) -> ChatAccount:
    account, created = _account(Platform.WEB, WIDGET_KEY, allowed_origins=_origins(site_url))
    page = site_url + reverse("assistant_channels:widget_demo")
    say(
        f"{LABELS[Platform.WEB]} {account.name}: {'created' if created else 'updated'} for "
        f"{', '.join(account.origins())}; try it on {page}"
    )
    return account


def assistant_demo_setup(*, sandbox_url: str, site_url: str, say: Say) -> DemoAssistant:
    """Create or update the demo's chat accounts on a running chat sandbox (`sandbox_url`, its
    origin) and register our webhooks there; our site answers at `site_url`. Every step
    reports through `say`; a failed step reports why and is listed in the result's `failed`."""
    result = DemoAssistant()
    sandbox_url = sandbox_url.rstrip("/")
    site_url = site_url.rstrip("/")

    def step(name: str, run: Callable[[], ChatAccount]) -> None:
        try:
            account = run()
        except Exception as error:  # the demo reports any failure and goes on
            result.failed.append(name)
            say(f"{name}: FAILED, {type(error).__name__}: {error}")
            return
        result.accounts[account.platform] = account

    for platform in (Platform.MESSENGER, Platform.ZALO, Platform.LINE):
        step(
            LABELS[platform],
            lambda p=platform: _platform(p, sandbox_url, site_url, say),  # type: ignore[misc]
        )
    step(LABELS[Platform.WEB], lambda: _widget(site_url, say))
    return result


def script_summary(turns: list[dict[str, Any]]) -> str:
    conversations = {(t["platform"], t["user"]) for t in turns}
    return f"{len(turns)} customer messages in {len(conversations)} conversations"
