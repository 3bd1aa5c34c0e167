"""Push (webhook) sender of the Shopee sandbox: a background thread that POSTs signed pushes.

Success = any 2xx (Shopee wants an empty body; whether it was empty is recorded). A failed
push is handed to `on_failure` so the sandbox keeps it for `get_lost_push_message`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common.sandbox_sender import RetryingSender

from .signing import push_signature


def push_body(
    data: dict[str, Any], *, shop_id: int | None, code: int, timestamp: int, msg_id: str | None
) -> bytes:
    """The push envelope; partner-level pushes (codes 1, 2, 12) carry no top-level shop_id."""
    envelope: dict[str, Any] = {"data": data}
    if shop_id is not None:
        envelope["shop_id"] = shop_id
    envelope.update({"code": code, "timestamp": timestamp})
    if msg_id is not None:
        envelope["msg_id"] = msg_id
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class PushJob:
    partner_id: int
    shop_id: int | None
    code: int
    timestamp: int
    url: str
    partner_key: str
    body: bytes


@dataclass(frozen=True)
class Delivery:
    """One attempt: what was sent and how the receiver answered (status 0 = no answer)."""

    url: str
    code: int
    body: bytes
    signature: str
    status: int
    ok: bool
    empty_body: bool


class PushSender(RetryingSender[PushJob]):
    """First in, first out; a failed push is not retried (Shopee keeps it as lost)."""

    drain_on_stop = True

    def __init__(self, on_failure: Callable[[PushJob], None], timeout: float = 3.0) -> None:
        super().__init__(name="shopee-push", timeout=timeout)
        self._on_failure = on_failure
        self.deliveries: list[Delivery] = []

    def enqueue(self, job: PushJob) -> None:
        self.schedule(job)

    def _attempt(self, job: PushJob, attempt: int) -> None:
        signature = push_signature(job.partner_key, job.url, job.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        answer = self.post(job.url, job.body, headers)
        ok = 200 <= answer.status < 300
        self.deliveries.append(
            Delivery(job.url, job.code, job.body, signature, answer.status, ok, answer.empty)
        )
        if not ok:
            self._on_failure(job)
