"""How often each kind of meeting is required (the 四会 schedule, an alliance's plenary and regular
meetings, a branch's 三会一课), and the period a day falls in. One table: meetings take their
``period_start`` from it, the compliance view counts held, late and missed meetings by it."""

from __future__ import annotations

from datetime import date

from alliances.models import MeetingKind

YEAR, HALF, QUARTER, MONTH = 12, 6, 3, 1

# months per period; a kind missing here is held when needed and never counted as missed
MEETING_FREQUENCY: dict[str, int] = {
    MeetingKind.PLENARY: YEAR,  # 全体会议: at least once a year
    MeetingKind.LEADING_GROUP: YEAR,  # 市领导小组: at least once a year
    MeetingKind.DISTRICT: HALF,  # 区协调会: at least twice a year
    MeetingKind.STREET: QUARTER,  # 街道工委会议: quarterly
    MeetingKind.REGULAR: QUARTER,  # 联席会议: quarterly
    MeetingKind.COMMUNITY: MONTH,  # 社区派单会: monthly
    MeetingKind.BRANCH_ASSEMBLY: QUARTER,  # 支部党员大会: quarterly
    MeetingKind.BRANCH_COMMITTEE: MONTH,  # 支委会: monthly
    MeetingKind.PARTY_GROUP: MONTH,  # 党小组会: monthly
    MeetingKind.PARTY_LECTURE: QUARTER,  # 党课: quarterly
}


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The required period of ``kind`` that contains ``day``: its first day and the first day after it.
    Kinds held only when needed (emergency, on a case) take the day's month."""
    months = MEETING_FREQUENCY.get(kind, MONTH)
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, shift_months(start, months)


def shift_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def periods_between(kind: str, start: date, end: date) -> list[tuple[date, date]]:
    """The required periods of ``kind`` that begin in [start, end), oldest first (none for a kind held only
    when needed)."""
    if kind not in MEETING_FREQUENCY:
        return []
    periods = []
    first, following = period_of(kind, start)
    if first < start:
        first, following = following, shift_months(following, MEETING_FREQUENCY[kind])
    while first < end:
        periods.append((first, following))
        first, following = following, shift_months(following, MEETING_FREQUENCY[kind])
    return periods
