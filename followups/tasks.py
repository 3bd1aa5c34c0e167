"""Background jobs of the follow-ups app (thin wrappers; the work is in the services)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from followups.services_digest import digest_send_all


@shared_task(
    name="followups.send_digests",
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=60,
    max_retries=5,
)
def send_digests() -> int:
    """The morning digest for today (shop-local). Idempotent: each user gets it once a day, so
    a retry after a mail-server failure sends only what was not sent yet."""
    return digest_send_all(today=timezone.localdate(), now=timezone.now())
