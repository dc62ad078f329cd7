"""Chinese working days (工作日): deadlines of cases are counted in them, skipping statutory holidays and
counting the make-up working days (调休) on weekends, from the maintained ``chinesecalendar`` package.

A year the package does not know yet (it is published once the State Council announces the next year's
holidays, usually in November) falls back to Monday–Friday, and the system check ``cases.W001`` warns
the administrator to upgrade the package once the current year is unknown to it.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar
from django.utils import timezone

log = logging.getLogger(__name__)


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def calendar_knows(year: int) -> bool:
    """Whether the installed package has the State Council's holidays for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The deadline ``days`` working days after ``start``: the end (local midnight) of the ``days``-th
    working day after the day of ``start``. A case reported on Friday evening with 1 working day is due at
    the end of Monday; reported before the National Day holiday, after it. Zero days: the end of the day
    of ``start`` if it is a working day, else of the next working day."""
    local = timezone.localtime(start)
    day = local.date()
    if days <= 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    else:
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if is_working_day(day):
                counted += 1
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days that have wholly passed from ``start`` to ``end``: those from ``start``'s day up to
    the day before ``end``'s (0 if ``end`` is not later). A deadline is the midnight that ends a day, so
    a case due at the end of 30 September and looked at on 9 October is one working day late (8 October;
    1–7 October are the holiday)."""
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    n = 0
    while day < last:
        if is_working_day(day):
            n += 1
        day += dt.timedelta(days=1)
    return n
