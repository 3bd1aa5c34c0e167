"""Reading webhook bodies into our own events (pure: no database).

Each platform's body names the account it is for (Messenger: each entry's page id; Zalo: the
recipient OA id; LINE: the `destination` bot user id) and carries one or more events. We keep
every event, with its id for de-duplication: Messenger's message `mid`, Zalo's `msg_id`, LINE's
`webhookEventId`; events without one (reads, deliveries, follows) get an id built from their
kind, sender and timestamp. Only text messages from a customer are answered (kind "text"); a
LINE event in "standby" mode (another module handles the chat) is kept but not answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    account_key: str  # page id / OA id / LINE destination
    event_id: str
    kind: str  # "text" (a customer's text message) or the platform's name for what else it is
    user_id: str = ""
    text: str = ""
    reply_token: str = ""
    event: dict[str, Any] = field(default_factory=dict)


class BodyError(ValueError):
    """The body is not the platform's JSON (answered 400)."""


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError("not JSON") from error
    if not isinstance(data, dict):
        raise BodyError("not a JSON object")
    return data


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def messenger_events(body: bytes) -> list[Event]:
    data = _load(body)
    if data.get("object") != "page" or not isinstance(data.get("entry"), list):
        raise BodyError("not a page subscription body")
    events: list[Event] = []
    for entry in data["entry"]:
        if not isinstance(entry, dict):
            continue
        page_id = str(entry.get("id", ""))
        for item in entry.get("messaging") or []:
            if isinstance(item, dict):
                events.append(_messenger_event(page_id, item))
    return events


def messenger_pages(body: bytes) -> set[str]:
    """The page ids a Messenger body is for (every entry's, with or without messaging)."""
    data = _load(body)
    entries = data.get("entry")
    if data.get("object") != "page" or not isinstance(entries, list):
        raise BodyError("not a page subscription body")
    return {str(entry.get("id", "")) for entry in entries if isinstance(entry, dict)}


def _messenger_event(page_id: str, item: dict[str, Any]) -> Event:
    sender = str((item.get("sender") or {}).get("id", ""))
    message = item.get("message")
    if isinstance(message, dict) and message.get("mid"):
        if message.get("is_echo"):
            kind = "echo"
        elif isinstance(message.get("text"), str):
            kind = "text"
        else:
            kind = "attachment"
        return Event(
            page_id, str(message["mid"]), kind, sender, _text(message.get("text")), "", item
        )
    kind = next((k for k in ("postback", "read", "delivery", "reaction") if k in item), "other")
    event_id = f"{kind}:{sender}:{item.get('timestamp', '')}"
    return Event(page_id, event_id, kind, sender, "", "", item)


def _zalo_parties(name: str, data: dict[str, Any]) -> tuple[str, str]:
    """(OA id, user id) of a Zalo event: a user's event goes from the user (`sender`) to the
    OA (`recipient`); the OA's own (`oa_send_text`..., our answers included) the other way;
    follow/unfollow name the OA in `oa_id` and the user in `follower`."""

    def ident(key: str) -> str:
        value = data.get(key)
        return str(value.get("id", "")) if isinstance(value, dict) else ""

    if name.startswith("oa_"):
        oa_id, user = ident("sender"), ident("recipient")
    else:
        oa_id, user = ident("recipient"), ident("sender") or ident("follower")
    return str(data.get("oa_id") or oa_id), user


def zalo_events(body: bytes) -> list[Event]:
    data = _load(body)
    name = _text(data.get("event_name"))
    if not name:
        raise BodyError("no event_name")
    oa_id, sender = _zalo_parties(name, data)
    message: dict[str, Any] = data["message"] if isinstance(data.get("message"), dict) else {}
    msg_id = _text(message.get("msg_id"))
    if name == "user_send_text" and msg_id:
        return [Event(oa_id, msg_id, "text", sender, _text(message.get("text")), "", data)]
    event_id = msg_id or f"{name}:{sender}:{data.get('timestamp', '')}"
    return [Event(oa_id, event_id, name, sender, "", "", data)]


def line_destination(body: bytes) -> str:
    return _text(_load(body).get("destination"))


def line_events(body: bytes) -> list[Event]:
    data = _load(body)
    destination = _text(data.get("destination"))
    items = data.get("events")
    if not isinstance(items, list):
        raise BodyError("no events array")
    events: list[Event] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        source = item.get("source") if isinstance(item.get("source"), dict) else {}
        user = _text(source.get("userId")) if source else ""
        message = item.get("message") if isinstance(item.get("message"), dict) else {}
        kind = _text(item.get("type")) or "other"
        if kind == "message" and message and message.get("type") == "text":
            kind = "text"
        if item.get("mode") == "standby":  # another module answers this chat: stay silent
            kind = "standby"
        event_id = _text(item.get("webhookEventId")) or f"{kind}:{user}:{item.get('timestamp')}"
        text = _text(message.get("text")) if message else ""
        reply_token = _text(item.get("replyToken"))
        events.append(Event(destination, event_id, kind, user, text, reply_token, item))
    return events
