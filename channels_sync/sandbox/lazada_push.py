"""Push sender of the Lazada sandbox (marketplaces.md §2.7): a background thread that POSTs
signed pushes (`Authorization: hex(HMAC(app_secret, app_key + body))`).

Delivered = HTTP 200 answered within `ack_budget` (Lazada: 500 ms); anything else is retried
every `retry_interval` seconds, at most `retry_count` times (Lazada: 30 min x 12; scaled down
in tests). With `duplicates` each push is sent that many times (at-least-once delivery).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass

import requests

from .lazada_state import push_signature


@dataclass(frozen=True)
class LazadaPush:
    url: str
    app_key: str
    app_secret: str
    message_type: int
    body: bytes


@dataclass(frozen=True)
class LazadaDelivery:
    """One attempt: what was sent and how the receiver answered (status 0 = no answer)."""

    url: str
    message_type: int
    body: bytes
    signature: str
    attempt: int  # 0 = the first send, 1.. = retries
    status: int
    seconds: float
    ok: bool


class LazadaPushSender:
    def __init__(
        self,
        *,
        ack_budget: float = 0.5,
        retry_interval: float = 1800.0,
        retry_count: int = 12,
        timeout: float = 5.0,
    ) -> None:
        self.ack_budget, self.retry_interval = ack_budget, retry_interval
        self.retry_count, self.timeout = retry_count, timeout
        self.deliveries: list[LazadaDelivery] = []
        self.given_up: list[LazadaPush] = []
        self._heap: list[tuple[float, int, LazadaPush, int]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._pending = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._http = requests.Session()

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="lazada-push", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close()  # kept-alive connections end (the receiver's threads finish)

    def enqueue(self, push: LazadaPush, *, copies: int = 1) -> None:
        with self._cond:
            for _ in range(copies):
                self._pending += 1
                heapq.heappush(self._heap, (time.monotonic(), next(self._seq), push, 0))
            self._cond.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every push was delivered or given up; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    if wait is not None and wait <= 0:
                        break
                    self._cond.wait(timeout=wait)
                if self._stopping:
                    return
                _due, _seq, push, attempt = heapq.heappop(self._heap)
            ok = self._send(push, attempt)
            with self._cond:
                if not ok and attempt < self.retry_count:
                    due = time.monotonic() + self.retry_interval
                    heapq.heappush(self._heap, (due, next(self._seq), push, attempt + 1))
                else:
                    if not ok:
                        self.given_up.append(push)
                    self._pending -= 1
                self._cond.notify_all()

    def _send(self, push: LazadaPush, attempt: int) -> bool:
        signature = push_signature(push.app_secret, push.app_key, push.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        started = time.monotonic()
        status = 0
        try:
            answer = self._http.post(
                push.url,
                data=push.body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            status = answer.status_code
        except requests.RequestException:
            pass
        seconds = time.monotonic() - started
        ok = status == 200 and seconds <= self.ack_budget
        self.deliveries.append(
            LazadaDelivery(
                push.url, push.message_type, push.body, signature, attempt, status, seconds, ok
            )
        )
        return ok
