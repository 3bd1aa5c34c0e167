"""`make run`'s assistant demo: the chat accounts created on the chat sandbox over real HTTP,
idempotent, our webhooks registered there (Messenger's verified by its handshake); the
sandbox's scripted customers reach our webhooks signed, and the assistant's answers go out
through the sandbox's send APIs, which record them.

The sandbox posts to the live server only while the test thread waits for it (a control call
or a script step over HTTP): on SQLite's in-memory test database both threads share one
connection, so the test thread never holds a transaction while the sandbox calls us."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.core.management import call_command

from assistant.channels.models import ChatAccount, EventStatus, InboundEvent
from assistant.models import Author, Conversation, Message
from assistant.sandbox.chat import ChatSandbox
from assistant.sandbox.chat_demo import ScriptRunner
from crm.demo_assistant import (
    LINE_BOT_ID,
    PAGE_ID,
    WIDGET_KEY,
    ZALO_APP_ID,
    ZALO_OA_ID,
    assistant_demo_setup,
)
from orders.models import Order

MESSENGER = "Messenger page Shop CRM Demo (Messenger sandbox)"
ZALO = "Zalo OA Shop CRM Demo (Zalo OA sandbox)"
LINE = "LINE channel Shop CRM Demo (LINE sandbox)"
WEB = "Website chat Demo storefront (website chat)"


@pytest.fixture
def eager():
    """Celery tasks run where they are queued (the live server's thread answers the webhook,
    processes the event and sends the answer before it answers the sandbox)."""
    from crm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def demo_shop(transactional_db) -> None:
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())


@pytest.fixture
def chat_sandbox():
    sandbox = ChatSandbox().start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def setup(demo_shop, encryption_keys, eager, live_server, chat_sandbox):
    said: list[str] = []
    result = assistant_demo_setup(
        sandbox_url=chat_sandbox.url, site_url=live_server.url, say=said.append
    )
    return said, result


def _both_names(site: str) -> list[str]:
    """The live server's origin and the same port on the other loopback name."""
    scheme, host, port = site.replace("//", "").split(":")
    other = "127.0.0.1" if host == "localhost" else "localhost"
    return [site, f"{scheme}://{other}:{port}"]


def _expected(sandbox: str, site: str, verb: str) -> list[str]:
    return [
        f"{MESSENGER}: {verb} (API {sandbox}/v21.0).",
        f"{MESSENGER}: the sandbox posts its customers' messages to "
        f"{site}/assistant/webhooks/messenger/ (verified with the subscription handshake).",
        f"{ZALO}: {verb} (API {sandbox}).",
        f"{ZALO}: the sandbox posts its customers' messages to {site}/assistant/webhooks/zalo/.",
        f"{LINE}: {verb} (API {sandbox}).",
        f"{LINE}: the sandbox posts its customers' messages to {site}/assistant/webhooks/line/.",
        f"{WEB}: {verb} for {', '.join(_both_names(site))}; try it on "
        f"{site}/assistant/widget/demo/",
    ]


def test_the_setup_creates_the_accounts_and_registers_our_webhooks(
    setup, chat_sandbox, live_server
):
    said, result = setup
    assert result.failed == []
    assert said == _expected(chat_sandbox.url, live_server.url, "created")
    accounts = {a.platform: a for a in ChatAccount.objects.all()}
    assert result.accounts == accounts
    assert {p: a.external_id for p, a in accounts.items()} == {
        "messenger": PAGE_ID,
        "zalo": ZALO_OA_ID,
        "line": LINE_BOT_ID,
        "web": WIDGET_KEY,
    }
    assert accounts["zalo"].app_id == ZALO_APP_ID
    assert {p: a.api_base_url for p, a in accounts.items()} == {
        "messenger": f"{chat_sandbox.url}/v21.0",
        "zalo": chat_sandbox.url,
        "line": chat_sandbox.url,
        "web": "",
    }
    for platform in ("messenger", "zalo", "line"):
        account, hook = accounts[platform], chat_sandbox.hooks[platform]
        assert (len(account.secret), len(account.access_token) >= 40) == (32, True)
        assert (hook.url, hook.account_id, hook.secret, hook.access_token, hook.app_id) == (
            f"{live_server.url}/assistant/webhooks/{platform}/",
            account.external_id,
            account.secret,
            account.access_token,
            account.app_id,
        )
    assert chat_sandbox.messenger_tokens == {accounts["messenger"].access_token}
    assert chat_sandbox.zalo_tokens == {accounts["zalo"].access_token}
    assert chat_sandbox.line_tokens == {accounts["line"].access_token}
    assert len({accounts[p].secret for p in ("messenger", "zalo", "line")}) == 3
    assert accounts["web"].origins() == _both_names(live_server.url)
    state = requests.get(f"{chat_sandbox.url}/_sandbox/state", timeout=10).json()
    assert state["webhooks"] == {
        p: f"{live_server.url}/assistant/webhooks/{p}/" for p in ("messenger", "zalo", "line")
    }


