from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import F
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from crm.lockout import locked_response
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/login/"
ADMIN_LOGIN = "/maintenance/login/"


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


def locked(response) -> bool:
    """The page is the sign-in page refusing with the lock message (HTTP 429)."""
    errors = response.context["form"].errors.as_data().get("__all__", [])
    return response.status_code == 429 and [e.code for e in errors] == ["locked"]


def test_five_failures_lock_the_account_from_that_address_even_for_the_right_password(
    client, make_user
):
    make_user("sales", username="lan")
    for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = attempt(client, "lan", "wrong")
        assert response.status_code == 200, n
        assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
            "invalid_login"
        ]
    # The failure that reaches the limit already answers with the lock.
    assert locked(attempt(client, "lan", "wrong"))
    response = attempt(client, "lan", PASSWORD)
    assert locked(response)
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_SECONDS)
    assert "_auth_user_id" not in client.session
    # A refused attempt during the lock does not lengthen it (nor count again).
    assert AccessAttempt.objects.get().failures_since_start == settings.LOGIN_FAILURE_LIMIT
    # Another address is not locked out by the first one's failures.
    assert attempt(client, "lan", PASSWORD, address="198.51.100.20").status_code == 302


def test_the_username_is_counted_whatever_its_case_and_spaces(client, make_user):
    make_user("sales", username="lan")
    for name in ("lan", "LAN", " Lan", "lAn ", "lan"):
        attempt(client, name, "wrong")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["lan"]
    assert locked(attempt(client, "lan", PASSWORD))


def test_the_lockout_message_is_translated(client, make_user):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "lan", "wrong")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = attempt(client, "lan", "wrong").content.decode()
    assert "Đăng nhập sai quá nhiều lần. Vui lòng đợi 15 phút rồi thử lại." in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    html = attempt(client, "lan", "wrong").content.decode()
    assert "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป" in html


def test_many_usernames_from_one_address_are_throttled_too(client, make_user):
    make_user("sales", username="real")
    with override_settings(LOGIN_IP_FAILURE_LIMIT=8):
        for n in range(7):
            assert attempt(client, f"guess{n}", "wrong").status_code == 200
        assert locked(attempt(client, "guess7", "wrong"))
        response = attempt(client, "real", PASSWORD)
        assert locked(response)
        assert "_auth_user_id" not in client.session
        # Another address still signs in.
        assert attempt(client, "real", PASSWORD, address="198.51.100.20").status_code == 302


def test_the_lock_lifts_after_the_window_counted_from_the_last_failure(client, make_user):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "lan", "wrong")
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    # One second short of the window since the last failure: still locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - window + timedelta(seconds=5))
    assert locked(attempt(client, "lan", PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - window - timedelta(seconds=1))
    assert attempt(client, "lan", PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0


def test_a_success_resets_the_failure_count_of_that_username_and_address_only(client, make_user):
    make_user("sales", username="lan")
    attempt(client, "someone", "wrong")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        attempt(client, "lan", "wrong")
    assert attempt(client, "lan", PASSWORD).status_code == 302
    client.logout()
    # The failures on another username from that address still count towards its limit.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("someone", 1)
    ]
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        attempt(client, "lan", "wrong")
    assert attempt(client, "lan", PASSWORD).status_code == 302


# --- One lock for every way in: /login/, the maintenance (admin) login, authenticate() --------


def admin_attempt(client, username, password, address="203.0.113.7"):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/maintenance/"},
        REMOTE_ADDR=address,
    )


def test_failures_on_the_login_page_lock_the_maintenance_login(client, make_user):
    make_user("owner", username="chu")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "chu", "wrong")
    response = admin_attempt(client, "chu", PASSWORD)
    assert locked(response)
    assert "Too many failed sign-in attempts. Please wait 15 minutes and try again." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert admin_attempt(client, "chu", PASSWORD, address="198.51.100.20").status_code == 302


def test_failures_on_the_maintenance_login_lock_the_login_page(client, make_user):
    make_user("owner", username="chu")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        admin_attempt(client, "chu", "wrong")
    assert locked(attempt(client, "chu", PASSWORD))
    assert "_auth_user_id" not in client.session


