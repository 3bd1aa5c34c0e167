"""Redis stops, the shop keeps taking orders.

A Redis server started for the test (never the shared one) backs a real web server process
(`manage.py runserver` on the test database, REDIS_URL pointing at that Redis). The test stops
Redis, sends website orders and contact requests over HTTP and finds every one created; signs
in, opens the dashboard, the reminder badge and the health page; then starts Redis again,
resends the same requests (no duplicates) and new ones.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
import requests
from django.db import connection

from common.ratelimit import rate_limit_hit
from followups.models import ContactRequest
from orders.models import Order, WebsiteRequest
from orders.services.websites import website_create
from tests.conftest import PASSWORD
from tests.orders.factories import WarehouseFactory, stocked_variant
from tests.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]
N = 12


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(own_redis, transactional_db, tmp_path):
    """`manage.py runserver` on the test database with REDIS_URL = the test's own Redis:
    (base URL, path of its log)."""
    port = free_port()
    database = connection.settings_dict
    log = tmp_path / "web.log"
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "DJANGO_SETTINGS_MODULE": "crm.settings_test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": own_redis.url,
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        try:
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def order_body(number: str) -> dict:
    return {
        "id": number,
        "customer": {"name": "Trần Thị Bình", "phone": f"0987 654 {number[-3:]}"},
        "shipping_address": {
            "street": "45 Nguyễn Huệ",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
        },
        "items": [{"sku": "AO-DO-M", "quantity": 1}],
        "payment_method": "cod",
    }


def request_body(number: str) -> dict:
    return {"id": number, "name": "Chị An", "phone": f"0912 345 {number[-3:]}"}


def send_all(base: str, key: str, numbers: range) -> Counter:
    """Post one order and one contact request per number: Counter of (kind, HTTP status)."""
    seen: Counter = Counter()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for n in numbers:
        for kind, path, body in (
            ("order", "/api/v1/orders", order_body(f"WEB-{n:03d}")),
            ("request", "/api/v1/contact-requests", request_body(f"REQ-{n:03d}")),
        ):
            response = requests.post(
                f"{base}{path}", data=json.dumps(body), headers=headers, timeout=10
            )
            assert response.headers["Content-Type"] == "application/json", response.text[:300]
            seen[(kind, response.status_code)] += 1
    return seen


def sign_in(base: str, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=10)
    response = session.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    return session, response


def stored() -> tuple[list[str], list[str]]:
    return (
        sorted(Order.objects.values_list("external_number", flat=True)),
        sorted(ContactRequest.objects.values_list("external_id", flat=True)),
    )


@pytest.mark.postgres(why="a separate web server process reads the test database")
@pytest.mark.needs("redis-server")
def test_intake_sign_in_and_pages_work_while_redis_is_down_and_after(own_redis, web, make_user):
    base, log = web
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 5 * N, price="150000", vat="10", sku="AO-DO-M")
    _website, key = website_create(
        name="Shop", code="MAIN", warehouse_id=warehouse.pk, user_id=None
    )
    make_user("owner", username="an")
    assert requests.get(f"{base}/healthz", timeout=10).json() == {
        "status": "ok",
        "database": True,
        "redis": True,
    }
    staff, signed_in = sign_in(base, "an", PASSWORD)
    assert signed_in.status_code == 302

    own_redis.stop()
    assert not own_redis.is_running()

    assert send_all(base, key, range(N)) == {("order", 201): N, ("request", 201): N}
    first = [f"WEB-{n:03d}" for n in range(N)], [f"REQ-{n:03d}" for n in range(N)]
    assert stored() == first
    # Every request is kept too: the orders and the contact requests.
    kept = WebsiteRequest.objects.values_list("endpoint", flat=True)
    assert sorted(kept) == ["contact_requests"] * N + ["orders"] * N
    # Staff work on: the dashboard, the reminder badge, the health page; a new sign-in too.
    assert staff.get(f"{base}/", timeout=10).status_code == 200
    assert staff.get(f"{base}/followups/reminders/badge/", timeout=10).status_code == 200
    health = staff.get(f"{base}/system/health/", timeout=10)
    assert health.status_code == 200
    assert "unreachable" in health.text
    assert "Orders and contact requests are still received and kept" in health.text
    assert "API rate limits are counted per process" in health.text
    degraded = requests.get(f"{base}/healthz", timeout=10)
    assert (degraded.status_code, degraded.json()) == (
        200,
        {"status": "degraded", "database": True, "redis": False},
    )
    _session, again = sign_in(base, "an", PASSWORD)
    assert (again.status_code, again.headers["Location"]) == (302, "/")
    _session, wrong = sign_in(base, "an", "not-the-password")
    assert wrong.status_code == 200

    own_redis.start()

    # The same requests again (the website resends what it is unsure of), then new ones.
    assert send_all(base, key, range(N)) == {("order", 200): N, ("request", 200): N}
    assert send_all(base, key, range(N, 2 * N)) == {("order", 201): N, ("request", 201): N}
    numbers = range(2 * N)
    assert stored() == (
        [f"WEB-{n:03d}" for n in numbers],
        [f"REQ-{n:03d}" for n in numbers],
    )
    # Within a few seconds the rate limit is counted in Redis again, for every process.
    client = own_redis.client()
    deadline = time.monotonic() + 15
    while not list(client.scan_iter(match="*ratelimit:api:website:*")):
        assert time.monotonic() < deadline, "the rate limit never went back to Redis"
        requests.get(
            f"{base}/api/v1/orders/WEB-000",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        time.sleep(0.3)
    assert staff.get(f"{base}/", timeout=10).status_code == 200
    # One warning when the outage began and one when it ended, not one per request.
    text = log.read_text()
    assert text.count("Redis unreachable") == 1, text
    assert text.count("Redis reachable again") == 1, text


def test_the_rate_limit_counts_per_process_while_redis_is_down(own_redis, settings, caplog):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"OUTAGE_RETRY_SECONDS": 0},
        }
    }
    key, now = "test:outage", 6000.0
    assert [rate_limit_hit(key=key, limit=3, window=60, now=now).allowed for _ in range(2)] == [
        True,
        True,
    ]
    own_redis.stop()
    caplog.set_level(logging.WARNING, logger="common.cache")
    verdicts = [rate_limit_hit(key=key, limit=3, window=60, now=now + 1) for _ in range(5)]
    # This process starts counting afresh: three allowed, then refused until the window ends.
    assert [(v.allowed, v.retry_after) for v in verdicts] == [
        (True, 0),
        (True, 0),
        (True, 0),
        (False, 59),
        (False, 59),
    ]
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Redis unreachable"]
    own_redis.start()  # empty (no persistence): the shared count starts again
    assert rate_limit_hit(key=key, limit=3, window=60, now=now + 2).allowed is True
    assert [r.getMessage().split(" after")[0] for r in caplog.records][1:] == [
        "Redis reachable again"
    ]
    assert [int(v) for v in own_redis.client().mget(own_redis.client().keys("*"))] == [1]
    assert own_redis.client().keys("*")[0].endswith(b":ratelimit:test:outage:100")


def test_without_the_resilient_cache_a_redis_outage_fails_the_request(own_redis, settings):
    """What the resilient backend prevents: Django's RedisCache raises on every command."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
        }
    }
    own_redis.stop()
    with pytest.raises(redis.exceptions.ConnectionError):
        rate_limit_hit(key="test:plain", limit=3, window=60)
