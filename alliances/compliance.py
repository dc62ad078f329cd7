"""Meeting compliance (会议制度落实): for an alliance — or a party organisation's 三会一课 — each required kind
of meeting (``alliances.periods.MEETING_FREQUENCY``), each of its periods from the founding (or the
start of a given year) to today, and what became of it:

- **on time**: a held meeting answering the period (its ``period_start``) was held before the period
  ended;
- **late**: one answering the period was held only after it ended (making up for it);
- **missed**: the period ended and no held meeting answers it;
- **due**: the current period, nothing held for it yet.

And the attendance of the held meetings: signed-in invitations ÷ invitations, the excused (请假) shown
apart. ``assess`` is the pure rule; ``for_alliances`` and ``for_party_org`` read what it needs in two
queries (however many alliances)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from alliances.models import Alliance, AllianceKind, Invitation, Meeting, MeetingKind, MeetingState
from alliances.periods import MEETING_FREQUENCY, periods_between
from places.models import AreaLevel

# Who reads an alliance's compliance: the areas, the member units and their inspectors.
COMPLIANCE_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)

ON_TIME, LATE, MISSED, DUE = "on_time", "late", "missed", "due"
STATUS_LABELS = {
    ON_TIME: _("Held on time"),
    LATE: _("Held late"),
    MISSED: _("Missed"),
    DUE: _("Due, not yet held"),
}
# 三会一课: a party organisation's own meetings
BRANCH_KINDS = (
    MeetingKind.BRANCH_ASSEMBLY,
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.PARTY_GROUP,
    MeetingKind.PARTY_LECTURE,
)


def required_kinds(alliance: Alliance) -> list[str]:
    """The kinds an alliance owes: its plenary and regular meetings; the street committee's meeting for
    a street alliance (or a big committee at street level); the community's dispatch meeting for a
    community's."""
    kinds: list[str] = [MeetingKind.PLENARY, MeetingKind.REGULAR]
    level = alliance.area.level
    if level == AreaLevel.STREET and alliance.kind in (AllianceKind.STREET, AllianceKind.BIG_COMMITTEE):
        kinds.append(MeetingKind.STREET)
    if level == AreaLevel.COMMUNITY:
        kinds.append(MeetingKind.COMMUNITY)
    return kinds


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # the first day after it
    status: str
    held_on: date | None = None  # the first held meeting answering it

    @property
    def label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> Any:
        return MeetingKind(self.kind).label

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass
class Attendance:
    invited: int = 0
    signed_in: int = 0
    excused: int = 0

    @property
    def percent(self) -> int | None:
        """Signed-in invitations ÷ invitations; None with nobody invited."""
        return round(100 * self.signed_in / self.invited) if self.invited else None


@dataclass
class KindRow:
    kind: str
    periods: list[Period]
    attendance: Attendance = field(default_factory=Attendance)

    @property
    def label(self) -> Any:
        return MeetingKind(self.kind).label

    def count(self, status: str) -> int:
        return sum(1 for p in self.periods if p.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}


@dataclass
class Compliance:
    since: date
    today: date
    rows: list[KindRow]

    @property
    def counts(self) -> dict[str, int]:
        return {status: sum(row.count(status) for row in self.rows) for status in STATUS_LABELS}

    @property
    def attendance(self) -> Attendance:
        total = Attendance()
        for row in self.rows:
            total.invited += row.attendance.invited
            total.signed_in += row.attendance.signed_in
            total.excused += row.attendance.excused
        return total

    @property
    def missed(self) -> list[Period]:
        return [p for row in self.rows for p in row.periods if p.status == MISSED]


def assess(
    kind: str, since: date, today: date, held: Iterable[tuple[date, date]], *, until: date | None = None
) -> list[Period]:
    """The pure rule: each required period of ``kind`` beginning in [since, until] (until today), oldest
    first, with its status as of ``today``, given the held meetings as (period_start, day held)."""
    first_held: dict[date, date] = {}
    for period_start, day in held:
        if period_start not in first_held or day < first_held[period_start]:
            first_held[period_start] = day
    periods = []
    for start, end in periods_between(kind, since, min(until or today, today) + timedelta(days=1)):
        held_on = first_held.get(start)
        if held_on is not None:
            status = ON_TIME if held_on < end else LATE
        else:
            status = MISSED if end <= today else DUE
        periods.append(Period(kind, start, end, status, held_on))
    return periods