def test_twenty_wrong_passwords_then_the_right_one_on_the_maintenance_login_are_refused(
    client, make_user
):
    make_user("owner", username="chu")
    statuses = [admin_attempt(client, "chu", f"guess-{n}").status_code for n in range(20)]
    limit = settings.LOGIN_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (21 - limit)
    response = admin_attempt(client, "chu", PASSWORD)
    assert locked(response)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start == limit


def test_the_address_limit_holds_on_the_maintenance_login(client, make_user):
    make_user("owner", username="chu")
    with override_settings(LOGIN_IP_FAILURE_LIMIT=6):
        for n in range(6):
            attempt(client, f"guess{n}", "wrong")
        assert locked(admin_attempt(client, "chu", PASSWORD))
    assert "_auth_user_id" not in client.session


def test_authenticate_with_a_request_counts_and_is_refused_during_the_lock(rf, make_user):
    user = make_user("sales", username="lan")

    def request():
        return rf.post("/elsewhere/", REMOTE_ADDR="203.0.113.9")

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert authenticate(request(), username="lan", password="wrong") is None
    assert AccessAttempt.objects.get().failures_since_start == settings.LOGIN_FAILURE_LIMIT
    assert authenticate(request(), username="lan", password=PASSWORD) is None
    other = rf.post("/elsewhere/", REMOTE_ADDR="198.51.100.20")
    assert authenticate(other, username="lan", password=PASSWORD) == user


def test_authenticate_without_a_request_is_refused(make_user):
    make_user("sales", username="lan")
    with pytest.raises(ValueError, match="requires a request"):
        authenticate(username="lan", password=PASSWORD)


def test_the_client_address_trusts_only_the_configured_proxy_hops(client, make_user):
    make_user("sales", username="lan")
    forwarded = "10.9.9.9, 198.51.100.77"
    client.post(
        LOGIN, {"username": "lan", "password": "x"}, REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )  # fmt: skip
    with override_settings(TRUSTED_PROXY_COUNT=1):
        client.post(
            LOGIN, {"username": "lan", "password": "x"}, REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )  # fmt: skip
        # A forged or garbled header never becomes an address.
        client.post(
            LOGIN, {"username": "lan", "password": "x"}, REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="not-an-address",
        )  # fmt: skip
    rows = AccessAttempt.objects.order_by(F("ip_address").asc(nulls_last=True))
    assert list(rows.values_list("ip_address", flat=True)) == ["10.0.0.2", "198.51.100.77", None]


def test_the_lock_holds_and_counts_with_the_cache_down(client, make_user):
    make_user("sales", username="lan")
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=dead_redis):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            attempt(client, "lan", "wrong")
        assert locked(attempt(client, "lan", PASSWORD))
    # The cache coming back does not forget the lock.
    assert locked(attempt(client, "lan", PASSWORD))


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


def test_a_locked_attempt_elsewhere_gets_the_sign_in_page_with_the_lock(rf, make_user):
    make_user("sales", username="lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        authenticate(rf.post("/x/", REMOTE_ADDR="203.0.113.9"), username="lan", password="no")
    request = rf.post("/x/", REMOTE_ADDR="203.0.113.9")
    request.user = AnonymousUser()
    assert authenticate(request, username="lan", password=PASSWORD) is None
    assert request.axes_locked_out is True
    response = locked_response(request, HttpResponse("the page of some view"), None)
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_SECONDS)
    html = response.content.decode()
    assert "Too many failed sign-in attempts. Please wait 15 minutes and try again." in html
    assert 'name="password"' in html


def test_an_owner_unlocks_a_username_with_the_axes_command(client, make_user):
    make_user("sales", username="Lan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "Lan", "wrong")
    assert locked(attempt(client, "Lan", PASSWORD))
    call_command("axes_reset_username", "lan", stdout=StringIO())
    assert AccessAttempt.objects.count() == 0
    assert attempt(client, "Lan", PASSWORD).status_code == 302
