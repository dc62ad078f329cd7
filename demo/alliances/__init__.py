"""The demo city's alliances (党建联盟): in each street an alliance of its working committee and the units
located there (and a department or two of its district), with a year of their life, written by the
actions of ``alliances`` as the people whose step it is, at the moment of the city's past it happened.

Each street alliance was founded at the start of the quarter a year before the current one. Its member
units signed agreements with responsibility lists: most are in force, one expires within 30 days, one
expired (its unit is inactive), one was renewed, one waits for the unit's signature, one pairs a unit
with a community (结对共建). Posts: the street committee's secretary, a community's secretary as deputy,
part-time members from units, an inspector following three units, an envoy per unit, liaisons, the grid
worker as informant. The chair rotates monthly over this year (two months swapped); every past month's
chair planned and reported a themed activity whose attendance became confirmed service and points; an
activity is open for sign-up and one is full. A year of meetings (the plenary, quarterly joint and
street committee meetings, an emergency, a multi-party one on a case) with invitations, QR sign-ins,
absences, leave, minutes (one a draft, one amended) and resolutions in every state; one quarter's joint
meeting was held late and one street committee meeting missed, so compliance shows on time, late, missed
and due. Board posts some units have not read, and leaders linked to two communities with their visits.

What the demo accounts find: ``street`` leads the home street's alliance (its secretary), ``community``
is a deputy, ``unit`` a part-time member whose unit owns open tasks and has a board post unread,
``inspector`` follows three units, ``member`` is its unit's envoy and came to activities, ``grid`` is
the informant, ``orgdept`` linked the leaders.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from alliances.models import (
    Activity,
    ActivitySignup,
    Agreement,
    Alliance,
    Meeting,
    MeetingKind,
    Resolution,
)
from demo.layout import CityLayout, Dice
from demo.service.cast import Cast, quiet_outbox
from orgs.models import Unit, UnitKind

# A full year in this many streets (the home street first); beyond them, on a benchmark city, a street's
# alliance has its members, agreements and posts only, so the build stays within seconds.
FULL_STREETS = 12
MEMBER_UNITS = 6  # member units of a street alliance (not departments), borrowed nearby if it has fewer
DEPARTMENTS = 1  # functional departments of the street's district that join it (two at home)
# What each member unit's agreement does, in the order of the street's units (the demo unit first).
FATES = ["signed", "pairing", "renewed", "expiring", "expired", "draft"]


class Missing(Exception):
    """A step needs what an earlier step, refused or not yet due, did not make."""


class Clock:
    """Steps run in the order of their moments, each with the clock held there (time-machine), so every
    action stamps its own ``timezone.now()``; a step may schedule later steps. A step due after now has
    not happened: what it would do waits. A step the rules refuse is counted, not hidden."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.limit = now - timedelta(minutes=2)
        self.queue: list[tuple[datetime, int, Callable, tuple]] = []
        self.order = itertools.count()
        self.counts: Counter = Counter()

    def at(self, moment: datetime, step: Callable, *args) -> None:
        heapq.heappush(self.queue, (moment, next(self.order), step, args))

    def run(self) -> None:
        while self.queue:
            moment, _, step, args = heapq.heappop(self.queue)
            if moment > self.limit:
                self.counts["not yet"] += 1
                continue
            with time_machine.travel(moment, tick=False):
                try:
                    step(*args)
                except (ValidationError, PermissionDenied) as exc:
                    self.counts["refused"] += 1
                    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.counts[f"refused: {step.__name__}: {text}"] += 1
                except Missing:
                    self.counts["skipped"] += 1
                    self.counts[f"skipped: {step.__name__}"] += 1


