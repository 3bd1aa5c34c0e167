"""Webhook requests as each platform sends them (body bytes + headers, signed as documented),
for tests and the demo to POST to our endpoints over real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

from assistant.channels.signing import line_signature, messenger_signature, zalo_signature

Signed = tuple[bytes, dict[str, str]]


def _bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def messenger_text(
    *, app_secret: str, page_id: str, psid: str, text: str, mid: str, at_ms: int | None = None
) -> Signed:
    at_ms = at_ms or int(time.time() * 1000)
    body = _bytes(
        {
            "object": "page",
            "entry": [
                {
                    "id": page_id,
                    "time": at_ms,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": page_id},
                            "timestamp": at_ms,
                            "message": {"mid": mid, "text": text},
                        }
                    ],
                }
            ],
        }
    )
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": messenger_signature(app_secret=app_secret, body=body),
    }
    return body, headers


def zalo_text(
    *,
    app_id: str,
    oa_secret: str,
    oa_id: str,
    user_id: str,
    text: str,
    msg_id: str,
    at_ms: int | None = None,
) -> Signed:
    timestamp = str(at_ms or int(time.time() * 1000))
    body = _bytes(
        {
            "app_id": app_id,
            "user_id_by_app": f"app-{user_id}",
            "event_name": "user_send_text",
            "timestamp": timestamp,
            "sender": {"id": user_id},
            "recipient": {"id": oa_id},
            "message": {"text": text, "msg_id": msg_id},
        }
    )
    signature = zalo_signature(app_id=app_id, body=body, timestamp=timestamp, oa_secret=oa_secret)
    return body, {"Content-Type": "application/json", "X-ZEvent-Signature": signature}


def line_text(
    *,
    channel_secret: str,
    destination: str,
    user_id: str,
    text: str,
    event_id: str,
    reply_token: str,
    at_ms: int | None = None,
) -> Signed:
    at_ms = at_ms or int(time.time() * 1000)
    body = _bytes(
        {
            "destination": destination,
            "events": [
                {
                    "type": "message",
                    "message": {
                        "type": "text",
                        "id": event_id[-18:],
                        "quoteToken": "q",
                        "text": text,
                    },
                    "webhookEventId": event_id,
                    "deliveryContext": {"isRedelivery": False},
                    "timestamp": at_ms,
                    "source": {"type": "user", "userId": user_id},
                    "replyToken": reply_token,
                    "mode": "active",
                }
            ],
        }
    )
    signature = line_signature(channel_secret=channel_secret, body=body)
    return body, {"Content-Type": "application/json", "x-line-signature": signature}


def zalo_signed(*, app_id: str, oa_secret: str, payload: dict[str, Any]) -> Signed:
    """Any Zalo event body (follow, oa_send_text...), signed with its own `timestamp`."""
    body = _bytes(payload)
    signature = zalo_signature(
        app_id=app_id, body=body, timestamp=str(payload["timestamp"]), oa_secret=oa_secret
    )
    return body, {"Content-Type": "application/json", "X-ZEvent-Signature": signature}


def line_signed(*, channel_secret: str, payload: dict[str, Any]) -> Signed:
    """Any LINE webhook body, signed."""
    body = _bytes(payload)
    signature = line_signature(channel_secret=channel_secret, body=body)
    return body, {"Content-Type": "application/json", "x-line-signature": signature}
