"""GHN sandbox: the callback sender. One background thread POSTs each callback (JSON, no
signature: GHN signs nothing); any answer but HTTP 200 is retried `retries` times (GHN: 10)
`interval` seconds apart (GHN: 5 s; compressed here, 0.2 s by default). Every attempt is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.sandbox_sender import RetryingSender


@dataclass(frozen=True)
class Delivery:
    """One attempt: status 0 = no answer (refused, timeout)."""

    url: str
    body: bytes
    attempt: int  # 1 = the first send
    status: int

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class _Job:
    url: str
    body: bytes


class CallbackSender(RetryingSender[_Job]):
    first_attempt = 1

    def __init__(self, *, retries: int = 10, interval: float = 0.2, timeout: float = 3.0) -> None:
        super().__init__(name="ghn-callbacks", timeout=timeout, keep_alive=True)
        self.retries, self.interval = retries, interval
        self.deliveries: list[Delivery] = []

    def send(self, url: str, body: bytes) -> None:
        self.schedule(_Job(url, body))

    @property
    def pending(self) -> int:
        return self.backlog()

    def _attempt(self, job: _Job, attempt: int) -> float | None:
        status = self.post(job.url, job.body, {"Content-Type": "application/json"}).status
        with self._cond:
            self.deliveries.append(Delivery(job.url, job.body, attempt, status))
        return self.interval if status != 200 and attempt <= self.retries else None
