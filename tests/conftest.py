"""Shared fixtures. Tests run on whatever DATABASE_URL / REDIS_URL say (CI: PostgreSQL, Redis).

Tests that need PostgreSQL or Chromium are skipped with the reason when those are missing;
with CRM_NO_SKIPS=1 (set by .ci/run) a missing requirement fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from crm.models import User
from crm.services import user_create

PASSWORD = "Test-passw0rd-for-staff"
NO_SKIPS = os.environ.get("CRM_NO_SKIPS") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _skip_or_fail(item: pytest.Item, reason: str) -> None:
    if NO_SKIPS:
        raise pytest.UsageError(f"CRM_NO_SKIPS=1 but {item.nodeid} cannot run: {reason}")
    item.add_marker(pytest.mark.skip(reason=reason))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    vendor = connection.vendor
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker and vendor != "postgresql":
            why = marker.kwargs.get("why") or (marker.args[0] if marker.args else "")
            _skip_or_fail(
                item,
                f"needs PostgreSQL ({why}); set DATABASE_URL=postgres://... to run it",
            )
        if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
            _skip_or_fail(item, f"needs headless Chromium at {CHROMIUM} (apt-get install chromium)")


def _clear_cache() -> None:
    """Drop this test session's cache keys only (never FLUSHDB a shared Redis)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request or a test that switched the thread
    to Thai must not leak into the next test's messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    counter = {"n": 0}

    def make(role: str, **fields) -> User:
        counter["n"] += 1
        fields.setdefault("username", f"{role}{counter['n']}")
        return user_create(role=role, password=PASSWORD, **fields)

    return make


@pytest.fixture
def login_as(make_user, client: Client) -> Callable[[str], User]:
    def login(role: str, **fields) -> User:
        user = make_user(role, **fields)
        client.force_login(user)
        return user

    return login
