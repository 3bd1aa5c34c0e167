"""Best sellers of a long period summed for the variants whose SalesTotal can reach the top 100
only (orders.selectors.report_best): the same rows as summing every variant, in fewer rows.

The rollup rows are written directly (the selector only reads them): 400 variants whose sales
fall with their rank (like real catalogues), one SalesDay row per variant on two edge days and
one SalesMonth row per variant for each whole month, and SalesTotal as the sum of all of them
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
        for day in EDGES:
            units = rng.randint(0, scale)
            net = Decimal(units * rng.randint(10, 90) * 1000) + Decimal("0.5")
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
    # Seeds by total, their sums, the variants reaching the 100th: all among the seeds.
    with django_assert_num_queries(3):
        rows = report_best.best_sellers_from_rollup(YEAR, group="variant", sort=sort)
    assert rows == expected


@pytest.mark.postgres(why="the bounded path passes the variant ids as an array")
def test_a_category_and_a_short_period_give_the_same_rows_as_summing_everything(catalogue):
    in_tea = ReportFilters(**{**YEAR.__dict__, "category_id": catalogue.pk})
    days = ReportFilters(date_from=date(2026, 12, 1), date_to=date(2026, 12, 5), currency="VND")
    for filters in (in_tea, days):
        for sort in ("units", "revenue", "profit"):
            rows = report_best.best_sellers_from_rollup(filters, group="variant", sort=sort)
            assert rows == _every_variant(filters, sort)
    by_product = report_best.best_sellers_from_rollup(YEAR, group="product", sort="units")
    assert by_product == report_best._top(YEAR, group="product", sort="units")


@pytest.mark.postgres(why="the bounded path passes the variant ids as an array")
def test_a_total_below_what_was_sold_would_show_it_is_a_bound(catalogue):
    """The bound is what makes it exact: a (corrupt) total below the period's sales drops the
    variant, which check_sales_rollup would report."""
    top = _every_variant(YEAR, "units")[0]
    SalesTotal.objects.filter(variant_id=top["key"]).update(units=0)
    rows = report_best.best_sellers_from_rollup(YEAR, group="variant", sort="units")
    assert top["key"] not in [row["key"] for row in rows]
