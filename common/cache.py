"""The shared cache (Redis in production), which degrades instead of failing when Redis is down.

Everything the pages keep in the cache can be recomputed (dashboard counts, the reminder
badge), so while Redis is unreachable a read is a miss and a write is skipped: the page is
computed from the database and answers as usual. Callers whose answer depends on the shared
value itself (the API rate limiter's counter) ask for the error instead, inside
`cache_errors_raised()`, and fall back on their own.

The outage is per process: the first failed command logs one warning, the first command that
works again logs its end. In between, Redis is tried again at most every `OUTAGE_RETRY_SECONDS`
(an OPTIONS entry, default 5), so an outage costs one connection attempt per process per
interval, never one per cache call; short socket timeouts bound that attempt.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What an outage raises: connection refused or reset, name resolution, socket timeouts.
OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class CacheUnavailable(Exception):
    """The shared cache could not be reached (raised only inside `cache_errors_raised()`)."""


@dataclass(frozen=True)
class OutageState:
    since: float  # time.time() of the first failure
    error: str


class _Outage:
    """This process's view of Redis: reachable, or down since when (and why)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: OutageState | None = None
        self._last_attempt = 0.0

    def state(self) -> OutageState | None:
        return self._state

    def should_skip(self, *, retry_seconds: float) -> bool:
        """During an outage, only one attempt per `retry_seconds` goes to Redis."""
        with self._lock:
            if self._state is None:
                return False
            now = time.monotonic()
            if now - self._last_attempt < retry_seconds:
                return True
            self._last_attempt = now
            return False

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._last_attempt = time.monotonic()
            if self._state is not None:
                return
            self._state = OutageState(since=time.time(), error=str(error))
        logger.warning(
            "Redis unreachable (%s): cached values are recomputed, API rate limits are "
            "counted per process, until it answers again",
            error,
        )

    def succeeded(self) -> None:
        if self._state is None:  # the common case, without the lock
            return
        with self._lock:
            state, self._state = self._state, None
        if state is not None:
            logger.warning("Redis reachable again after %.0f s", time.time() - state.since)


outage = _Outage()
_raise_errors: ContextVar[bool] = ContextVar("cache_raise_errors", default=False)


@contextmanager
def cache_errors_raised() -> Iterator[None]:
    """Inside this block the shared cache raises CacheUnavailable instead of degrading."""
    token = _raise_errors.set(True)
    try:
        yield
    finally:
        _raise_errors.reset(token)


def cache_outage() -> OutageState | None:
    """Since when (and why) this process has found Redis unreachable; None when it answers."""
    return outage.state()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose commands degrade during an outage: reads miss, writes are
    skipped, `add` answers False and `incr` raises ValueError (as for a missing key)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        self.retry_seconds = float(options.pop("OUTAGE_RETRY_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})

    def _run(self, command: Callable[[], T], degraded: Callable[[], T]) -> T:
        if outage.should_skip(retry_seconds=self.retry_seconds):
            return self._degrade(degraded, "Redis unreachable")
        try:
            result = command()
        except OUTAGE_ERRORS as error:
            outage.failed(error)
            return self._degrade(degraded, str(error))
        outage.succeeded()
        return result

    @staticmethod
    def _degrade(degraded: Callable[[], T], reason: str) -> T:
        if _raise_errors.get():
            raise CacheUnavailable(reason)
        return degraded()

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.add(self, key, value, timeout, version), lambda: False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.get(self, key, default, version), lambda: default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._run(lambda: RedisCache.set(self, key, value, timeout, version), lambda: None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.touch(self, key, timeout, version), lambda: False)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.delete(self, key, version), lambda: False)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._run(lambda: RedisCache.has_key(self, key, version), lambda: False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (Redis unreachable)")

        return self._run(lambda: RedisCache.incr(self, key, delta, version), missing)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._run(
            lambda: RedisCache.set_many(self, data, timeout, version), lambda: list(data)
        )

    def count_in_window(self, key: Any, timeout: int, version: Any = None) -> int:
        """Add one to the counter `key`, made with the count 0 and an expiry of `timeout`
        seconds when missing; the new count. One round trip (MULTI: SET NX EX, INCR, so the
        counter never lives without its expiry), where `add` then `incr` take two. Raises
        ValueError during an outage (as `incr` does for a missing key)."""
        name = self.make_and_validate_key(key, version=version)

        def command() -> int:
            pipe = self._redis().pipeline(transaction=True)
            pipe.set(name, 0, ex=timeout, nx=True)
            pipe.incr(name)
            return int(pipe.execute()[1])

        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (Redis unreachable)")

        return self._run(command, missing)

    def _redis(self) -> Any:
        """A client on the write pool, made once (Django's RedisCache makes one per command)."""
        client = getattr(self, "_write_client", None)
        if client is None:
            client = self._write_client = self._cache.get_client(write=True)
        return client

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._run(lambda: RedisCache.delete_many(self, keys, version), lambda: None)

    def clear(self) -> Any:
        return self._run(lambda: RedisCache.clear(self), lambda: False)


class LockBusy(Exception):
    """The named lock stayed taken for the whole wait."""


@contextmanager
def cache_lock(name: str, *, hold: float = 120.0, wait: float = 0.0) -> Iterator[None]:
    """A lock across processes on the shared cache (Redis in production): one holder at a time
    for `name`, released on exit or after `hold` seconds (a crashed holder does not block for
    ever). Waits up to `wait` seconds for it, then raises LockBusy."""
    from django.core.cache import cache

    key = f"lock:{name}"
    token = secrets.token_hex(8)
    deadline = time.monotonic() + wait
    while not cache.add(key, token, timeout=hold):
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        time.sleep(0.05)
    try:
        yield
    finally:
        if cache.get(key) == token:  # not expired and taken by someone else meanwhile
            cache.delete(key)
