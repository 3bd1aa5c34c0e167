"""Webhook sender of the TikTok sandbox (marketplaces.md §3.7): a background thread that POSTs
signed webhooks and retries the ones not answered 200 within the timeout at +2 min, +30 min,
+3 h and +12 h after the previous attempt (multiplied by `retry_scale`, so tests compress the
schedule), then drops them.

Signature: `Authorization: hex(HMAC-SHA256(app_secret, app_key + body))`.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import threading
import time
from dataclasses import dataclass

import requests

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


class WebhookSender:
    def __init__(self, *, timeout: float = 3.0, retry_scale: float = 1.0) -> None:
        self.timeout, self.retry_scale = timeout, retry_scale
        self.deliveries: list[Delivery] = []
        self.dropped: list[Webhook] = []
        self._heap: list[tuple[float, int, int, Webhook]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop = False
            self._thread = threading.Thread(target=self._run, name="tiktok-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def enqueue(self, hook: Webhook, *, attempt: int = 0, delay: float = 0.0) -> None:
        with self._cond:
            due = time.monotonic() + delay
            heapq.heappush(self._heap, (due, next(self._seq), attempt, hook))
            self._cond.notify_all()

    def flush(self, timeout: float = 5.0, *, retries: bool = False) -> bool:
        """Wait until every webhook due now was attempted (with `retries`, also the scheduled
        retries); False on timeout."""

        def idle() -> bool:
            now = time.monotonic()
            waiting = [e for e in self._heap if retries or (e[2] == 0 and e[0] <= now)]
            return not waiting and self._busy == 0

        with self._cond:
            return self._cond.wait_for(idle, timeout=timeout)

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stop and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout=wait)
                if self._stop:
                    return
                _due, _seq, attempt, hook = heapq.heappop(self._heap)
                self._busy += 1
            try:
                self._send(hook, attempt)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _send(self, hook: Webhook, attempt: int) -> None:
        signature = webhook_signature(hook.app_key, hook.app_secret, hook.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        status, empty = 0, True
        try:
            answer = requests.post(
                hook.url,
                data=hook.body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            status, empty = answer.status_code, not answer.content
        except requests.RequestException:
            pass
        ok = status == 200
        self.deliveries.append(
            Delivery(
                hook.url,
                hook.kind,
                hook.body,
                signature,
                attempt,
                time.monotonic(),
                status,
                ok,
                empty,
            )
        )
        if ok:
            return
        if attempt < len(RETRY_DELAYS):
            self.enqueue(hook, attempt=attempt + 1, delay=RETRY_DELAYS[attempt] * self.retry_scale)
        else:
            self.dropped.append(hook)
