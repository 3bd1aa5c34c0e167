"""Fixtures for channels_sync tests: local marketplace sandboxes over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels_sync.sandbox.shopee import ShopeeSandbox

SHOPEE_PARTNER_ID = 2001887
SHOPEE_PARTNER_KEY = "test_partner_key"


@pytest.fixture
def shopee_sandbox() -> Iterator[ShopeeSandbox]:
    """A started Shopee sandbox with one partner (2001887 / "test_partner_key"), no shops."""
    sandbox = ShopeeSandbox()
    sandbox.add_partner(SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


# --- pages engineer (h-pages): fixtures shared by test_pages*.py and test_tasks.py ---------


@pytest.fixture
def encryption_key(settings):  # type: ignore[no-untyped-def]
    """A fresh key for secrets at rest (tests run with DEBUG off, so one must be set)."""
    from cryptography.fernet import Fernet

    from common import secrets

    settings.CRM_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    secrets.keys_changed()
    yield
    secrets.keys_changed()


@pytest.fixture
def published():  # type: ignore[no-untyped-def]
    """Celery tasks published while the test runs, as (task name, kwargs)."""
    from celery.signals import before_task_publish

    seen: list[tuple[str, dict]] = []

    def record(sender=None, body=None, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((sender, body[1] if isinstance(body, tuple) else body))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)
