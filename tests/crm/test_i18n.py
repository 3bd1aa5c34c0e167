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


# One English source, two meanings: each use has its context and its own translation.
SHARED_SOURCES = [
    ("sales order", "Back to the order", "Quay lại đơn hàng", "กลับไปที่คำสั่งซื้อ"),
    ("purchase order", "Back to the order", "Quay lại đơn mua hàng", "กลับไปที่ใบสั่งซื้อ"),
    ("delivery address", "Deliver to", "Giao đến", "ส่งถึง"),
    ("follow-up note kind", "Contact", "Liên hệ", "การติดต่อ"),
    ("time received", "Received", "Thời điểm nhận", "ได้รับเมื่อ"),
]


@pytest.mark.parametrize(("context", "source", "vi", "th"), SHARED_SOURCES)
def test_shared_sources_are_told_apart_by_context(context, source, vi, th):
    from django.utils import translation

    for language, expected in (("vi", vi), ("th", th), ("en", source)):
        with translation.override(language):
            assert translation.pgettext(context, source) == expected


def test_a_follow_up_contact_note_is_not_a_contact_person():
    from django.utils import translation

    from followups.models import NoteKind

    with translation.override("vi"):
        assert str(NoteKind.CONTACT.label) == "Liên hệ"
    with translation.override("th"):
        assert str(NoteKind.CONTACT.label) == "การติดต่อ"
