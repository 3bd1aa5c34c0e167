"""Webhook signatures of each platform, as its documentation defines them (pure functions).

- Facebook Messenger: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
  with the app secret>`.
- Zalo Official Account: `X-ZEvent-Signature: mac=<hex SHA-256 of app id + raw body +
  timestamp + OA secret key>`, the timestamp being the `timestamp` field of the body (a plain
  SHA-256, not an HMAC). The documentation writes the formula as `mac = sha256(...)`, so the
  header is accepted with or without its `mac=` label, in either case of hex digits.
- LINE Messaging API: `x-line-signature: <base64 HMAC-SHA256 of the raw body, keyed with the
  channel secret>`.
Each check compares in constant time and is False for a missing or malformed header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


def messenger_signature(*, app_secret: str, body: bytes) -> str:
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def messenger_verify(*, app_secret: str, body: bytes, header: str) -> bool:
    if not app_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(messenger_signature(app_secret=app_secret, body=body), header)


def zalo_signature(*, app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    data = app_id.encode() + body + timestamp.encode() + oa_secret.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


def zalo_timestamp(body: bytes) -> str:
    """The `timestamp` field of a Zalo event body ("" when there is none)."""
    try:
        value = json.loads(body).get("timestamp", "")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else str(value)


def zalo_verify(*, app_id: str, oa_secret: str, body: bytes, header: str) -> bool:
    timestamp = zalo_timestamp(body)
    value = header.strip()
    if value[:4].lower() == "mac=":
        value = value[4:].strip()
    if not oa_secret or not timestamp or len(value) != 64:
        return False
    expected = zalo_signature(app_id=app_id, body=body, timestamp=timestamp, oa_secret=oa_secret)
    return hmac.compare_digest(expected[4:], value.lower())


def line_signature(*, channel_secret: str, body: bytes) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def line_verify(*, channel_secret: str, body: bytes, header: str) -> bool:
    if not channel_secret or not header:
        return False
    return hmac.compare_digest(line_signature(channel_secret=channel_secret, body=body), header)
