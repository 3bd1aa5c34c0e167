from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crm.selectors import system_health

COMPONENTS = {
    "web": ("database", "redis"),
    "worker": ("database", "worker"),
    "beat": ("database", "beat"),
}


class Command(BaseCommand):
    help = "Exit non-zero when a component is unhealthy (used by docker compose healthchecks)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("component", choices=sorted(COMPONENTS))

    def handle(self, *args: Any, component: str, **options: Any) -> None:
        wanted = COMPONENTS[component]
        # A component still starting (crm.selectors.STARTED_BY) is not failing yet.
        failing = [c for c in system_health() if c.key in wanted and c.state == "bad"]
        if failing:
            raise CommandError("; ".join(f"{c.key}: {c.summary} ({c.detail})" for c in failing))
        self.stdout.write("ok")
