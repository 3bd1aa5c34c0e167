"""cache_lock: one holder at a time across threads (and processes: the cache is shared)."""

from __future__ import annotations

import threading
import time

import pytest

from common.cache import LockBusy, cache_lock


def test_a_second_taker_waits_for_the_first_to_finish():
    order: list[str] = []

    def second():
        with cache_lock("test-lock-order", wait=5):
            order.append("second in")

    with cache_lock("test-lock-order"):
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.3)
        order.append("first out")
    worker.join(5)
    assert order == ["first out", "second in"]


def test_a_taker_that_cannot_wait_is_refused_and_the_holder_keeps_it():
    with cache_lock("test-lock-busy"), pytest.raises(LockBusy):  # noqa: SIM117
        with cache_lock("test-lock-busy", wait=0.1):
            pass
    with cache_lock("test-lock-busy"):  # released: free again
        pass


def test_an_expired_hold_is_not_released_by_its_old_holder():
    old = cache_lock("test-lock-expiry", hold=0.5)
    old.__enter__()
    time.sleep(1.2)  # the old holder's time is up: someone else takes the lock
    new = cache_lock("test-lock-expiry", hold=30)
    new.__enter__()
    old.__exit__(None, None, None)  # the old holder finishing must not free the new one's lock
    with pytest.raises(LockBusy), cache_lock("test-lock-expiry", wait=0):
        pass
    new.__exit__(None, None, None)
    with cache_lock("test-lock-expiry", wait=0):
        pass
