from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel below every app: money, permissions, UI tags. It has no models."""

    name = "common"
