"""common.celery_queue with the project's Celery app and its real broker (Redis, or the
filesystem broker of `make run`): a task this process registered runs through apply_async
(eager mode honoured), a name it does not know is published for the worker that has it,
nothing leaves before the commit, and a message that cannot be queued is logged, not raised."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from common.celery_queue import task_send, task_send_on_commit
from crm.celery import app

pytestmark = pytest.mark.django_db
RECORD = "tests.celery_queue.record"
UNKNOWN = "tests.celery_queue.unknown"
ran: list[dict] = []


@pytest.fixture
def record_task() -> Iterator[None]:
    @app.task(name=RECORD, shared=False)
    def record(**kwargs) -> None:  # type: ignore[no-untyped-def]
        ran.append(kwargs)

    ran.clear()
    try:
        yield
    finally:
        app.tasks.unregister(RECORD)


def published(name: str, token: str) -> list[dict]:
    """The messages for `name` with this token waiting in the default queue (taken off it)."""
    found = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(timeout=0.5)
                except queue.Empty:
                    return found
                message.ack()
                _args, kwargs, _embed = message.decode()
                if message.headers.get("task") == name and kwargs.get("token") == token:
                    found.append({"kwargs": kwargs, "countdown": message.headers.get("eta")})
        finally:
            queue.close()


def test_a_registered_task_runs_through_apply_async(record_task, run_jobs):
    with run_jobs():
        task_send(RECORD, kwargs={"token": "a"})
    assert ran == [{"token": "a"}]


def test_an_unknown_name_is_published_for_its_worker():
    token = uuid.uuid4().hex
    task_send(UNKNOWN, kwargs={"token": token})
    task_send(UNKNOWN, kwargs={"token": token}, countdown=30)
    (now, later) = published(UNKNOWN, token)
    assert (now["kwargs"], now["countdown"], later["kwargs"]) == (
        {"token": token},
        None,
        {"token": token},
    )
    assert isinstance(later["countdown"], str)  # an eta 30 s ahead


def test_nothing_is_queued_before_the_commit(
    record_task, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task_send_on_commit(RECORD, kwargs={"token": "b"})
    assert (len(callbacks), ran) == (1, [])
    callbacks[0]()  # the commit (eager mode: run_jobs)
    assert ran == [{"token": "b"}]


def test_a_message_that_cannot_be_queued_is_logged_not_raised(
    caplog, django_capture_on_commit_callbacks
):
    token = uuid.uuid4().hex
    logger = logging.getLogger("common.celery_queue")
    logger.addHandler(caplog.handler)  # its own records, whatever an earlier test did to logging
    try:
        with django_capture_on_commit_callbacks(execute=True):
            task_send_on_commit(UNKNOWN, kwargs={"token": token, "at": object()})  # not JSON
    finally:
        logger.removeHandler(caplog.handler)
    (record,) = [r for r in caplog.records if r.name == "common.celery_queue"]
    assert record.getMessage().startswith(f"could not queue {UNKNOWN} {{'token': '{token}', ")
    assert published(UNKNOWN, token) == []
