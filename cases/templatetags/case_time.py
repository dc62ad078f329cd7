"""How a case's deadlines read: a deadline is the midnight that ends a working day (cases/workdays.py),
so it is shown as that day at 24:00 ("2026-12-09 24:00"), not as the next day at 00:00."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def deadline(value, fmt: str = "%Y-%m-%d") -> str:
    """A deadline in local time; one at midnight as the end of the day before. ``fmt`` is strftime's, of
    the day (the time follows)."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    if local.hour == 0 and local.minute == 0:
        return f"{(local - timedelta(days=1)):{fmt}} 24:00"
    return f"{local:{fmt}} {local:%H:%M}"
