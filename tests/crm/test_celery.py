"""Background jobs run through a real broker and worker, with Redis and without it."""

from __future__ import annotations

import os

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

import crm.tasks  # noqa: F401  (registers the shared tasks with every app)
from crm.celery import WorkerHeartbeat
from crm.celery import app as project_app
from crm.celery_config import celery_settings
from crm.models import Heartbeat


def make_app(conf: dict) -> Celery:
    app = Celery("crm-test", set_as_current=False)
    app.conf.update(conf)
    app.conf.update(worker_hijack_root_logger=False)
    return app


def test_embedded_mode_runs_a_real_task_without_redis(tmp_path):
    app = make_app(celery_settings(redis_url=None, var_dir=tmp_path))
    assert app.conf.broker_url == "filesystem://"
    assert "crm.ping" in app.tasks
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = app.tasks["crm.ping"].apply_async(kwargs={"payload": "xin chào"})
        assert result.get(timeout=20) == "xin chào"
    assert list((tmp_path / "broker" / "queue").iterdir()) == []


@pytest.mark.needs("redis")
def test_redis_mode_runs_a_real_task(tmp_path):
    app = make_app(celery_settings(redis_url=os.environ["REDIS_URL"], var_dir=tmp_path))
    app.conf.update(task_default_queue=f"test-{os.getpid()}")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = app.tasks["crm.ping"].apply_async(kwargs={"payload": "สวัสดี"})
        assert result.get(timeout=20) == "สวัสดี"


@pytest.mark.django_db(transaction=True)
def test_worker_records_its_heartbeat_for_the_health_page(tmp_path):
    app = make_app(celery_settings(redis_url=None, var_dir=tmp_path))
    app.steps["worker"].add(WorkerHeartbeat)
    assert not Heartbeat.objects.filter(name="worker").exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        app.tasks["crm.ping"].apply_async().get(timeout=20)
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"worker", "worker_started"}


def test_project_app_configuration():
    conf = project_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit == 600
    assert conf.task_soft_time_limit == 540
    assert conf.beat_schedule["crm-beat-tick"]["task"] == "crm.beat_tick"
    assert conf.beat_scheduler == "crm.celery:HeartbeatScheduler"


@pytest.mark.django_db(transaction=True)
def test_beat_records_its_start_so_the_health_page_waits_for_its_first_run(tmp_path):
    from crm.celery import HeartbeatScheduler

    app = make_app(celery_settings(redis_url=None, var_dir=tmp_path))
    scheduler = HeartbeatScheduler(app, schedule_filename=str(tmp_path / "beat-schedule"))
    try:
        assert set(Heartbeat.objects.values_list("name", flat=True)) == {"beat_started"}
    finally:
        scheduler.close()
