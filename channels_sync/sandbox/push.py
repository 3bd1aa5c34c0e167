"""Push (webhook) sender of the Shopee sandbox: a background thread that POSTs signed pushes.

Success = any 2xx (Shopee wants an empty body; whether it was empty is recorded). A failed
push is handed to `on_failure` so the sandbox keeps it for `get_lost_push_message`.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

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


class PushSender:
    def __init__(self, on_failure: Callable[[PushJob], None], timeout: float = 3.0) -> None:
        self._on_failure = on_failure
        self._timeout = timeout
        self._queue: queue.Queue[PushJob | None] = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self.deliveries: list[Delivery] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="shopee-push", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def enqueue(self, job: PushJob) -> None:
        with self._cond:
            self._pending += 1
        self._queue.put(job)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued push was attempted; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._send(job)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def _send(self, job: PushJob) -> None:
        signature = push_signature(job.partner_key, job.url, job.body)
        headers = {"Content-Type": "application/json", "Authorization": signature}
        status, empty = 0, True
        try:
            answer = requests.post(
                job.url,
                data=job.body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
            status, empty = answer.status_code, not answer.content
        except requests.RequestException:
            pass
        ok = 200 <= status < 300
        self.deliveries.append(Delivery(job.url, job.code, job.body, signature, status, ok, empty))
        if not ok:
            self._on_failure(job)