@dataclass
class Seeder:
    """What every street's story draws from: the dice, the city, the accounts and the clock."""

    d: Dice
    layout: CityLayout
    users: dict
    cast: Cast
    clock: Clock
    today: date
    tz: object = field(default_factory=timezone.get_current_timezone)

    def on(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def speaker(self, unit: Unit):
        """Who speaks for a member unit: its party admin, or a department's duty officer."""
        if unit.kind == UnitKind.DEPARTMENT:
            return self.cast.department(unit)
        return self.cast.unit_admin(unit)


def member_units(layout: CityLayout, street, d: Dice) -> tuple[list[Unit], list[Unit]]:
    """The street's units (the demo unit first), borrowed from its district and then the city when it has
    too few, and one or two departments of its district (the ``dept`` account's first)."""
    own = [p.unit for p in layout.units if p.street_id == street.pk and p.unit.kind != UnitKind.DEPARTMENT]
    demo = layout.demo_unit.unit if layout.demo_unit else None
    own.sort(key=lambda u: (u != demo, u.pk))
    units = own[:MEMBER_UNITS]
    district_streets = {s.pk for s in layout.streets if s.parent_id == street.parent_id}
    nearby = [
        p.unit
        for p in layout.units
        if p.unit.kind != UnitKind.DEPARTMENT and p.street_id in district_streets and p.unit not in units
    ]
    anywhere = [p.unit for p in layout.units if p.unit.kind != UnitKind.DEPARTMENT and p.unit not in units]
    for pool in (nearby, anywhere):
        while len(units) < MEMBER_UNITS and pool:
            unit = pool.pop(int(d.rng.random() * len(pool)))
            if unit not in units:
                units.append(unit)
    departments = [
        p.unit for p in layout.departments if p.unit.address_area.parent_id == street.parent_id
    ] or [p.unit for p in layout.departments]
    home = street.pk == layout.streets[0].pk
    return units, departments[: DEPARTMENTS + home]


def seed_alliances(
    dice: Dice, layout: CityLayout, users: dict, cast: Cast, *, out: Callable[[str], None] = print
) -> None:
    """The alliances of the demo city (in its build's transaction), after the cases (a meeting takes one
    up, a resolution becomes one, a leader's visit names one)."""
    from demo.alliances.community import CommunityAlliance
    from demo.alliances.street import StreetAlliance

    with translation.override("zh-hans"), quiet_outbox():
        now = timezone.now()
        s = Seeder(d=dice, layout=layout, users=users, cast=cast, clock=Clock(now), today=layout.today)
        stories = [
            StreetAlliance(s, street, full=n < FULL_STREETS) for n, street in enumerate(layout.streets)
        ]
        stories.append(CommunityAlliance(s, layout.communities[0]))
        for story in stories:
            story.plan()
        s.clock.run()
    out(summary(layout, s.clock.counts))


def summary(layout: CityLayout, counts: Counter) -> str:
    alliances = Alliance.objects.filter(area__in=[*layout.streets, layout.communities[0].area])
    agreements = Counter(
        "expired" if a.expired(timezone.localdate()) else a.state
        for a in Agreement.objects.filter(alliance__in=alliances).only("state", "ends_on")
    )
    meetings = Meeting.objects.filter(alliance__in=alliances)
    resolutions = Counter(Resolution.objects.filter(meeting__in=meetings).values_list("state", flat=True))
    activities = Activity.objects.filter(alliance__in=alliances)
    records = ActivitySignup.objects.filter(activity__in=activities, service_record__isnull=False).count()
    refused = {k: v for k, v in counts.items() if k.startswith(("refused", "skipped"))}
    return (
        f"  {alliances.count()} alliances, "
        f"{sum(agreements.values())} agreements ({', '.join(f'{v} {k}' for k, v in sorted(agreements.items()))}), "
        f"{meetings.count()} meetings ({meetings.filter(kind=MeetingKind.CASE).count()} on cases), "
        f"{sum(resolutions.values())} resolutions "
        f"({', '.join(f'{v} {k}' for k, v in sorted(resolutions.items()))}), "
        f"{activities.count()} activities ({records} attendances confirmed)"
        + (f"; refused: {refused}" if refused else "")
    )
