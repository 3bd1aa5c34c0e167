"""Webhook sender of the Viettel Post sandbox: a background thread that POSTs `{DATA, TOKEN}`
callbacks and retries a delivery that did not get HTTP 200 after each of `retry_delays` seconds
(the doc gives no schedule; the sandbox compresses a carrier's minutes into fractions of a
second).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class Delivery:
    """One attempt: what was sent and how the receiver answered (status 0 = no answer)."""

    url: str
    body: bytes
    attempt: int  # 1 = first send
    status: int

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Callback:
    url: str
    body: bytes


class CallbackSender:
    def __init__(self, *, timeout: float = 2.0, retry_delays: tuple[float, ...] = ()) -> None:
        self.timeout = timeout
        self.retry_delays = retry_delays
        self._queue: queue.Queue[Callback | None] = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self.deliveries: list[Delivery] = []
        self.failed: list[Callback] = []  # every attempt failed
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vtp-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def enqueue(self, callback: Callback) -> None:
        with self._cond:
            self._pending += 1
        self._queue.put(callback)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued callback was delivered or gave up; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        while True:
            callback = self._queue.get()
            if callback is None:
                return
            try:
                self._deliver(callback)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def _deliver(self, callback: Callback) -> None:
        for attempt, pause in enumerate((0.0, *self.retry_delays), start=1):
            if pause:
                time.sleep(pause)
            status = self._post(callback)
            self.deliveries.append(Delivery(callback.url, callback.body, attempt, status))
            if status == 200:
                return
        self.failed.append(callback)

    def _post(self, callback: Callback) -> int:
        try:
            answer = requests.post(
                callback.url,
                data=callback.body,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException:
            return 0
        return answer.status_code
