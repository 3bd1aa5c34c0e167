"""The outcomes report: finished follow-ups by outcome and staff, requests that became orders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    Q,
)

from common import markers
from common.days import day_start
from followups.models import ContactRequest, FollowUp, Outcome


@dataclass(frozen=True)
class OutcomeRow:
    outcome: str
    label: str
    count: int
    share: float  # 0..100, for display only (counts are exact)


@dataclass(frozen=True)
class StaffRow:
    user_id: int | None
    name: str
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[int]:
        """The counts in the order of Outcome (the report's columns)."""
        return [self.counts.get(value, 0) for value in Outcome.values]

    @property
    def sold_share(self) -> float:
        return 100 * self.counts.get(Outcome.SOLD, 0) / self.total if self.total else 0.0


@dataclass(frozen=True)
class OutcomeReport:
    date_from: date
    date_to: date
    total: int
    outcomes: list[OutcomeRow]
    staff: list[StaffRow]
    requests_total: int
    requests_ordered: int

    @property
    def requests_share(self) -> float:
        return 100 * self.requests_ordered / self.requests_total if self.requests_total else 0.0


def outcome_report(*, date_from: date, date_to: date) -> OutcomeReport:
    """Follow-ups finished in [date_from, date_to] (shop-local days) by outcome and by the
    staff member responsible, and the contact requests received then that became orders.
    Two grouped queries."""
    lower, upper = day_start(date_from), day_start(date_to + timedelta(days=1))
    rows = (
        FollowUp.objects.filter(
            finished_at__gte=lower, finished_at__lt=upper, state=markers.STATE_FINISHED
        )
        .values(
            "assignee_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "outcome",
        )
        .annotate(n=Count("pk"))
        .order_by("assignee_id", "outcome")
    )
    by_outcome, staff = _count(rows)
    total = sum(by_outcome.values())
    outcomes = [
        OutcomeRow(
            value,
            str(label),
            by_outcome.get(value, 0),
            100 * by_outcome.get(value, 0) / total if total else 0.0,
        )
        for value, label in Outcome.choices
    ]
    staff_rows = sorted(
        (
            StaffRow(uid, data["name"], data["counts"], sum(data["counts"].values()))
            for uid, data in staff.items()
        ),
        key=lambda r: (-r.total, r.name, r.user_id or 0),
    )
    requests = ContactRequest.objects.filter(created_at__gte=lower, created_at__lt=upper).aggregate(
        total=Count("pk"), ordered=Count("pk", filter=Q(order__isnull=False))
    )
    return OutcomeReport(
        date_from=date_from,
        date_to=date_to,
        total=total,
        outcomes=outcomes,
        staff=staff_rows,
        requests_total=requests["total"],
        requests_ordered=requests["ordered"],
    )


def _count(
    rows: Iterable[Any],
) -> tuple[dict[str, int], dict[int | None, dict[str, Any]]]:
    """Finished follow-ups per outcome, and per staff member (name and counts per outcome)."""
    by_outcome: dict[str, int] = dict.fromkeys(Outcome.values, 0)
    staff: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        by_outcome[row["outcome"]] = by_outcome.get(row["outcome"], 0) + row["n"]
        person = staff.setdefault(
            row["assignee_id"],
            {
                "name": " ".join(
                    p for p in (row["assignee__first_name"], row["assignee__last_name"]) if p
                )
                or (row["assignee__username"] or ""),
                "counts": dict.fromkeys(Outcome.values, 0),
            },
        )
        person["counts"][row["outcome"]] = person["counts"].get(row["outcome"], 0) + row["n"]
    return by_outcome, staff
