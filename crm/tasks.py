from celery import shared_task

from crm.services import heartbeat_record


@shared_task(name="crm.beat_tick", acks_late=True, ignore_result=True)
def beat_tick() -> None:
    """Scheduled by beat every minute: proves beat -> broker -> worker works end to end."""
    heartbeat_record(name="beat_tick")


@shared_task(name="crm.ping", acks_late=True)
def ping(*, payload: str = "pong") -> str:
    """Round trip through the broker and result backend (used by tests and `manage.py ping`)."""
    return payload
