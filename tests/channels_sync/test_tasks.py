"""The sync's Celery tasks (names, retries, fan-out), the beat schedule, and the signal wiring:
stock changes to the stock push, an ending authorisation to a red follow-up for the owner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.utils import timezone

from channels_sync import tasks
from channels_sync.adapters.base import TransientError
from channels_sync.models import AccountStatus
from channels_sync.services.stock import stock_changed_receiver
from channels_sync.signals import authorization_ending
from common import markers
from crm.celery import app as project_app
from crm.celery_config import celery_settings, marketplace_schedule
from followups.models import ContactRequest, FollowUp
from inventory.signals import stock_changed
from tests.channels_sync.test_pages import make_shop

pytestmark = pytest.mark.usefixtures("encryption_keys")

PINNED = {
    "channels_sync.pull_orders",
    "channels_sync.pull_orders_all",
    "channels_sync.audit_orders_all",
    "channels_sync.process_webhook",
    "channels_sync.drain_webhooks",
    "channels_sync.push_stock",
    "channels_sync.pull_listings",
    "channels_sync.reconcile_all",
    "channels_sync.refresh_tokens",
    "channels_sync.push_prices",
    "channels_sync.sweep_holds",
}


def test_every_pinned_task_is_registered_acked_late_and_retries_transient_errors():
    names = {name for name in project_app.tasks if name.startswith("channels_sync.")}
    assert names == PINNED
    for name in PINNED:
        task = project_app.tasks[name]
        assert task.acks_late is True, name
    for name in (
        "pull_orders",
        "process_webhook",
        "drain_webhooks",
        "push_stock",
        "pull_listings",
        "push_prices",
    ):
        task = project_app.tasks[f"channels_sync.{name}"]
        assert task.autoretry_for == (TransientError,)
        assert (task.retry_backoff, task.max_retries) == (30, 6)


def test_the_beat_schedule_of_the_sync(tmp_path: Path):
    schedule = celery_settings(redis_url=None, var_dir=tmp_path)["beat_schedule"]
    assert schedule["channels-sync-pull-orders"]["task"] == "channels_sync.pull_orders_all"
    assert schedule["channels-sync-pull-orders"]["schedule"] == timedelta(minutes=2)
    assert schedule["channels-sync-refresh-tokens"]["schedule"] == timedelta(minutes=15)
    assert schedule["channels-sync-audit-orders"]["schedule"] == crontab(hour=3, minute=0)
    assert schedule["channels-sync-reconcile"]["schedule"] == crontab(hour=3, minute=30)
    assert "crm-beat-tick" in schedule
    late = celery_settings(redis_url=None, var_dir=tmp_path, marketplace_nightly_hour=1)
    assert late["beat_schedule"]["channels-sync-audit-orders"]["schedule"] == crontab(
        hour=1, minute=0
    )
    with pytest.raises(ValueError, match="MARKETPLACE_NIGHTLY_HOUR"):
        marketplace_schedule(nightly_hour=24)


@pytest.mark.django_db
def test_pull_orders_all_queues_one_pull_per_connected_shop(published):
    first = make_shop()
    make_shop(shop_id="2", code="shopee-2", status=AccountStatus.PAUSED)
    make_shop(shop_id="3", code="shopee-3", status=AccountStatus.RECONNECT)
    last = make_shop(shop_id="4", code="shopee-4")
    assert tasks.pull_orders_all.run() == 2
    assert published == [
        ("channels_sync.pull_orders", {"account_id": first.pk}),
        ("channels_sync.pull_orders", {"account_id": last.pk}),
    ]


@pytest.mark.django_db
def test_token_refresh_with_nothing_due_does_nothing():
    make_shop(access_expires_at=timezone.now() + timedelta(hours=4))
    assert tasks.refresh_tokens.run() == 0


def test_stock_changes_reach_the_stock_push():
    receivers = [r for r in stock_changed._live_receivers(None)[0]]
    assert stock_changed_receiver in receivers


@pytest.mark.django_db
def test_an_ending_authorisation_is_a_red_follow_up_for_the_owner(make_user):
    make_user("manager")
    owner = make_user("owner")
    shop = make_shop()
    ends = timezone.now() + timedelta(days=3)
    authorization_ending.send(
        sender=type(shop), account_id=shop.pk, ends_at=ends, reason="expiring"
    )
    thread = FollowUp.objects.select_related("contact_request").get()
    assert thread.assignee_id == owner.pk
    assert thread.next_contact_at <= timezone.now()  # due at once: red
    marker = markers.marker_for(
        state=thread.state, next_contact_at=thread.next_contact_at, today=timezone.localdate()
    )
    assert marker == markers.DUE
    request = thread.contact_request
    assert request.source == "staff"
    assert request.name.startswith("Reconnect Shopee shop Áo Thun Sài Gòn before ")
    assert f"/marketplaces/shops/{shop.pk}/" in request.message
    # Announced again (the next refresh, a repeated push): still one follow-up.
    authorization_ending.send(sender=type(shop), account_id=shop.pk, ends_at=ends, reason="x")
    assert (FollowUp.objects.count(), ContactRequest.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_a_far_ending_is_due_seven_days_before(make_user):
    make_user("owner")
    shop = make_shop()
    ends = timezone.now() + timedelta(days=30)
    authorization_ending.send(sender=type(shop), account_id=shop.pk, ends_at=ends, reason="x")
    thread = FollowUp.objects.get()
    assert thread.next_contact_at == ends - timedelta(days=7)
