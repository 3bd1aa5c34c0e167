"""Celery configuration as a pure function of the environment, so tests can build both modes.

With a Redis URL, Celery uses Redis as broker and result backend. Without one, it uses kombu's
filesystem transport and a file result backend under ``var/``: a real broker that needs no
server, so the web process, a worker and beat started by ``make run`` cooperate as in production.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Every task scheduled here is idempotent; later issues add marketplace pulls, carrier
    # polls and the follow-up digest.
    "crm-beat-tick": {
        "task": "crm.beat_tick",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 55},
    },
    # Each morning, in the shop's time zone (CELERY_TIMEZONE = TIME_ZONE): one e-mail per staff
    # member with the follow-ups due today or overdue (sent once per person and day).
    # Each night: the sales report rollup of the recent months checked against the orders.
    "orders-verify-sales-rollup": {
        "task": "orders.verify_sales_rollup",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 3 * 3600},
    },
    # Every hour: background jobs kept past their expiry go, with their files (common.jobs).
    "common-jobs-cleanup": {
        "task": "common.jobs_cleanup",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    # Every 10 minutes: e-invoices still waiting for the tax authority's code or their files,
    # and issuing calls left without an answer (invoicing.tasks; each call is idempotent).
    "invoicing-follow-up": {
        "task": "invoicing.follow_up_all",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 9 * 60},
    },
    # Each night: the carriers' provinces, districts and wards (shipping's address matching).
    "shipping-refresh-master-data": {
        "task": "shipping.refresh_master_data",
        "schedule": crontab(hour=1, minute=40),
        "options": {"expires": 3 * 3600},
    },
    # Every 5 minutes: carrier callbacks whose queued apply was lost (shipping).
    "shipping-apply-pending-callbacks": {
        "task": "shipping.apply_pending_callbacks",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 280},
    },
    # Every 30 minutes: parcels on their way whose carrier went quiet, asked for at the
    # carrier (shipping.services.polling; one job per carrier account).
    "shipping-poll-quiet-parcels": {
        "task": "shipping.poll_quiet_parcels_all",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 25 * 60},
    },
    "followups-digest": {
        "task": "followups.send_digests",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 6 * 3600},
    },
}


def marketplace_schedule(*, nightly_hour: int = 3) -> dict[str, dict[str, Any]]:
    """The marketplace sync's jobs: the order pull every 2 minutes for every active shop (the
    safety net under the webhooks), token refresh every 15 minutes (Shopee access tokens live
    4 hours), and at `nightly_hour` (shop time, off-peak) the 14-day order audit, then the
    stock and price reconciliation half an hour later."""
    if not 0 <= nightly_hour <= 23:
        raise ValueError("MARKETPLACE_NIGHTLY_HOUR must be an hour from 0 to 23")
    return {
        "channels-sync-pull-orders": {
            "task": "channels_sync.pull_orders_all",
            "schedule": timedelta(minutes=2),
            "options": {"expires": 110},
        },
        "channels-sync-refresh-tokens": {
            "task": "channels_sync.refresh_tokens",
            "schedule": timedelta(minutes=15),
            "options": {"expires": 14 * 60},
        },
        "channels-sync-sweep-holds": {
            "task": "channels_sync.sweep_holds",
            "schedule": timedelta(seconds=60),
            "options": {"expires": 55},
        },
        "channels-sync-audit-orders": {
            "task": "channels_sync.audit_orders_all",
            "schedule": crontab(hour=nightly_hour, minute=0),
            "options": {"expires": 3 * 3600},
        },
        "channels-sync-reconcile": {
            "task": "channels_sync.reconcile_all",
            "schedule": crontab(hour=nightly_hour, minute=30),
            "options": {"expires": 3 * 3600},
        },
    }


def celery_settings(
    *,
    redis_url: str | None,
    var_dir: Path,
    eager: bool = False,
    marketplace_nightly_hour: int = 3,
) -> dict[str, Any]:
    """Return Celery settings (lower-case names, without the ``CELERY_`` prefix)."""
    conf: dict[str, Any] = {
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": 10 * 60,
        "task_soft_time_limit": 9 * 60,
        "task_always_eager": eager,
        "task_eager_propagates": eager,
        "result_expires": timedelta(days=1),
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            **BEAT_SCHEDULE,
            **marketplace_schedule(nightly_hour=marketplace_nightly_hour),
        },
        # The marketplace sync's and the carriers' tasks carry their queue (QUEUE in
        # channels_sync.tasks and shipping.tasks); the routes cover those sent by name
        # (send_task) from a process that did not import them.
        "task_routes": {
            "channels_sync.*": {"queue": "marketplace"},
            "shipping.*": {"queue": "marketplace"},
        },
        "beat_scheduler": "crm.celery:HeartbeatScheduler",
        "beat_schedule_filename": str(var_dir / "celerybeat-schedule"),
    }
    if redis_url:
        conf.update(
            broker_url=redis_url,
            result_backend=redis_url,
            broker_transport_options={"visibility_timeout": 3600},
        )
    else:
        broker_dir = var_dir / "broker"
        for sub in ("queue", "processed", "control"):
            (broker_dir / sub).mkdir(parents=True, exist_ok=True)
        results_dir = var_dir / "celery-results"
        results_dir.mkdir(parents=True, exist_ok=True)
        conf.update(
            broker_url="filesystem://",
            broker_transport_options={
                "data_folder_in": str(broker_dir / "queue"),
                "data_folder_out": str(broker_dir / "queue"),
                "processed_folder": str(broker_dir / "processed"),
                "control_folder": str(broker_dir / "control"),
                "store_processed": False,
            },
            result_backend=f"file://{results_dir}",
        )
    return conf
