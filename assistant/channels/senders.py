"""The send APIs: one small transport per platform behind one interface (`send`), over the
project's HTTP client (common.http: timeouts, no redirects), raising the common.external
family: TransientError (network, 5xx, "try again later": the task retries), RateLimited (the
platform's rate limit: retried later), Undeliverable (a PermanentError: the platform refused
and retrying cannot help; `reason` says why, one of Reason). Tokens never appear in errors.

- Messenger: Graph API Send API, POST {base}/me/messages?access_token=<page token>,
  {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": ...}}.
  Errors are {"error": {"code", "error_subcode", "message"}}: 1, 2 and 1200 are temporary;
  4, 17, 32 and 613 are rate limits; 10 with 2018278 or 2018108 is a message outside the
  24-hour window; 551 and 100/2018001 a person who cannot be reached; 190 a refused token.
- Zalo OA: POST {base}/v3.0/oa/message/cs with the `access_token` header,
  {"recipient": {"user_id": ...}, "message": {"text": ...}}; errors come as HTTP 200 with a
  non-zero `error`: -216/-220/-124 token, -230/-232 the interaction window has passed,
  -213/-227 a user who cannot be reached, -211/-218 the OA's quota, -32 the rate limit.
- LINE: POST {base}/v2/bot/message/reply with the event's reply token, else (no token, or
  "Invalid reply token": it is single-use and expires) POST {base}/v2/bot/message/push with an
  `X-Line-Retry-Key`, so a retried push is not delivered twice (409: already accepted). At most
  5 message objects a request: a longer answer goes out in several requests (the reply token
  covers the first five). 429 is the rate limit, except "You have reached your monthly limit."
  (no more push messages this month: waiting minutes cannot help).
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
LINE_PER_REQUEST = 5
RATE_WAIT = 60.0  # seconds before a rate-limited send is tried again


class Reason:
    """Why a reply cannot be delivered (Delivery.failure)."""

    WINDOW = "window"  # the platform's reply window after the customer's message has passed
    RECIPIENT = "recipient"  # the person blocked the page/OA, left, or is unknown
    TOKEN = "token"  # our access token was refused or has expired
    QUOTA = "quota"  # the account's message quota is used up
    REFUSED = "refused"  # any other refusal
    RETRIES = "retries"  # temporary errors until we gave up (set by the service)


class Undeliverable(PermanentError):
    def __init__(self, code: str, message: str = "", *, reason: str = Reason.REFUSED) -> None:
        super().__init__(code, message)
        self.reason = reason


MESSENGER_TEMPORARY = {1, 2, 1200}
MESSENGER_RATE = {4, 17, 32, 613}
MESSENGER_WINDOW = {2018278, 2018108}
ZALO_REASONS = {
    -216: Reason.TOKEN,
    -220: Reason.TOKEN,
    -124: Reason.TOKEN,
    -230: Reason.WINDOW,
    -232: Reason.WINDOW,
    -213: Reason.RECIPIENT,
    -227: Reason.RECIPIENT,
    -211: Reason.QUOTA,
    -218: Reason.QUOTA,
}
ZALO_RATE = {-32}
LINE_MONTHLY = "monthly limit"


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


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def messenger_error(status: int, data: dict[str, Any]) -> Exception:
    """The error to raise for one refused Send API call."""
    found = data.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = str(error.get("message", ""))
    name = f"messenger_{code or status}" + (f"_{subcode}" if subcode else "")
    if code in MESSENGER_RATE or status == 429:
        return RateLimited(name, message, retry_after=RATE_WAIT)
    if status >= 500 or code in MESSENGER_TEMPORARY:
        return TransientError(name, message)
    if code == 10 and subcode in MESSENGER_WINDOW:
        reason = Reason.WINDOW
    elif code == 551 or (code == 100 and subcode == 2018001):
        reason = Reason.RECIPIENT
    elif code == 190:
        reason = Reason.TOKEN
    else:
        reason = Reason.REFUSED
    return Undeliverable(name, message, reason=reason)


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
        raise messenger_error(response.status_code, data)
    return Sent(tuple(ids), "send")


def zalo_error(status: int, data: dict[str, Any]) -> Exception:
    code = data.get("error")
    message = str(data.get("message", ""))
    if status >= 500:
        return TransientError(f"zalo_http_{status}", message)
    name = f"zalo_{code if code is not None else status}"
    number = _int(code)
    if number in ZALO_RATE or status == 429:
        return RateLimited(name, message, retry_after=RATE_WAIT)
    return Undeliverable(name, message, reason=ZALO_REASONS.get(number, Reason.REFUSED))


def zalo_send(out: Outgoing) -> Sent:
    ids: list[str] = []
    url = out.base_url.rstrip("/") + "/v3.0/oa/message/cs"
    for part in chunks(out.text, LIMITS["zalo"]):
        body = {"recipient": {"user_id": out.recipient}, "message": {"text": part}}
        response = _post(url, headers={"access_token": out.access_token}, json=body)
        data = _json(response)
        if response.status_code == 200 and data.get("error") == 0:
            ids.append(str((data.get("data") or {}).get("message_id", "")))
            continue
        raise zalo_error(response.status_code, data)
    return Sent(tuple(ids), "send")


def _line_batches(text: str) -> list[list[dict[str, str]]]:
    messages = [{"type": "text", "text": part} for part in chunks(text, LIMITS["line"])]
    return [messages[i : i + LINE_PER_REQUEST] for i in range(0, len(messages), LINE_PER_REQUEST)]


def line_error(response: requests.Response) -> Exception:
    status = response.status_code
    message = str(_json(response).get("message", ""))
    name = f"line_{status}"
    if status == 429 and LINE_MONTHLY in message.lower():
        return Undeliverable(name, message, reason=Reason.QUOTA)
    if status == 429:
        return RateLimited(name, message, retry_after=RATE_WAIT)
    if status >= 500:
        return TransientError(name, message)
    reason = Reason.TOKEN if status == 401 else Reason.REFUSED
    return Undeliverable(name, message, reason=reason)


def _line_ids(response: requests.Response) -> list[str]:
    sent = _json(response).get("sentMessages") or []
    return [str(m.get("id", "")) for m in sent if isinstance(m, dict)]


def _line_push(
    base: str, auth: dict[str, str], out: Outgoing, batch: int, messages: Any
) -> list[str]:
    key = out.retry_key or str(uuid.uuid4())
    if batch:  # one key per request: each batch is its own push
        key = str(uuid.uuid5(uuid.UUID(key), str(batch)))
    headers = {**auth, "X-Line-Retry-Key": key}
    body = {"to": out.recipient, "messages": messages}
    response = _post(base + "/v2/bot/message/push", headers=headers, json=body)
    if response.status_code == 200:
        return _line_ids(response)
    if response.status_code == 409:  # this retry key was accepted before: already sent
        return []
    raise line_error(response)


def line_send(out: Outgoing) -> Sent:
    base = out.base_url.rstrip("/")
    auth = {"Authorization": f"Bearer {out.access_token}"}
    batches = _line_batches(out.text)
    ids: list[str] = []
    via = "push"
    start = 0
    if out.reply_token:
        body = {"replyToken": out.reply_token, "messages": batches[0]}
        response = _post(base + "/v2/bot/message/reply", headers=auth, json=body)
        if response.status_code == 200:
            ids, via, start = _line_ids(response), "reply", 1
        elif response.status_code != 400:
            raise line_error(response)
        # 400: an expired or used reply token: push instead.
    for batch in range(start, len(batches)):
        ids += _line_push(base, auth, out, batch, batches[batch])
    return Sent(tuple(ids), via)


SENDERS = {"messenger": messenger_send, "zalo": zalo_send, "line": line_send}
