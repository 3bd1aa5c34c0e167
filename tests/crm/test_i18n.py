"""The UI ships complete in Vietnamese, Thai and English."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["vi", "th"])
def test_every_message_is_translated(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "Đăng nhập"), ("th", "เข้าสู่ระบบ"), ("en", "Sign in")]
)
def test_login_page_in_each_language(language, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    html = client.get(reverse("login")).content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html
