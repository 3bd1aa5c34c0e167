"""Webhook sender of the TikTok sandbox (marketplaces.md §3.7): a background thread that POSTs
signed webhooks and retries the ones not answered 200 within the timeout at +2 min, +30 min,
+3 h and +12 h after the previous attempt (multiplied by `retry_scale`, so tests compress the
schedule), then drops them.

Signature: `Authorization: hex(HMAC-SHA256(app_secret, app_key + body))`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from common.sandbox_sender import RetryingSender

RETRY_DELAYS = (120.0, 1800.0, 3 * 3600.0, 12 * 3600.0)


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Webhook:
    url: str
    app_key: str
    app_secret: str
    kind: int  # the envelope's `type`
    body: bytes


@dataclass(frozen=True)
class Delivery:
    """One attempt (0 = first send, 1..4 = retries); status 0 = no answer in time."""

    url: str
    kind: int
    body: bytes
    signature: str
    attempt: int
    at: float  # time.monotonic() of the attempt
    status: int
    ok: bool
    empty_body: bool


class WebhookSender(RetryingSender[Webhook]):
    def __init__(self, *, timeout: float = 3.0, retry_scale: float = 1.0) -> None:
        super().__init__(name="tiktok-webhooks", timeout=timeout)
        self.retry_scale = retry_scale
        self.deliveries: list[Delivery] = []
        self.dropped: list[Webhook] = []

    def enqueue(self, hook: Webhook, *, attempt: int = 0, delay: float = 0.0) -> None:
        self.schedule(hook, attempt=attempt, delay=delay)

    def flush(self, timeout: float = 5.0, *, retries: bool = False) -> bool:
        """Wait until every webhook due now was attempted (with `retries`, also the scheduled
        retries); False on timeout."""

        def done(heap: list[tuple[float, int, int, Webhook]]) -> bool:
            now = time.monotonic()
            return not [e for e in heap if retries or (e[2] == 0 and e[0] <= now)]

        return self._wait_until(done, timeout)

    def pending(self) -> int:
        return self.backlog(busy=False)

    def _attempt(self, hook: Webhook, attempt: int) -> float | None:
        signature = webhook_signature(hook.app_key, hook.app_secret, hook.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        answer = self.post(hook.url, hook.body, headers)
        ok = answer.status == 200
        self.deliveries.append(
            Delivery(
                hook.url,
                hook.kind,
                hook.body,
                signature,
                attempt,
                time.monotonic(),
                answer.status,
                ok,
                answer.empty,
            )
        )
        if ok:
            return None
        if attempt < len(RETRY_DELAYS):
            return RETRY_DELAYS[attempt] * self.retry_scale
        self.dropped.append(hook)
        return None
