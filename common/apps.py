from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CommonConfig(AppConfig):
    """Shared kernel below every app: money, permissions, UI tags, background jobs (jobs.py)."""

    name = "common"

    def ready(self) -> None:
        from common import checks  # noqa: F401  (registers the system checks)
        from common.db import safe_loaders_register

        connection_created.connect(safe_loaders_register, dispatch_uid="common.safe_loaders")
