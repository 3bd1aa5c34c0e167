"""The Celery application, with the worker and beat heartbeats shown on the health page."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
HEARTBEAT_INTERVAL = 30.0


def _record(name: str) -> None:
    from django.db import close_old_connections

    from crm.services import heartbeat_record

    try:
        heartbeat_record(name=name)
    except Exception:  # the health page shows the staleness; never kill the process for it
        logger.exception("could not record the %s heartbeat", name)
    finally:
        close_old_connections()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Records that this worker is alive every HEARTBEAT_INTERVAL seconds, on the worker timer."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        _record("worker_started")  # the health page says "starting" until the heartbeats come
        _record("worker")
        self.tref = parent.timer.call_repeatedly(HEARTBEAT_INTERVAL, _record, ("worker",))

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(WorkerHeartbeat)


class HeartbeatScheduler(PersistentScheduler):
    """The default beat scheduler, recording a heartbeat at most every HEARTBEAT_INTERVAL."""

    _last_beat: float = 0.0

    def setup_schedule(self) -> None:
        _record("beat_started")  # the scheduled tasks' heartbeat is awaited, not missing
        super().setup_schedule()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = self.app.now().timestamp()
        if now - self._last_beat >= HEARTBEAT_INTERVAL - 5:
            self._last_beat = now
            _record("beat")
        interval: float = super().tick(*args, **kwargs)
        return min(interval, HEARTBEAT_INTERVAL)
