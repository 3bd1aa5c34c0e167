"""Best sellers summed for the variants that can reach the top 100 only (the first rows of each
month the period touches, orders.selectors.report_best): the same rows as summing every
variant, in fewer rows.

The rollup rows are written directly (the selector only reads them): 400 variants whose sales
fall with their rank (like real catalogues), one SalesDay row per variant on two edge days in
each of December 2025 and December 2026, one SalesMonth row per variant for each month (those
two months: the edge days and other days' sales), and SalesTotal as the sum of all of them
plus older sales outside the period.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from orders.models import SalesDay, SalesMonth, SalesTotal
from orders.selectors import report_best
from orders.selectors.report_scope import ReportFilters
from tests.inventory.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.orders.factories import WarehouseFactory

YEAR = ReportFilters(date_from=date(2025, 12, 20), date_to=date(2026, 12, 5), currency="VND")
MONTHS = [date(2026, m, 1) for m in range(1, 12)]
EDGES = [date(2025, 12, 20), date(2025, 12, 31), date(2026, 12, 1), date(2026, 12, 5)]


@pytest.fixture
def catalogue(db):
    rng = random.Random(17)
    warehouse = WarehouseFactory()
    tea, coffee = CategoryFactory(name="Tea"), CategoryFactory(name="Coffee")
    variants = []
    for n in range(400):
        product = ProductFactory(category=tea if n % 3 else coffee)
        variants.append(VariantFactory(product=product))
    days, months, totals = [], [], []
    for rank, variant in enumerate(variants):
        scale = 2000 // (rank + 5)
        total_units, total_net = 0, Decimal(0)
        edge_months: dict[date, list] = {}
        for day in EDGES:
            units = rng.randint(0, scale)
            net = Decimal(units * rng.randint(10, 90) * 1000) + Decimal("0.5")
            month = edge_months.setdefault(day.replace(day=1), [0, Decimal(0)])
            month[0], month[1] = month[0] + units, month[1] + net
            days.append(
                SalesDay(
                    day=day,
                    variant=variant,
                    channel="website",
                    warehouse=warehouse,
                    currency="VND",
                    units=units,
                    net_revenue=net,
                )
            )
            total_units, total_net = total_units + units, total_net + net
        for month in MONTHS:
            units = rng.randint(0, 6 * scale)
            net = Decimal(units * rng.randint(10, 90) * 1000)
            months.append(
                SalesMonth(
                    month=month, variant=variant, currency="VND", units=units, net_revenue=net
                )
            )
            total_units, total_net = total_units + units, total_net + net
        for month, (units, net) in edge_months.items():  # and other days of those months
            other = rng.randint(0, 2 * scale)
            months.append(
                SalesMonth(
                    month=month,
                    variant=variant,
                    currency="VND",
                    units=units + other,
                    net_revenue=net + other * 40000,
                )
            )
        older = rng.randint(0, 10 * scale)  # sold before the period
        totals.append(
            SalesTotal(
                variant=variant,
                currency="VND",
                units=total_units + older,
                net_revenue=total_net + older * 50000,
            )
        )
    SalesDay.objects.bulk_create(days)
    SalesMonth.objects.bulk_create(months)
    SalesTotal.objects.bulk_create(totals)
    return tea


def _every_variant(filters, sort):
    return report_best._top(filters, group="variant", sort=sort)


@pytest.mark.postgres(why="the bounded path passes the variant ids as an array")
@pytest.mark.parametrize("sort", ["units", "revenue"])
def test_a_year_sums_only_the_variants_that_can_reach_the_top(
    catalogue, sort, django_assert_num_queries
):
    expected = _every_variant(YEAR, sort)
    assert len(expected) == 100
    # The first variants of each of the 13 months, then the sums of those variants only.
    with django_assert_num_queries(2) as captured:
        rows = report_best.best_sellers_from_rollup(YEAR, group="variant", sort=sort)
    assert rows == expected
    summed = captured.captured_queries[1]["sql"]
    assert "variant_id = ANY(" in summed


@pytest.mark.postgres(why="the bounded path passes the variant ids as an array")
def test_a_category_and_a_short_period_give_the_same_rows_as_summing_everything(catalogue):
    in_tea = ReportFilters(**{**YEAR.__dict__, "category_id": catalogue.pk})
    days = ReportFilters(date_from=date(2026, 12, 1), date_to=date(2026, 12, 5), currency="VND")
    month = ReportFilters(date_from=date(2026, 6, 10), date_to=date(2026, 7, 9), currency="VND")
    for filters in (in_tea, days, month):
        for sort in ("units", "revenue", "profit"):
            rows = report_best.best_sellers_from_rollup(filters, group="variant", sort=sort)
            assert rows == _every_variant(filters, sort)
    by_product = report_best.best_sellers_from_rollup(YEAR, group="product", sort="units")
    assert by_product == report_best._top(YEAR, group="product", sort="units")


@pytest.mark.postgres(why="the bounded path passes the variant ids as an array")
def test_a_month_below_what_was_sold_would_show_it_is_a_bound(catalogue):
    """The bound is what makes it exact: corrupt month rows of the period's edges (below what
    the edge days sold) hide a variant from the months' first rows, which check_sales_rollup
    would report."""
    rows = _every_variant(YEAR, "units")
    last = rows[-1]["key"]
    SalesDay.objects.filter(variant_id=last).update(units=5000)
    SalesMonth.objects.filter(variant_id=last).update(units=0)
    assert last in [row["key"] for row in _every_variant(YEAR, "units")]
    bounded = report_best.best_sellers_from_rollup(YEAR, group="variant", sort="units")
    assert last not in [row["key"] for row in bounded]
