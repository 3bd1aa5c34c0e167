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
