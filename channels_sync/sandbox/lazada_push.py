"""Push sender of the Lazada sandbox (marketplaces.md §2.7): a background thread that POSTs
signed pushes (`Authorization: hex(HMAC(app_secret, app_key + body))`).

Delivered = HTTP 200 answered within `ack_budget` (Lazada: 500 ms); anything else is retried
every `retry_interval` seconds, at most `retry_count` times (Lazada: 30 min x 12; scaled down
in tests). With `duplicates` each push is sent that many times (at-least-once delivery).
"""

from __future__ import annotations

from dataclasses import dataclass

from common.sandbox_sender import RetryingSender

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


class LazadaPushSender(RetryingSender[LazadaPush]):
    def __init__(
        self,
        *,
        ack_budget: float = 0.5,
        retry_interval: float = 1800.0,
        retry_count: int = 12,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name="lazada-push", timeout=timeout, keep_alive=True)
        self.ack_budget, self.retry_interval = ack_budget, retry_interval
        self.retry_count = retry_count
        self.deliveries: list[LazadaDelivery] = []
        self.given_up: list[LazadaPush] = []

    def enqueue(self, push: LazadaPush, *, copies: int = 1) -> None:
        for _ in range(copies):
            self.schedule(push)

    def _attempt(self, push: LazadaPush, attempt: int) -> float | None:
        signature = push_signature(push.app_secret, push.app_key, push.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        answer = self.post(push.url, push.body, headers)
        ok = answer.status == 200 and answer.seconds <= self.ack_budget
        self.deliveries.append(
            LazadaDelivery(
                push.url,
                push.message_type,
                push.body,
                signature,
                attempt,
                answer.status,
                answer.seconds,
                ok,
            )
        )
        if ok:
            return None
        if attempt < self.retry_count:
            return self.retry_interval
        self.given_up.append(push)
        return None
