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
    "followups-digest": {
        "task": "followups.send_digests",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 6 * 3600},
    },
}


def celery_settings(*, redis_url: str | None, var_dir: Path, eager: bool = False) -> dict[str, Any]:
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
        "beat_schedule": BEAT_SCHEDULE,
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
