from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/login/"


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_lands_on_the_dashboard_in_the_users_language(client, make_user):
    make_user("sales", username="somchai", language="th")
    response = attempt(client, "somchai", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert page.context["request"].LANGUAGE_CODE == "th"


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user):
    make_user("sales", username="lan")
    response = attempt(client, "lan", "nope")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "invalid_login"
    ]
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_from_that_address_even_for_the_right_password(
    client, make_user
):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "lan", "wrong")
    response = attempt(client, "lan", PASSWORD)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["locked"]
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by the first one's failures.
    assert attempt(client, "lan", PASSWORD, address="198.51.100.20").status_code == 302


def test_the_lockout_message_is_translated(client, make_user):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "lan", "wrong")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = attempt(client, "lan", "wrong").content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    html = attempt(client, "lan", "wrong").content.decode()
    assert "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป" in html


def test_many_usernames_from_one_address_are_throttled_too(client, make_user):
    make_user("sales", username="real")
    with override_settings(LOGIN_IP_FAILURE_LIMIT=8):
        for n in range(8):
            attempt(client, f"guess{n}", "wrong")
        response = attempt(client, "real", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_window(client, make_user):
    make_user("sales", username="lan")
    with override_settings(LOGIN_LOCKOUT_SECONDS=2):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            attempt(client, "lan", "wrong")
        assert attempt(client, "lan", PASSWORD).status_code == 200
        time.sleep(2.2)
        assert attempt(client, "lan", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client, make_user):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        attempt(client, "lan", "wrong")
    assert attempt(client, "lan", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        attempt(client, "lan", "wrong")
    assert attempt(client, "lan", PASSWORD).status_code == 302


def test_language_switch_is_kept_on_the_user(client, login_as):
    user = login_as("sales", language="vi")
    response = client.post(
        reverse("language_switch"), {"language": "th", "next": "/"}, HTTP_HOST="testserver"
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    user.refresh_from_db()
    assert user.language == "th"


def test_language_switch_ignores_foreign_redirects(client, login_as):
    login_as("sales")
    response = client.post(
        reverse("language_switch"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dashboard")


def test_password_change(client, login_as):
    user = login_as("sales")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "An0ther-long-passphrase",
            "new_password2": "An0ther-long-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("An0ther-long-passphrase")
