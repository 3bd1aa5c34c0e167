"""A local server speaking the three chat platforms' send APIs as documented, for tests and the
offline demo: it checks each request's token the way the platform does, records every message
it accepted, and answers with the platform's documented success and error bodies.

    Messenger  POST /me/messages?access_token=<page token>      (Graph API Send API)
    Zalo OA    POST /v3.0/oa/message/cs   header access_token    (customer-service message)
    LINE       POST /v2/bot/message/reply | /v2/bot/message/push  Authorization: Bearer <token>

Point a ChatAccount's api_base_url at `sandbox.url` (the same server answers all three).
`fail_next(path, status, times)` makes the next calls to a path fail with a 5xx or 429, to test
retries. LINE reply tokens are issued by `line_reply_token()` (what a webhook event carries),
usable once; a push with an `X-Line-Retry-Key` seen before answers 409 and is not delivered
again. Webhook requests signed the way each platform signs them: assistant.sandbox.webhooks.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from common.sandbox import HttpSandbox, SandboxHandler, bind


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
    _faults: dict[str, list[int]] = field(default_factory=dict)
    _reply_tokens: dict[str, str] = field(default_factory=dict)  # token -> user id
    _retry_keys: set[str] = field(default_factory=set)
    thread_name = "chat-sandbox"

    # --- life -----------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return bind(_Handler, self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control --------------------------------------------------------------------------------
    def fail_next(self, path: str, status: int, times: int = 1) -> None:
        with self.lock:
            self._faults.setdefault(path, []).extend([status] * times)

    def line_reply_token(self, user_id: str) -> str:
        token = secrets.token_hex(16)
        with self.lock:
            self._reply_tokens[token] = user_id
        return token

    def _fault(self, path: str) -> int | None:
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
            with self.lock:
                user = self._reply_tokens.pop(str((body or {}).get("replyToken", "")), None)
            if user is None:
                return 400, {"message": "Invalid reply token"}
            via = "reply"
        else:
            user = str((body or {}).get("to", ""))
            key = headers.get("x-line-retry-key", "")
            with self.lock:
                seen = key in self._retry_keys
                self._retry_keys.add(key) if key else None
            if seen:
                return 409, {"message": "The retry key is already accepted"}
            if user not in self.users:
                return 400, {"message": "Failed to send messages"}
            via = "push"
        ids = [self._record("line", user, str(m.get("text", "")), via) for m in messages]
        return 200, {"sentMessages": [{"id": i, "quoteToken": secrets.token_hex(8)} for i in ids]}


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
        with sb.lock:
            sb.requests.append((url.path, body if isinstance(body, dict) else {}))
        fault = sb._fault(url.path)
        if fault is not None:
            self._json(fault, {"message": "sandbox fault"})
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
