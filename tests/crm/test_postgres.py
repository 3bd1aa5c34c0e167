"""Behaviour that only PostgreSQL gives us: trigram search and real concurrent writers."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections

from inventory.models import Warehouse


@pytest.mark.postgres(why="pg_trgm is a PostgreSQL extension")
@pytest.mark.django_db
def test_trigram_extension_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity('Nguyễn Văn An', 'nguyen van an'), 'x' % 'x'")
        score, same = cursor.fetchone()
    assert same is True
    assert 0 < score < 1


@pytest.mark.postgres(why="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_code_let_exactly_one_win():
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(n: int) -> None:
        try:
            barrier.wait()
            Warehouse.objects.create(code="HCM01" if n % 2 else "hcm01", name=f"W{n}")
            result = "won"
        except IntegrityError:
            result = "lost"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    assert Warehouse.objects.count() == 1
