from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crm.models import Heartbeat, User
from crm.roles import ROLE_LABELS
from followups.selectors.reminders import my_today
from inventory.models import Warehouse
from inventory.selectors.stock import stock_levels
from orders.selectors.dashboard import OrderFigures, order_figures


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    summary: str
    detail: str = ""
    # Not ok yet, but only because its process has just started (no heartbeat of its own
    # since): shown amber, "starting", rather than red.
    starting: bool = False

    @property
    def state(self) -> str:
        return "ok" if self.ok else "starting" if self.starting else "bad"


def overall_state(checks: list[Check]) -> str:
    """ "ok" when every check is, "starting" when the rest are only starting, else "bad"."""
    states = {check.state for check in checks}
    return "bad" if "bad" in states else "starting" if "starting" in states else "ok"


# Each component's name on the health page: what it does, in words staff know, with the
# product's name.
COMPONENTS = {
    "database": pgettext_lazy("health component", "Database"),
    "redis": pgettext_lazy("health component", "Redis"),
    "worker": pgettext_lazy("health component", "Celery worker"),
    "beat": pgettext_lazy("health component", "Celery beat"),
    "beat_tick": pgettext_lazy("health component", "Scheduled tasks"),
}


def _component(key: str) -> str:
    return str(COMPONENTS[key])


def _database() -> Check:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", _component("database"), False, _("unreachable"), str(exc))
    ms = (time.perf_counter() - started) * 1000
    return Check(
        "database", _component("database"), True, _("OK"), f"{connection.vendor}, {ms:.1f} ms"
    )


# What still works, and how, while Redis is down (common/cache.py, common/ratelimit.py).
REDIS_DOWN_EFFECTS = gettext_lazy(
    "Orders and contact requests are still received and kept; API rate limits are counted "
    "per process; cached figures are recomputed on each page; the Celery worker and beat "
    "pause until Redis answers again (a scheduled job due meanwhile runs at its next time)."
)


def _redis() -> Check:
    if not settings.REDIS_URL:
        return Check(
            "redis",
            _component("redis"),
            True,
            _("not used"),
            _("Embedded mode: background jobs use the filesystem broker under var/."),
        )
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2
        )
        client.ping()
        info = client.info("server")
        queued = client.llen("celery")
    except Exception as exc:
        return Check(
            "redis",
            _component("redis"),
            False,
            _("unreachable"),
            " ".join((str(exc), str(REDIS_DOWN_EFFECTS))),
        )
    ms = (time.perf_counter() - started) * 1000
    return Check(
        "redis",
        _component("redis"),
        True,
        _("OK"),
        _("version %(version)s, %(ms).1f ms, %(queued)d tasks queued")
        % {"version": info.get("redis_version", "?"), "ms": ms, "queued": queued},
    )


# The process whose start a heartbeat waits for after a (re)start: the worker records
# "worker_started" and beat "beat_started" as they start (crm/celery.py); the scheduled tasks'
# heartbeat comes with beat's first run of them, up to a minute later.
STARTED_BY = {"worker": "worker_started", "beat": "beat_started", "beat_tick": "beat_started"}


def _heartbeat(name: str, label: str, seen: dict[str, datetime], now: datetime) -> Check:
    at = seen.get(name)
    started = seen.get(STARTED_BY.get(name, ""))
    # Within the grace period after its process started, a heartbeat not seen since is awaited.
    awaited = (
        started is not None
        and (at is None or at < started)
        and (now - started).total_seconds() <= settings.HEARTBEAT_STALE_SECONDS
    )
    if awaited:
        return Check(
            name,
            label,
            False,
            _("starting"),
            _("started %(age)d s ago; waiting for its first heartbeat")
            % {"age": max(int((now - started).total_seconds()), 0)},  # type: ignore[operator]
            starting=True,
        )
    if at is None:
        return Check(name, label, False, _("never seen"), _("No heartbeat recorded yet."))
    age = int((now - at).total_seconds())
    ok = age <= settings.HEARTBEAT_STALE_SECONDS
    return Check(
        name,
        label,
        ok,
        _("OK") if ok else _("not responding"),
        _("last heartbeat %(age)d s ago") % {"age": max(age, 0)},
    )


def system_health(*, now: datetime | None = None) -> list[Check]:
    """Status of the database, Redis, the Celery worker and beat, for the health page."""
    now = now or timezone.now()
    checks = [_database(), _redis()]
    try:
        seen = dict(Heartbeat.objects.values_list("name", "seen_at"))
    except Exception:
        seen = {}
    checks.append(_heartbeat("worker", _component("worker"), seen, now))
    checks.append(_heartbeat("beat", _component("beat"), seen, now))
    checks.append(_heartbeat("beat_tick", _component("beat_tick"), seen, now))
    return checks


@dataclass(frozen=True)
class DashboardSummary:
    roles: list[str]
    currency: str
    warehouses: int | None
    health: str | None  # "ok", "starting" or "bad" (overall_state)
    low_stock: int | None = None
    out_of_stock: int | None = None
    orders: OrderFigures | None = None
    # (overdue, due today) of the user's own follow-ups
    followups: tuple[int, int] | None = None


def _stock_alerts() -> tuple[int, int]:
    """(low, out) stock levels; cached for a minute since it scans every stock row."""

    def count() -> tuple[int, int]:
        return (
            stock_levels(state="low").order_by().count(),
            stock_levels(state="out").order_by().count(),
        )

    cached: tuple[int, int] | None = cache.get("dashboard:stock-alerts")
    if cached is None:
        cached = count()
        cache.set("dashboard:stock-alerts", cached, timeout=60)
    return cached[0], cached[1]


def dashboard_summary(*, user: User) -> DashboardSummary:
    """What the dashboard shows this user; widgets the user may not see are None."""
    roles = [
        str(ROLE_LABELS[name])
        for name in user.groups.order_by("name").values_list("name", flat=True)
        if name in ROLE_LABELS
    ]
    warehouses = None
    if user.has_perm("inventory.view_warehouse"):
        warehouses = Warehouse.objects.filter(is_active=True).count()
    health = None
    if user.has_perm("crm.view_health"):
        health = overall_state(system_health())
    low = out = None
    if user.has_perm("inventory.view_stocklevel"):
        low, out = _stock_alerts()
    orders = None
    if user.has_perm("orders.view_order"):
        orders = order_figures(today=timezone.localdate())
    followups = None
    if user.has_perm("followups.view_followup"):
        followups = my_today(user, timezone.localdate())
    return DashboardSummary(
        orders=orders,
        followups=followups,
        roles=roles,
        currency=settings.SHOP_CURRENCY,
        warehouses=warehouses,
        health=health,
        low_stock=low,
        out_of_stock=out,
    )
