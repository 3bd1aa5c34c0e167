"""Re-encrypt every stored secret with the newest key of CRM_ENCRYPTION_KEYS (common.secrets).

    CRM_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_secrets
then remove <old>. Safe to run again (each row is re-read with any key and written with the
first)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from common.secrets import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt stored secrets and tokens with the newest encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            if not names:
                continue
            rows = 0
            with transaction.atomic():
                for obj in model._default_manager.select_for_update().iterator():
                    obj.save(
                        update_fields=names
                    )  # decrypted with any key, encrypted with the first
                    rows += 1
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows} rows ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows."))
