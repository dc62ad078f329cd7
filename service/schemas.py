"""API shapes every service router shares: an event of a history, a reason or a note, a period of days,
a rating, and how a time without a zone is read. Each noun's own shapes are in its package
(``service/<noun>/schemas.py``).

Explicit fields only. Related objects appear as ``Ref`` ({id, name}) or as a bare public id; integer
keys never leave the server.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from service.filters import check_day


def caller(context) -> object:
    """Who is calling (the request's user), inside a schema's resolver."""
    return context["request"].auth


class EventOut(Schema):
    """One recorded change: who, when, from which state to which, and why."""

    from_state: str | None
    to_state: str
    action: str
    actor: str | None
    at: datetime
    reason: str

    @staticmethod
    def resolve_from_state(obj) -> str | None:
        return obj.from_state or None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=200)


class RateIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)


def calendar_day(day: date | None) -> date | None:
    """A day of 2000–2099 (422 otherwise: the calendar's ends overflow the period's bounds)."""
    if day is not None:
        try:
            check_day(day)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
    return day


def local_time(moment: datetime | None) -> datetime | None:
    """A time sent without a zone is local time (settings.TIME_ZONE), as typed on the pages; its day
    must be of 2000–2099 like any day the API takes."""
    if moment is None:
        return None
    calendar_day(moment.date())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Period(Schema):
    start: date | None = Field(None, description="From this day (inclusive); 2000-01-01 at the earliest.")
    end: date | None = Field(None, description="Until this day (inclusive); 2099-12-31 at the latest.")

    @field_validator("start", "end")
    @classmethod
    def _within_calendar(cls, day: date | None) -> date | None:
        return calendar_day(day)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period as [start, end) in local time: from the start day's midnight to the one after
        the end day."""
        start = _midnight(self.start) if self.start else None
        end = _midnight(self.end + timedelta(days=1)) if self.end else None
        return start, end


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
