"""GHN sandbox: the callback sender. One background thread POSTs each callback (JSON, no
signature: GHN signs nothing); any answer but HTTP 200 is retried `retries` times (GHN: 10)
`interval` seconds apart (GHN: 5 s; compressed here, 0.2 s by default). Every attempt is kept.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass

import requests


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
    attempt: int


class CallbackSender:
    def __init__(self, *, retries: int = 10, interval: float = 0.2, timeout: float = 3.0) -> None:
        self.retries, self.interval, self.timeout = retries, interval, timeout
        self.deliveries: list[Delivery] = []
        self._heap: list[tuple[float, int, _Job]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._http = requests.Session()

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="ghn-callbacks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close()

    def send(self, url: str, body: bytes) -> None:
        self._push(_Job(url, body, 1), 0.0)

    def _push(self, job: _Job, delay: float) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), job))
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._busy

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every callback was delivered or gave up; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._heap and not self._busy, timeout)

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                if self._heap and self._heap[0][0] <= time.monotonic():
                    self._busy += 1
                    return heapq.heappop(self._heap)[2]
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                self._cond.wait(wait)
            return None

    def _run(self) -> None:
        while (job := self._next_job()) is not None:
            try:
                status = self._post(job)
                with self._cond:
                    self.deliveries.append(Delivery(job.url, job.body, job.attempt, status))
                if status != 200 and job.attempt <= self.retries:
                    self._push(_Job(job.url, job.body, job.attempt + 1), self.interval)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _post(self, job: _Job) -> int:
        try:
            answer = self._http.post(
                job.url,
                data=job.body,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException:
            return 0
        return answer.status_code