def test_running_it_again_updates_the_same_rows_and_keeps_their_secrets(
    setup, live_server, chat_sandbox
):
    _said, first = setup
    before = {a.platform: (a.pk, a.secret, a.access_token) for a in ChatAccount.objects.all()}
    # The sandbox starts empty each time make run starts it.
    fresh = ChatSandbox().start()
    try:
        said: list[str] = []
        again = assistant_demo_setup(
            sandbox_url=fresh.url, site_url=live_server.url, say=said.append
        )
        assert again.failed == []
        assert said == _expected(fresh.url, live_server.url, "updated")
        assert ChatAccount.objects.count() == 4
        after = {a.platform: (a.pk, a.secret, a.access_token) for a in ChatAccount.objects.all()}
        assert after == before
        assert {p: a.pk for p, a in again.accounts.items()} == {
            p: a.pk for p, a in first.accounts.items()
        }
        assert sorted(fresh.hooks) == ["line", "messenger", "zalo"]
        assert ChatAccount.objects.get(platform="zalo").api_base_url == fresh.url
    finally:
        fresh.stop()


def _play(sandbox: ChatSandbox, turns: list[dict[str, str]]) -> list[tuple[str, str, int]]:
    runner = ScriptRunner(sandbox, turns)
    played = []
    for _ in turns:
        posted = runner.step()
        assert posted is not None
        played.append((posted.platform, posted.user_id, posted.status))
    return played


def _script(tmp_path: Path) -> list[dict[str, str]]:
    path = tmp_path / "chat-script.json"
    out = StringIO()
    call_command("demoassistant", "--write-script", str(path), stdout=out)
    assert out.getvalue() == (
        f"Chat sandbox script: 15 customer messages in 4 conversations in {path}.\n"
    )
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_scripted_customers_are_answered_through_the_sandbox(setup, chat_sandbox, tmp_path):
    turns = _script(tmp_path)
    assert {t["platform"] for t in turns} == {"messenger", "zalo", "line"}
    first_round = turns[:4]
    played = _play(chat_sandbox, first_round)
    assert played == [(t["platform"], t["user"], 200) for t in first_round]

    events = list(InboundEvent.objects.select_related("account").order_by("pk"))
    assert [(e.account.platform, e.user_id, e.text, e.status) for e in events] == [
        (t["platform"], t["user"], t["text"], EventStatus.ANSWERED) for t in first_round
    ]
    answers = list(
        Message.objects.filter(author=Author.BOT).select_related("conversation").order_by("pk")
    )
    assert [(m.conversation.channel, m.conversation.external_user_id) for m in answers] == [
        (t["platform"], t["user"]) for t in first_round
    ]
    # Every answer went out through its platform's send API (LINE's with the reply token).
    assert [(s.platform, s.recipient, s.text, s.via) for s in chat_sandbox.sent] == [
        (m.conversation.channel, m.conversation.external_user_id, m.text, via)
        for m, via in zip(answers, ("send", "send", "reply", "send"), strict=True)
    ]
    assert "- Áo thun cổ tròn cotton (Đen / M) (SKU AT-06): 189.000\xa0₫" in answers[0].text
    assert "- Chảo chống dính đáy từ 26cm (SKU CH26): 329.000\xa0₫" in answers[1].text
    assert answers[2].text.startswith("สวัสดีค่ะ ฉันเป็นผู้ช่วยของร้าน")
    assert "- Quần jean slim fit (30) (SKU QJ-03): ₫459,000" in answers[3].text


