from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.services import heartbeat_record

pytestmark = pytest.mark.django_db


def rows(response) -> dict[str, str]:
    return {check.key: check.summary for check in response.context["checks"]}


def test_health_page_reports_each_component(client, login_as, settings):
    login_as("manager")
    now = timezone.now()
    heartbeat_record(name="worker", at=now - timedelta(seconds=10))
    heartbeat_record(name="beat", at=now - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 5))
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    status = {check.key: check.ok for check in response.context["checks"]}
    assert status == {
        "database": True,
        "redis": True,
        "worker": True,
        "beat": False,
        "beat_tick": False,
    }
    assert rows(response)["beat_tick"] == "never seen"
    assert response.context["all_ok"] is False
    html = response.content.decode()
    assert 'data-check="worker"' in html
    assert "<html" in html


def test_redis_row_says_how_background_jobs_run(client, login_as, settings):
    login_as("owner")
    check = next(c for c in client.get(reverse("health")).context["checks"] if c.key == "redis")
    if settings.REDIS_URL:
        assert check.summary == "OK"
        assert check.detail.startswith("version ")
    else:
        assert check.summary == "not used"
        assert "filesystem broker" in check.detail


def test_all_fresh_heartbeats_mean_all_running(client, login_as):
    login_as("owner")
    for name in ("worker", "beat", "beat_tick"):
        heartbeat_record(name=name)
    response = client.get(reverse("health"))
    assert response.context["all_ok"] is True
    assert b"All systems running" in response.content


def test_htmx_poll_gets_only_the_checks_fragment(client, login_as):
    login_as("owner")
    response = client.get(reverse("health"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="health-checks"')
    assert "<html" not in html


def test_health_page_is_for_owner_and_manager_only(client, login_as):
    login_as("sales")
    assert client.get(reverse("health")).status_code == 403


def test_healthz_is_public_and_terse(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "redis": True}


def test_the_first_minute_after_beat_starts_is_starting_not_red(client, login_as, settings):
    """Beat has started (and the worker), the scheduled tasks have not run yet: amber."""
    login_as("owner")
    now = timezone.now()
    heartbeat_record(name="beat_tick", at=now - timedelta(hours=3))  # before the restart
    for name in ("worker_started", "worker", "beat_started", "beat"):
        heartbeat_record(name=name, at=now - timedelta(seconds=40))
    response = client.get(reverse("health"))
    states = {check.key: check.state for check in response.context["checks"]}
    assert states == {
        "database": "ok",
        "redis": "ok",
        "worker": "ok",
        "beat": "ok",
        "beat_tick": "starting",
    }
    assert rows(response)["beat_tick"] == "starting"
    assert response.context["state"] == "starting"
    html = response.content.decode()
    assert 'data-state="starting">Starting up</p>' in html
    assert '<span class="pill pill--warn">starting</span>' in html
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="dashboard-health" data-state="starting">Starting up</span>' in dashboard


def test_after_the_grace_period_a_missing_heartbeat_is_red_again(client, login_as, settings):
    login_as("owner")
    now = timezone.now()
    started = now - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 1)
    for name in ("worker_started", "beat_started"):
        heartbeat_record(name=name, at=started)
    heartbeat_record(name="worker", at=now)
    heartbeat_record(name="beat", at=now)
    response = client.get(reverse("health"))
    assert rows(response)["beat_tick"] == "never seen"
    assert response.context["state"] == "bad"
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="dashboard-health" data-state="bad">Needs attention</span>' in dashboard


def test_a_process_that_started_without_ever_beating_is_starting(settings):
    from crm.selectors import system_health

    now = timezone.now()
    heartbeat_record(name="worker_started", at=now - timedelta(seconds=5))
    checks = {check.key: check for check in system_health(now=now)}
    assert (checks["worker"].state, checks["worker"].summary) == ("starting", "starting")
    assert checks["worker"].detail == "started 5 s ago; waiting for its first heartbeat"
    # Beat never started at all: red.
    assert (checks["beat"].state, checks["beat"].summary) == ("bad", "never seen")


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "vi",
            [
                "Cơ sở dữ liệu",
                "Bộ nhớ đệm và hàng đợi (Redis)",
                "Tiến trình chạy nền (Celery worker)",
                "Bộ hẹn giờ (Celery beat)",
                "Tác vụ định kỳ",
            ],
        ),
        (
            "th",
            [
                "ฐานข้อมูล",
                "แคชและคิวงาน (Redis)",
                "ตัวประมวลผลงานเบื้องหลัง (Celery worker)",
                "ตัวตั้งเวลางาน (Celery beat)",
                "งานตามกำหนดเวลา",
            ],
        ),
        ("en", ["Database", "Redis", "Celery worker", "Celery beat", "Scheduled tasks"]),
    ],
)
def test_component_names_say_what_each_does_in_each_language(client, login_as, language, names):
    login_as("owner")
    response = client.get(reverse("health"), HTTP_ACCEPT_LANGUAGE=language)
    assert [check.label for check in response.context["checks"]] == names
    html = response.content.decode()
    assert all(f"<td>{name}</td>" in html for name in names)
