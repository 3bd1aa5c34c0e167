"""The --days option the sales rollup commands share (orders.management.rollup_days)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orders.management.rollup_days import first_day
from orders.models import SalesDay


def test_no_days_means_no_bound():
    assert first_day(None) is None


def test_first_of_the_last_n_days():
    assert first_day(1, today=date(2026, 3, 1)) == date(2026, 3, 1)
    assert first_day(3, today=date(2026, 3, 1)) == date(2026, 2, 27)
    assert first_day(366, today=date(2026, 3, 1)) == date(2025, 3, 1)


@pytest.mark.parametrize("days", [0, -5])
def test_fewer_than_one_day_is_refused(days):
    with pytest.raises(CommandError, match=r"^--days must be at least 1$"):
        first_day(days)


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["check_sales_rollup", "rebuild_sales_rollup"])
def test_commands_refuse_zero_days_and_write_nothing(command):
    out = StringIO()
    with pytest.raises(CommandError, match=r"^--days must be at least 1$"):
        call_command(command, "--days", "0", stdout=out, stderr=out)
    assert out.getvalue() == ""
    assert SalesDay.objects.count() == 0
