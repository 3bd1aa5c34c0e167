"""Secrets at rest: encrypted in the column, plain on the model, rotatable without loss."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from common import secrets
from common.http import redacted


@pytest.fixture
def keys(settings):
    """Two fresh keys; restores the configured ones (and the cache) afterwards."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CRM_ENCRYPTION_KEYS = [old]
    secrets.keys_changed()
    yield old, new
    secrets.keys_changed()


def test_round_trip_and_every_token_differs(keys):
    first, second = secrets.encrypt("partner-key-123"), secrets.encrypt("partner-key-123")
    assert first != second
    assert "partner-key-123" not in first
    assert secrets.decrypt(first) == secrets.decrypt(second) == "partner-key-123"
    assert secrets.encrypt("") == ""
    assert secrets.decrypt("") == ""


def test_a_token_from_an_unknown_key_is_refused(keys):
    foreign = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    with pytest.raises(secrets.InvalidToken):
        secrets.decrypt(foreign)


def test_production_without_keys_refuses(settings):
    settings.CRM_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    secrets.keys_changed()
    try:
        with pytest.raises(Exception, match="CRM_ENCRYPTION_KEYS must be set"):
            secrets.encrypt("x")
    finally:
        secrets.keys_changed()


@pytest.mark.django_db
def test_the_column_holds_ciphertext_and_rotation_moves_it_to_the_new_key(keys, settings):
    from channels_sync.models import ChannelApp

    old, new = keys
    app = ChannelApp.objects.create(
        platform="shopee",
        name="Main",
        app_key="2001887",
        app_secret="test_partner_key",
        api_base_url="https://partner.shopeemobile.com",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret FROM channels_sync_channelapp WHERE id = %s", [app.pk])
        (stored,) = cursor.fetchone()
    assert "test_partner_key" not in stored
    assert Fernet(old.encode()).decrypt(stored.encode()) == b"test_partner_key"

    settings.CRM_ENCRYPTION_KEYS = [new, old]
    secrets.keys_changed()
    out = StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "channels_sync.ChannelApp: 1 rows" in out.getvalue()

    settings.CRM_ENCRYPTION_KEYS = [new]
    secrets.keys_changed()
    assert ChannelApp.objects.get(pk=app.pk).app_secret == "test_partner_key"


def test_redacted_hides_secrets_in_urls_and_json():
    url = "https://h/api/v2/order/get_order_list?partner_id=1&sign=abc&access_token=tok&cursor="
    assert redacted(url) == (
        "https://h/api/v2/order/get_order_list?partner_id=1&sign=***&access_token=***&cursor="
    )
    body = '{"refresh_token": "r1", "shop_id": 5, "code":"c"}'
    assert redacted(body) == '{"refresh_token": "***", "shop_id": 5, "code":"***"}'
