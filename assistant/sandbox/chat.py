"""A local server speaking the three chat platforms' send APIs as documented, for tests and the
offline demo: it checks each request's token the way the platform does, records every message
it accepted, and answers with the platform's documented success and error bodies.

    Messenger  POST /me/messages?access_token=<page token>      (Graph API Send API)
    Zalo OA    POST /v3.0/oa/message/cs   header access_token    (customer-service message)
    LINE       POST /v2/bot/message/reply | /v2/bot/message/push  Authorization: Bearer <token>

Point a ChatAccount's api_base_url at `sandbox.url` (the same server answers all three).
`fail_next(path, status, times, body)` makes the next calls to a path fail (a 5xx, a 429, or a
platform error body such as Graph's rate limit), to test retries.

The platforms' rules it enforces: Messenger wants `messaging_type` (RESPONSE and UPDATE only
within 24 hours of the person's last message: else code 10, subcode 2018278; MESSAGE_TAG with
a `tag`); Zalo's customer-service message only within 7 days of the user's last interaction
(-230); LINE at most 5 message objects a request, reply tokens single-use, and pushes count
against `line_monthly_limit` (429 "You have reached your monthly limit."; replies are free).
`user_wrote(user, at)` sets when a user last wrote (a known user it was not told about "wrote"
when the sandbox started). LINE reply tokens are issued by `line_reply_token()` (what a
webhook event carries), usable once; a push with an `X-Line-Retry-Key` accepted before
answers 409 and is not delivered again (a refused one does not use up its key). Webhook
requests signed the way each platform signs them: assistant.sandbox.webhooks.
The registered webhooks, customers writing through them, the demo script and the control API
under /_sandbox/: assistant.sandbox.chat_demo; the command line (`python -m
assistant.sandbox.chat --port 8712 [--script demo.json --message-every 20]`): chat_cli.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlsplit

from common.sandbox import HttpSandbox, SandboxHandler, bind

MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
MESSENGER_WINDOW = 24 * 3600.0
ZALO_WINDOW = 7 * 24 * 3600.0

if TYPE_CHECKING:
    from assistant.sandbox.chat_demo import Hook, Posted


@dataclass
class SentMessage:
    platform: str
    recipient: str
    text: str
    via: str  # "send", "reply", "push"
    message_id: str


@dataclass
class ChatSandbox(HttpSandbox):
    messenger_tokens: set[str] = field(default_factory=set)
    zalo_tokens: set[str] = field(default_factory=set)
    line_tokens: set[str] = field(default_factory=set)
    # Users each platform knows (a send to anyone else is refused as the platform refuses it).
    users: set[str] = field(default_factory=set)
    sent: list[SentMessage] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    line_monthly_limit: int | None = None
    last_wrote: dict[str, float] = field(default_factory=dict)  # user -> epoch seconds
    _pushed: int = 0
    _started: float = 0.0
    hooks: dict[str, Hook] = field(default_factory=dict)  # platform -> its registered webhook
    posted: list[Posted] = field(default_factory=list)  # customer messages sent to a webhook
    _faults: dict[str, list[tuple[int, dict[str, Any] | None]]] = field(default_factory=dict)
    _reply_tokens: dict[str, str] = field(default_factory=dict)  # token -> user id
    _retry_keys: set[str] = field(default_factory=set)
    thread_name = "chat-sandbox"

    # --- life -----------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        self._started = time.time()  # users it was not told about "wrote" now
        return super().start(host, port)

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return bind(_Handler, self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control --------------------------------------------------------------------------------
    def fail_next(
        self, path: str, status: int, times: int = 1, body: dict[str, Any] | None = None
    ) -> None:
        with self.lock:
            self._faults.setdefault(path, []).extend([(status, body)] * times)

    def user_wrote(self, user_id: str, at: float | None = None) -> None:
        with self.lock:
            self.users.add(user_id)
            self.last_wrote[user_id] = time.time() if at is None else at

    def _within(self, user_id: str, seconds: float) -> bool:
        with self.lock:
            wrote = self.last_wrote.get(user_id, self._started)
        return time.time() - wrote <= seconds

    def line_reply_token(self, user_id: str) -> str:
        token = secrets.token_hex(16)
        with self.lock:
            self._reply_tokens[token] = user_id
        return token

    def _fault(self, path: str) -> tuple[int, dict[str, Any] | None] | None:
        with self.lock:
            queue = self._faults.get(path)
            return queue.pop(0) if queue else None

    def _record(self, platform: str, recipient: str, text: str, via: str) -> str:
        message_id = f"{platform[:2]}.{secrets.token_hex(8)}"
        with self.lock:
            self.sent.append(SentMessage(platform, recipient, text, via, message_id))
        return message_id

    # --- the APIs -------------------------------------------------------------------------------
    def messenger(self, query: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        if query.get("access_token", "") not in self.messenger_tokens:
            return 400, _graph_error(
                "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190
            )
        recipient = str(((body or {}).get("recipient") or {}).get("id", ""))
        text = ((body or {}).get("message") or {}).get("text")
        if not isinstance(text, str) or not text or len(text) > 2000:
            return 400, _graph_error(
                "(#100) Param message[text] must be a UTF-8 string of 1 to 2000 characters",
                "OAuthException",
                100,
            )
        if recipient not in self.users:
            return 400, _graph_error(
                "(#100) No matching user found", "OAuthException", 100, subcode=2018001
            )
        kind = (body or {}).get("messaging_type")
        if kind not in MESSAGING_TYPES or (kind == "MESSAGE_TAG") != bool((body or {}).get("tag")):
            return 400, _graph_error(
                "(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}"
                " (MESSAGE_TAG with a tag)",
                "OAuthException",
                100,
            )
        if kind != "MESSAGE_TAG" and not self._within(recipient, MESSENGER_WINDOW):
            return 400, _graph_error(
                "(#10) This message is sent outside of allowed window.",
                "OAuthException",
                10,
                subcode=2018278,
            )
        message_id = self._record("messenger", recipient, text, "send")
        return 200, {"recipient_id": recipient, "message_id": f"m_{message_id}"}

    def zalo(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        if headers.get("access_token", "") not in self.zalo_tokens:
            return 200, {"error": -216, "message": "Access token is invalid"}
        user = str(((body or {}).get("recipient") or {}).get("user_id", ""))
        text = ((body or {}).get("message") or {}).get("text")
        if not isinstance(text, str) or not text or len(text) > 2000:
            return 200, {"error": -201, "message": "Parameters are invalid"}
        if user not in self.users:
            return 200, {"error": -213, "message": "User has not followed the OA"}
        if not self._within(user, ZALO_WINDOW):
            return 200, {
                "error": -230,
                "message": "User has not interacted with the OA in the past 7 days",
            }
        message_id = self._record("zalo", user, text, "send")
        return 200, {
            "data": {"message_id": message_id, "user_id": user},
            "error": 0,
            "message": "Success",
        }

    def line(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.line_tokens:
            return 401, {
                "message": "Authentication failed. Confirm that the access token in "
                "the authorization header is valid."
            }
        messages = (body or {}).get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return 400, {
                "message": "The request body has 1 error(s)",
                "details": [{"message": "Size must be between 1 and 5", "property": "messages"}],
            }
        if path.endswith("/reply"):
            if "x-line-retry-key" in headers:  # only the push family accepts a retry key
                return 400, {"message": "The retry key is not supported for this API"}
            with self.lock:
                user = self._reply_tokens.pop(str((body or {}).get("replyToken", "")), None)
            if user is None:
                return 400, {"message": "Invalid reply token"}
            via = "reply"
        else:
            user = str((body or {}).get("to", ""))
            refused = self._line_push_refusal(headers, user, len(messages))
            if refused is not None:
                return refused
            via = "push"
        ids = [self._record("line", user, str(m.get("text", "")), via) for m in messages]
        return 200, {"sentMessages": [{"id": i, "quoteToken": secrets.token_hex(8)} for i in ids]}

    def _line_push_refusal(
        self, headers: dict[str, str], user: str, count: int
    ) -> tuple[int, dict[str, Any]] | None:
        """A retry key is blocked only once a request with it was accepted (2xx); a push
        beyond the monthly limit is refused and sends nothing."""
        key = headers.get("x-line-retry-key", "")
        with self.lock:
            if key and key in self._retry_keys:
                return 409, {"message": "The retry key is already accepted"}
            if user not in self.users:
                return 400, {"message": "Failed to send messages"}
            if self.line_monthly_limit is not None and (
                self._pushed + count > self.line_monthly_limit
            ):
                return 429, {"message": "You have reached your monthly limit."}
            self._pushed += count
            if key:
                self._retry_keys.add(key)
        return None


def _graph_error(message: str, kind: str, code: int, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(9),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class _Handler(SandboxHandler):
    sandbox: ChatSandbox
    server_version = "ChatSandbox/1.0"

    def do_GET(self) -> None:
        from assistant.sandbox.chat_demo import control

        url = urlsplit(self.path)
        if url.path.startswith("/_sandbox/"):
            self._json(*control(self.sandbox, "GET", url.path, None))
        else:
            self._json(404, {"message": "Not found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        raw = self._read()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        sb = self.sandbox
        if url.path.startswith("/_sandbox/"):
            from assistant.sandbox.chat_demo import control

            self._json(*control(sb, "POST", url.path, body))
            return
        with sb.lock:
            sb.requests.append((url.path, body if isinstance(body, dict) else {}))
        fault = sb._fault(url.path)
        if fault is not None:
            status, payload = fault
            self._json(status, payload or {"message": "sandbox fault"})
            return
        if url.path.endswith("/me/messages"):
            status, payload = sb.messenger(query, body)
        elif url.path == "/v3.0/oa/message/cs":
            status, payload = sb.zalo(headers, body)
        elif url.path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
            status, payload = sb.line(url.path, headers, body)
        else:
            status, payload = 404, {"message": "Not found"}
        self._json(status, payload)


if __name__ == "__main__":
    from assistant.sandbox.chat_cli import main

    main()