def test_the_whole_script_ends_with_an_order_and_every_answer_sent(setup, chat_sandbox, tmp_path):
    turns = _script(tmp_path)
    orders = Order.objects.count()
    played = _play(chat_sandbox, turns)
    assert [status for _p, _u, status in played] == [200] * 15
    assert Conversation.objects.count() == 4
    assert Message.objects.filter(author=Author.BOT).count() == 15
    assert len(chat_sandbox.sent) == 15
    assert Order.objects.count() == orders + 1
    order = Order.objects.order_by("-pk").first()
    assert order is not None
    (hoa, minh, _ploy, sam) = (
        [s.text for s in chat_sandbox.sent if s.recipient == turns[i]["user"]] for i in range(4)
    )
    # Two black T-shirts in M, 30,000 shipping, confirmed: a draft order of 408,000.
    assert hoa[-1].startswith(f"Đã tạo đơn {order.number}, tổng 408.000\xa0₫.")
    assert (order.channel, order.total) == ("chat", Decimal(408000))
    asked = {t["user"]: m.group(0) for t in turns if (m := re.search(r"SO\d+", t["text"]))}
    vi_order, en_order = asked[turns[1]["user"]], asked[turns[3]["user"]]
    assert minh[2].startswith(f"Đơn {vi_order} (đặt ngày ")
    assert sam[1].startswith(f"Order {en_order} (placed ")


def test_a_customer_message_through_the_control_api(setup, chat_sandbox):
    answer = requests.post(
        f"{chat_sandbox.url}/_sandbox/customer_message",
        json={"platform": "zalo", "user_id": "8406221937705518999", "text": "Cảm ơn shop"},
        timeout=30,
    )
    assert answer.json() == {"ok": True, "status": 200}
    state = requests.get(f"{chat_sandbox.url}/_sandbox/state", timeout=10).json()
    reply = Message.objects.get(author=Author.BOT)
    assert state["posted"] == [
        {"platform": "zalo", "user_id": "8406221937705518999", "text": "Cảm ơn shop", "status": 200}
    ]
    assert [(s["platform"], s["recipient"], s["text"]) for s in state["sent"]] == [
        ("zalo", "8406221937705518999", reply.text)
    ]


def test_a_webhook_signed_with_another_secret_is_refused(setup, chat_sandbox):
    hook = chat_sandbox.hooks["line"]
    chat_sandbox.hooks["line"] = type(hook)(**{**hook.__dict__, "secret": "not-the-secret"})
    answer = requests.post(
        f"{chat_sandbox.url}/_sandbox/customer_message",
        json={"platform": "line", "user_id": "U0000", "text": "สวัสดีค่ะ"},
        timeout=30,
    )
    assert answer.json() == {"ok": True, "status": 401}
    assert (InboundEvent.objects.count(), Message.objects.count(), chat_sandbox.sent) == (0, 0, [])


def test_a_wrong_verify_token_fails_the_messenger_handshake(setup, chat_sandbox, live_server):
    chat_sandbox.hooks.clear()
    account = ChatAccount.objects.get(platform="messenger")
    answer = requests.post(
        f"{chat_sandbox.url}/_sandbox/webhook",
        json={
            "platform": "messenger",
            "url": f"{live_server.url}/assistant/webhooks/messenger/",
            "account_id": account.external_id,
            "secret": account.secret,
            "access_token": account.access_token,
            "verify_token": "guessed",
        },
        timeout=30,
    )
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "ok": False,
            "error": "The URL couldn't be validated: the callback answered 403 without the "
            "challenge",
        },
    )
    assert chat_sandbox.hooks == {}


def test_a_sandbox_that_is_not_running_is_one_clear_line(demo_shop, encryption_keys, live_server):
    out = StringIO()
    call_command(
        "demoassistant",
        *("--site-url", live_server.url, "--sandbox-url", "http://127.0.0.1:9"),
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert [line.split(": FAILED, ")[0] for line in lines if ": FAILED, " in line] == [
        "Messenger page",
        "Zalo OA",
        "LINE channel",
    ]
    assert lines[-1] == (
        "Demo assistant: 3 step(s) failed (Messenger page, Zalo OA, LINE channel); "
        "the CRM runs on without them."
    )
    assert ChatAccount.objects.count() == 4  # saved; only the sandbox's part failed
