"""Shop-local days as aware instants (the shop's time zone is the current one), and the range of
days the shop's pages accept."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from django.utils import timezone

# Dates staff may type or put in a link: nothing the shop does happened before 2000, and nothing
# is planned more than five years ahead. The bounds keep every date a page computes with (the
# next month, the day after, the start of the day in another zone) inside Python's range.
EARLIEST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 5


def latest_day(today: date) -> date:
    """The last day a page accepts: `today` five years on (29 February: the 28th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def day_in_range(day: date, *, today: date) -> bool:
    return EARLIEST_DAY <= day <= latest_day(today)


def day_start(day: date, *, tz: tzinfo | None = None) -> datetime:
    """The aware instant `day` begins: shop-local midnight (or midnight in `tz`)."""
    return datetime.combine(day, time.min, tzinfo=tz or timezone.get_current_timezone())
