"""Webhook sender of the Viettel Post sandbox: a background thread that POSTs `{DATA, TOKEN}`
callbacks and retries a delivery that did not get HTTP 200 after each of `retry_delays` seconds
(the doc gives no schedule; the sandbox compresses a carrier's minutes into fractions of a
second).
"""

from __future__ import annotations

from dataclasses import dataclass

from common.sandbox_sender import RetryingSender


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


class CallbackSender(RetryingSender[Callback]):
    first_attempt = 1
    drain_on_stop = True

    def __init__(self, *, timeout: float = 2.0, retry_delays: tuple[float, ...] = ()) -> None:
        super().__init__(name="vtp-webhooks", timeout=timeout)
        self.retry_delays = retry_delays
        self.deliveries: list[Delivery] = []
        self.failed: list[Callback] = []  # every attempt failed

    def enqueue(self, callback: Callback) -> None:
        self.schedule(callback)

    def _attempt(self, callback: Callback, attempt: int) -> float | None:
        status = self.post(callback.url, callback.body, {"Content-Type": "application/json"}).status
        self.deliveries.append(Delivery(callback.url, callback.body, attempt, status))
        if status == 200:
            return None
        if attempt <= len(self.retry_delays):
            return self.retry_delays[attempt - 1]
        self.failed.append(callback)
        return None
