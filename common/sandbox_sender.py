"""The background sender of the sandboxes' pushes, webhooks and callbacks: one thread delivers
each job when it is due; the subclass makes one attempt (`_attempt`) and says whether and when
to try again, so each platform keeps its own retry schedule, signature and idea of success.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import requests

JobT = TypeVar("JobT")
# (due on time.monotonic(), sequence: first in, first out among the due, attempt, job)
Entry = tuple[float, int, int, JobT]


@dataclass(frozen=True)
class Answer:
    """How the receiver answered one POST: status 0 = no answer (refused, timeout)."""

    status: int
    empty: bool
    seconds: float


class RetryingSender(Generic[JobT]):
    """`first_attempt` numbers the first send (0 or 1, as each sandbox counts). With
    `keep_alive` the POSTs share one session, closed on stop(). With `drain_on_stop`, stop()
    first waits (5 s at most) for the jobs still queued."""

    first_attempt = 0
    drain_on_stop = False

    def __init__(self, *, name: str, timeout: float, keep_alive: bool = False) -> None:
        self.name, self.timeout = name, timeout
        self._heap: list[Entry[JobT]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._session = requests.Session() if keep_alive else None

    def _attempt(self, job: JobT, attempt: int) -> float | None:
        """Deliver once; seconds until the next attempt, or None when the job is done."""
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self.drain_on_stop and self._thread is not None:
            self.flush(timeout=5.0)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._session is not None:
            self._session.close()  # kept-alive connections end (the receiver's threads finish)

    def schedule(self, job: JobT, *, attempt: int | None = None, delay: float = 0.0) -> None:
        first = self.first_attempt if attempt is None else attempt
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), first, job))
            self._cond.notify_all()

    def backlog(self, *, busy: bool = True) -> int:
        """Jobs waiting (retries included), and with `busy` the one being sent."""
        with self._cond:
            return len(self._heap) + (self._busy if busy else 0)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every job was delivered or given up; False on timeout."""
        return self._wait_until(lambda heap: not heap, timeout)

    def _wait_until(self, done: Callable[[list[Entry[JobT]]], bool], timeout: float) -> bool:
        """Wait until nothing is being sent and `done(waiting entries)`; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and done(self._heap), timeout)

    def _next(self) -> tuple[JobT, int] | None:
        with self._cond:
            while not self._stopping:
                if self._heap and self._heap[0][0] <= time.monotonic():
                    self._busy += 1
                    _due, _seq, attempt, job = heapq.heappop(self._heap)
                    return job, attempt
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                self._cond.wait(wait)
            return None

    def _run(self) -> None:
        while (taken := self._next()) is not None:
            job, attempt = taken
            try:
                delay = self._attempt(job, attempt)
                if delay is not None:
                    self.schedule(job, attempt=attempt + 1, delay=delay)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST without following redirects; a refused or timed-out call answers status 0."""
        started = time.monotonic()
        send = self._session.post if self._session is not None else requests.post
        try:
            answer = send(
                url, data=body, headers=dict(headers), timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException:
            return Answer(0, True, time.monotonic() - started)
        return Answer(answer.status_code, not answer.content, time.monotonic() - started)
