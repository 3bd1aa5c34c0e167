"""Shared fixtures. Tests run on whatever DATABASE_URL / REDIS_URL say (CI: PostgreSQL, Redis).

Tests that need something the machine may lack say so with a marker, and are skipped with the
reason when it is missing:
  @pytest.mark.postgres(why="...")  PostgreSQL (concurrency, trigram search, triggers, ...)
  @pytest.mark.browser              headless Chromium
  @pytest.mark.needs("pdftotext", "weasyprint", "redis", "redis-server")  see REQUIREMENTS
With CRM_NO_SKIPS=1 (set by .ci/run) a missing requirement fails the run instead.
CRM_EMBEDDED_RUN=1 declares a run on `make run`'s defaults on purpose (CI's second run: no
DATABASE_URL, so SQLite, and no REDIS_URL): the session refuses to start with either set, and the
tests marked postgres or needs("redis") are skipped even with CRM_NO_SKIPS=1; all else must run.
Never skip with a bare `skipif`: it would bypass CRM_NO_SKIPS.
"""

from __future__ import annotations

import functools
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
EMBEDDED_RUN = os.environ.get("CRM_EMBEDDED_RUN") == "1"
# What a run on the embedded defaults is expected to lack.
EMBEDDED_LACKS = {"redis"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _program(name: str, package: str) -> str | None:
    return None if shutil.which(name) else f"{name} is missing (apt-get install -y {package})"


def _weasyprint() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"WeasyPrint cannot load its system libraries (Pango): {error}"
    return None


def _redis() -> str | None:
    return None if os.environ.get("REDIS_URL") else "needs REDIS_URL (a real Redis)"


# What `@pytest.mark.needs(...)` may name: a check that returns why it is missing, or None.
REQUIREMENTS: dict[str, Callable[[], str | None]] = {
    "pdftotext": lambda: _program("pdftotext", "poppler-utils"),
    "weasyprint": _weasyprint,
    "redis": _redis,
    "redis-server": lambda: _program("redis-server", "redis-server"),
}


@functools.cache
def _missing(requirement: str) -> str | None:
    if requirement not in REQUIREMENTS:
        raise pytest.UsageError(
            f"@pytest.mark.needs({requirement!r}): unknown, known are {sorted(REQUIREMENTS)}"
        )
    return REQUIREMENTS[requirement]()


def _skip_or_fail(item: pytest.Item, reason: str, *, expected: bool = False) -> None:
    if NO_SKIPS and not expected:
        raise pytest.UsageError(f"CRM_NO_SKIPS=1 but {item.nodeid} cannot run: {reason}")
    item.add_marker(pytest.mark.skip(reason=reason))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    vendor = connection.vendor
    if EMBEDDED_RUN and (vendor != "sqlite" or settings.REDIS_URL):
        raise pytest.UsageError(
            f"CRM_EMBEDDED_RUN=1 but the database is {vendor} and REDIS_URL is "
            f"{settings.REDIS_URL or 'unset'}: unset DATABASE_URL and REDIS_URL for this run"
        )
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker and vendor != "postgresql":
            why = marker.kwargs.get("why") or (marker.args[0] if marker.args else "")
            _skip_or_fail(
                item,
                f"needs PostgreSQL ({why}); set DATABASE_URL=postgres://... to run it",
                expected=EMBEDDED_RUN,
            )
        if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
            _skip_or_fail(item, f"needs headless Chromium at {CHROMIUM} (apt-get install chromium)")
        for needs in item.iter_markers("needs"):
            for requirement in needs.args:
                reason = _missing(requirement)
                if reason:
                    _skip_or_fail(
                        item, reason, expected=EMBEDDED_RUN and requirement in EMBEDDED_LACKS
                    )


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
def _project_celery_app():
    """Each test ends with the project's Celery app current and default again: a test's
    worker (celery.contrib.testing start_worker) makes its own app both, and a later test's
    threads (live server, sandboxes) would publish jobs to that stopped app."""
    yield
    from crm.celery import app

    app.set_current()
    app.set_default()


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


@pytest.fixture
def encryption_keys(settings):
    """A fresh CRM_ENCRYPTION_KEYS for the test (yields the list). pytest-django turns DEBUG
    off, and then common.secrets refuses to store secrets and tokens without a key; the live
    server thread of browser tests reads the same settings."""
    from cryptography.fernet import Fernet

    from common import secrets

    settings.CRM_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    secrets.keys_changed()
    yield settings.CRM_ENCRYPTION_KEYS
    secrets.keys_changed()


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): <start a background job>`: when the block ends, the transaction's
    on-commit hooks run and the job's Celery task runs in this process (eager mode), as a worker
    would run it. Tests of the worker itself start a real one (tests/crm/test_jobs_worker.py)."""
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        app.conf.task_always_eager = False


def job_of(response):
    """The background job whose page `response` redirects to."""
    from django.urls import resolve

    from common.models import BackgroundJob

    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "job_detail", response["Location"]
    return BackgroundJob.objects.get(pk=match.kwargs["pk"])
