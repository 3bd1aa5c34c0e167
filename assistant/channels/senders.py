"""The send APIs: one small transport per platform behind one interface (`send`), over the
project's HTTP client (common.http: timeouts, no redirects), raising the common.external
family: TransientError (network, 5xx, busy: the task retries), RateLimited, PermanentError
(the platform refused: retrying cannot help). Tokens never appear in errors.

- Messenger: Graph API Send API, POST {base}/me/messages?access_token=<page token>,
  {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": ...}}.
- Zalo OA: POST {base}/v3.0/oa/message/cs with the `access_token` header,
  {"recipient": {"user_id": ...}, "message": {"text": ...}}; errors come as HTTP 200 with a
  non-zero `error`.
- LINE: POST {base}/v2/bot/message/reply with the event's reply token, else (no token, or
  "Invalid reply token": it is single-use and expires) POST {base}/v2/bot/message/push with an
  `X-Line-Retry-Key`, so a retried push is not delivered twice (409: already accepted).
A text longer than the platform allows is sent as consecutive messages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests

from common.external import PermanentError, RateLimited, TransientError
from common.http import client

LIMITS = {"messenger": 2000, "zalo": 2000, "line": 5000}
MESSENGER_TRANSIENT = {1, 2, 4, 17, 32, 613}  # unknown/service errors, call-rate limits


@dataclass(frozen=True)
class Outgoing:
    base_url: str
    access_token: str
    recipient: str
    text: str
    reply_token: str = ""
    retry_key: str = ""  # LINE push: the same key on every attempt of one delivery


@dataclass(frozen=True)
class Sent:
    external_ids: tuple[str, ...]
    via: str  # "send", "reply" or "push"


def chunks(text: str, limit: int) -> list[str]:
    parts = [text[i : i + limit] for i in range(0, len(text), limit)]
    return parts or [""]


def _post(url: str, **kwargs: Any) -> requests.Response:
    try:
        return client().post(url, **kwargs)
    except requests.RequestException as error:
        raise TransientError("network", type(error).__name__) from error


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def messenger_send(out: Outgoing) -> Sent:
    ids: list[str] = []
    url = out.base_url.rstrip("/") + "/me/messages"
    for part in chunks(out.text, LIMITS["messenger"]):
        body = {
            "recipient": {"id": out.recipient},
            "messaging_type": "RESPONSE",
            "message": {"text": part},
        }
        response = _post(url, params={"access_token": out.access_token}, json=body)
        data = _json(response)
        if response.status_code == 200 and data.get("message_id"):
            ids.append(str(data["message_id"]))
            continue
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = int(error.get("code", 0) or 0) if error else 0
        message = str(error.get("message", "")) if error else ""
        if response.status_code >= 500 or code in MESSENGER_TRANSIENT:
            raise TransientError(f"messenger_{code or response.status_code}", message)
        raise PermanentError(f"messenger_{code or response.status_code}", message)
    return Sent(tuple(ids), "send")


def zalo_send(out: Outgoing) -> Sent:
    ids: list[str] = []
    url = out.base_url.rstrip("/") + "/v3.0/oa/message/cs"
    for part in chunks(out.text, LIMITS["zalo"]):
        body = {"recipient": {"user_id": out.recipient}, "message": {"text": part}}
        response = _post(url, headers={"access_token": out.access_token}, json=body)
        if response.status_code >= 500:
            raise TransientError(f"zalo_http_{response.status_code}")
        data = _json(response)
        code = data.get("error")
        if response.status_code == 200 and code == 0:
            ids.append(str((data.get("data") or {}).get("message_id", "")))
            continue
        raise PermanentError(
            f"zalo_{code if code is not None else response.status_code}",
            str(data.get("message", "")),
        )
    return Sent(tuple(ids), "send")


def _line_messages(text: str) -> list[dict[str, str]]:
    return [{"type": "text", "text": part} for part in chunks(text, LIMITS["line"])[:5]]


def _line_fail(response: requests.Response) -> None:
    message = str(_json(response).get("message", ""))
    if response.status_code == 429:
        raise RateLimited("line_429", message, retry_after=60)
    if response.status_code >= 500:
        raise TransientError(f"line_{response.status_code}", message)
    raise PermanentError(f"line_{response.status_code}", message)


def line_send(out: Outgoing) -> Sent:
    base = out.base_url.rstrip("/")
    auth = {"Authorization": f"Bearer {out.access_token}"}
    messages = _line_messages(out.text)
    if out.reply_token:
        body = {"replyToken": out.reply_token, "messages": messages}
        response = _post(base + "/v2/bot/message/reply", headers=auth, json=body)
        if response.status_code == 200:
            sent = _json(response).get("sentMessages") or []
            return Sent(tuple(str(m.get("id", "")) for m in sent), "reply")
        if response.status_code != 400:
            _line_fail(response)
        # An expired or used reply token: push instead.
    headers = {**auth, "X-Line-Retry-Key": out.retry_key or str(uuid.uuid4())}
    body_push = {"to": out.recipient, "messages": messages}
    response = _post(base + "/v2/bot/message/push", headers=headers, json=body_push)
    if response.status_code == 200:
        sent = _json(response).get("sentMessages") or []
        return Sent(tuple(str(m.get("id", "")) for m in sent), "push")
    if response.status_code == 409:  # this retry key was accepted before: already sent
        return Sent((), "push")
    _line_fail(response)
    raise AssertionError("unreachable")


SENDERS = {"messenger": messenger_send, "zalo": zalo_send, "line": line_send}