def _since(founded: date, year: int | None) -> date:
    return max(founded, date(year, 1, 1)) if year else founded


def _until(today: date, year: int | None) -> date:
    return min(today, date(year, 12, 31)) if year else today


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def for_alliances(
    alliances: Sequence[Alliance], *, year: int | None = None, today: date | None = None
) -> dict[int, Compliance]:
    """Each alliance's compliance (its ``area`` loaded), from its founding or the given year: two queries
    for all of them. The alliances come from ``Alliance.objects.visible_to``: whoever reads an alliance
    reads all of its meetings (``Meeting.objects.visible_to``)."""
    today = today or timezone.localdate()
    if not alliances:
        return {}
    kinds = {a.pk: required_kinds(a) for a in alliances}
    held = _held(Meeting.objects.filter(alliance__in=alliances), "alliance_id", year)
    attendance = _attendance(
        Invitation.objects.filter(meeting__alliance__in=alliances), "meeting__alliance_id", year
    )
    return {
        a.pk: _compliance(
            kinds[a.pk], _since(a.founded_on, year), today, _until(today, year), held[a.pk], attendance[a.pk]
        )
        for a in alliances
    }


def for_alliance(alliance: Alliance, *, year: int | None = None, today: date | None = None) -> Compliance:
    return for_alliances([alliance], year=year, today=today)[alliance.pk]


def for_party_org(
    user, org, *, since: date, year: int | None = None, today: date | None = None
) -> Compliance:
    """A party organisation's 三会一课, from ``since`` (or the given year)."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.visible_to(user).filter(party_org=org, alliance__isnull=True)
    held = _held(meetings, "party_org_id", year)
    attendance = _attendance(Invitation.objects.filter(meeting__in=meetings), "meeting__party_org_id", year)
    return _compliance(
        list(BRANCH_KINDS), _since(since, year), today, _until(today, year), held[org.pk], attendance[org.pk]
    )


def _held(meetings, host: str, year: int | None) -> dict[int, dict[str, list[tuple[date, date]]]]:
    found: dict[int, dict[str, list[tuple[date, date]]]] = defaultdict(lambda: defaultdict(list))
    rows = meetings.filter(state=MeetingState.HELD, kind__in=list(MEETING_FREQUENCY))
    if year:
        rows = rows.filter(period_start__year=year)
    for host_id, kind, period_start, starts_at in rows.order_by().values_list(
        host, "kind", "period_start", "starts_at"
    ):
        found[host_id][kind].append((period_start, _local_day(starts_at)))
    return found


def _attendance(invitations, host: str, year: int | None) -> dict[int, dict[str, Attendance]]:
    rows = invitations.filter(meeting__state=MeetingState.HELD)
    if year:
        rows = rows.filter(meeting__period_start__year=year)
    found: dict[int, dict[str, Attendance]] = defaultdict(lambda: defaultdict(Attendance))
    signed = Q(signed_in_at__isnull=False)
    for row in (
        rows.order_by()
        .values(host, "meeting__kind")
        .annotate(
            invited=Count("id"),
            signed_in=Count("id", filter=signed),
            excused=Count("id", filter=~signed & ~Q(excused="")),
        )
    ):
        found[row[host]][row["meeting__kind"]] = Attendance(row["invited"], row["signed_in"], row["excused"])
    return found


def _compliance(
    kinds: list[str],
    since: date,
    today: date,
    until: date,
    held: dict[str, list[tuple[date, date]]],
    attendance: dict[str, Attendance],
) -> Compliance:
    rows = [
        KindRow(
            kind,
            assess(kind, since, today, held.get(kind, []), until=until),
            attendance.get(kind, Attendance()),
        )
        for kind in kinds
    ]
    return Compliance(since, today, rows)
