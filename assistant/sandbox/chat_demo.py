"""The chat sandbox as the platforms' side of a live demo: the webhook each platform was told
to call (what a shop sets in Meta's app dashboard, the Zalo developer site or the LINE
Developers console), and customers writing to the shop through it.

- `webhook_register`: records a platform's webhook URL with the account's credentials (the page,
  OA or channel id, the secret the platform signs with, the access token its send API will then
  accept). Messenger's dashboard first verifies the URL: a GET with `hub.mode=subscribe`, the
  verify token and a `hub.challenge` the endpoint must echo; the URL is refused otherwise.
- `customer_says`: one customer's text message, POSTed to the registered URL signed as the
  platform signs it (assistant.sandbox.webhooks); the customer becomes a user the send API knows
  (they wrote to the shop), and a LINE event carries a fresh reply token.
- `ScriptRunner`: plays a demo script (JSON list of {"platform", "user", "text"}) one message a
  step, round and round; each round's customers have new ids, so each round starts new
  conversations. The script waits at a message whose platform has no webhook yet.

Control API (JSON), served by the sandbox next to the platforms' APIs:
    POST /_sandbox/webhook            {"platform", "url", "account_id", "secret",
                                       "access_token", "app_id"?, "verify_token"?}
    POST /_sandbox/customer_message   {"platform", "user_id", "text"}
    GET  /_sandbox/state              the webhooks, the messages posted and the messages sent
"""

from __future__ import annotations

import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from assistant.sandbox import webhooks

if TYPE_CHECKING:
    from assistant.sandbox.chat import ChatSandbox

PLATFORMS = ("messenger", "zalo", "line")
TIMEOUT = 30


class HookError(Exception):
    """The platform refuses the webhook (unknown platform, URL not verified)."""


@dataclass(frozen=True)
class Hook:
    platform: str
    url: str
    account_id: str  # the page id, the OA id, the LINE bot's user id (`destination`)
    secret: str  # the app secret, the OA secret key, the channel secret
    access_token: str
    app_id: str = ""  # Zalo's app id (part of its signature)


@dataclass(frozen=True)
class Posted:
    platform: str
    user_id: str
    text: str
    status: int  # our endpoint's HTTP status (0: not reachable)


def webhook_register(sandbox: ChatSandbox, hook: Hook, *, verify_token: str = "") -> None:
    if hook.platform not in PLATFORMS:
        raise HookError(f"unknown platform {hook.platform!r}")
    if not hook.url.startswith(("http://", "https://")) or not hook.secret:
        raise HookError("a webhook needs an http(s) URL and the account's secret")
    if hook.platform == "messenger":
        _messenger_handshake(hook.url, verify_token)
    tokens = {
        "messenger": sandbox.messenger_tokens,
        "zalo": sandbox.zalo_tokens,
        "line": sandbox.line_tokens,
    }[hook.platform]
    with sandbox.lock:
        tokens.add(hook.access_token)
        sandbox.hooks[hook.platform] = hook


def _messenger_handshake(url: str, verify_token: str) -> None:
    challenge = str(secrets.randbelow(10**9) + 10**9)
    query = urlencode(
        {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
    )
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=TIMEOUT) as answer:  # noqa: S310
            body = answer.read().decode("utf-8", errors="replace")
            status = answer.status
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    except OSError as error:
        raise HookError(f"The URL couldn't be validated: {error}") from error
    if status != 200 or body != challenge:
        raise HookError(
            f"The URL couldn't be validated: the callback answered {status} without the challenge"
        )


def _signed(sandbox: ChatSandbox, hook: Hook, user_id: str, text: str) -> webhooks.Signed:
    if hook.platform == "messenger":
        return webhooks.messenger_text(
            app_secret=hook.secret,
            page_id=hook.account_id,
            psid=user_id,
            text=text,
            mid=f"m_{secrets.token_urlsafe(24)}",
        )
    if hook.platform == "zalo":
        return webhooks.zalo_text(
            app_id=hook.app_id,
            oa_secret=hook.secret,
            oa_id=hook.account_id,
            user_id=user_id,
            text=text,
            msg_id=secrets.token_hex(16),
        )
    return webhooks.line_text(
        channel_secret=hook.secret,
        destination=hook.account_id,
        user_id=user_id,
        text=text,
        event_id=_ulid(),
        reply_token=sandbox.line_reply_token(user_id),
    )


def _ulid() -> str:
    """A ULID-shaped id (26 Crockford base-32 characters), as LINE's webhookEventId."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def customer_says(sandbox: ChatSandbox, *, platform: str, user_id: str, text: str) -> Posted:
    """POST one customer message to the platform's registered webhook (HookError: none)."""
    hook = sandbox.hooks.get(platform)
    if hook is None:
        raise HookError(f"no webhook registered for {platform}")
    sandbox.user_wrote(user_id)  # opens the platform's reply window, as a real message does
    body, headers = _signed(sandbox, hook, user_id, text)
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s), checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    posted = Posted(platform, user_id, text, status)
    with sandbox.lock:
        sandbox.posted.append(posted)
    return posted


class ScriptRunner:
    """Plays `turns` in order, one a step; round n > 0 suffixes the customers' ids with -n."""

    def __init__(self, sandbox: ChatSandbox, turns: list[dict[str, str]]) -> None:
        self.sandbox = sandbox
        self.turns = [t for t in turns if t.get("platform") in PLATFORMS and t.get("text")]
        self.index = 0
        self._lock = threading.Lock()

    def step(self) -> Posted | None:
        """The next turn posted; None while its platform has no webhook yet (the script waits
        there, so the demo starts at its first message) or when there is no script."""
        if not self.turns:
            return None
        with self._lock:
            index = self.index
            turn = self.turns[index % len(self.turns)]
            if turn["platform"] not in self.sandbox.hooks:
                return None
            self.index += 1
        cycle = index // len(self.turns)
        user = turn["user"] if cycle == 0 else f"{turn['user']}-{cycle}"
        return customer_says(
            self.sandbox, platform=turn["platform"], user_id=user, text=turn["text"]
        )


# --- Control API --------------------------------------------------------------------------------


def control(sandbox: ChatSandbox, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Answer one /_sandbox/ request: (status, JSON body)."""
    data = body if isinstance(body, dict) else {}
    name = path.removeprefix("/_sandbox/").strip("/")
    try:
        if method == "GET" and name == "state":
            return 200, state(sandbox)
        if method == "POST" and name == "webhook":
            hook = Hook(
                platform=str(data.get("platform", "")),
                url=str(data.get("url", "")),
                account_id=str(data.get("account_id", "")),
                secret=str(data.get("secret", "")),
                access_token=str(data.get("access_token", "")),
                app_id=str(data.get("app_id", "")),
            )
            webhook_register(sandbox, hook, verify_token=str(data.get("verify_token", "")))
            return 200, {"ok": True}
        if method == "POST" and name == "customer_message":
            posted = customer_says(
                sandbox,
                platform=str(data.get("platform", "")),
                user_id=str(data.get("user_id", "")),
                text=str(data.get("text", "")),
            )
            return 200, {"ok": True, "status": posted.status}
    except HookError as error:
        return 400, {"ok": False, "error": str(error)}
    return 404, {"ok": False, "error": f"no control {method} {name}"}


def state(sandbox: ChatSandbox) -> dict[str, Any]:
    with sandbox.lock:
        return {
            "ok": True,
            "webhooks": {p: h.url for p, h in sandbox.hooks.items()},
            "posted": [asdict(p) for p in sandbox.posted],
            "sent": [asdict(s) for s in sandbox.sent],
        }
