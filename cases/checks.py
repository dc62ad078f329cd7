"""The working-day calendar knows this year's holidays (cases/workdays.py), or deadlines are counted as
Monday–Friday and miss the 调休 days: the administrator upgrades ``chinesecalendar``."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.utils import timezone

from cases.workdays import calendar_knows


@register()
def working_day_calendar(app_configs, **kwargs) -> list:
    year = timezone.localdate().year
    if calendar_knows(year):
        return []
    return [
        Warning(
            f"The chinesecalendar package has no holidays for {year}: case deadlines count Monday–Friday only.",
            hint="Upgrade chinesecalendar (pip install -U chinesecalendar) and restart.",
            id="cases.W001",
        )
    ]
