"""The demo city's cases (街乡吹哨、部门报到): six months of problems reported on its grids and followed
through ``cases.actions`` to where they stand today.

First the city's set-up: each category's default handler is a department of the bureau that handles
it (城管 for 市容/违建/停车, 公安 for order, 市场监管 for market, 住建 for property and facilities, 应急
for safety; in a small city without one of these, its 城市管理局 stands in), and members answer for parts of some grids
(党建责任区). Then every case is planned (``Plan``: who reports what where, and how it will go) and the
stories run in the order of their moments with the deadline jobs between them (demo/cases/stories.py):
reported by grid workers, residents, members, communities and the hotline; closed by the community or
passed up and whistled to departments and member units (lead and co-handlers); accepted on time or
late; returned and dispatched again; progress; resolved on time or late; rated satisfied, basically
satisfied or unsatisfied; reopened; escalated when overdue; duplicates merged; a six-party meeting
called and held.

What the demo accounts find: ``dept`` has cases awaiting its acceptance, one due within a day and one
overdue; ``unit`` one to accept; ``grid`` open cases in its grid; ``community`` a new case to triage;
``street`` a case passed up; ``resident`` a result to rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone, translation

from cases import keeping
from cases.models import Case, CaseCategory, CaseState, ResponsibilityArea
from checkin.models import Team
from demo.cases import words
from demo.cases.stories import Ctx, Plan, run
from demo.layout import CityLayout, CommunityPlace, Dice, Weighted
from demo.service.cast import Cast, quiet_outbox
from demo.units import bureau_of
from orgs.models import Unit, UnitKind
from people.models import Member, Resident

CASE_COMMUNITIES = 30  # communities with cases: the home street's, then the others' in turn
DAYS = 182  # how far back the cases go
HOME_STREET_CASES = 15  # cases a community of the home street had in that time
OTHER_CASES = 3
STORIES = Weighted(["whistle", "community", "returned", "meeting", "duplicate"], [52, 33, 7, 2, 6])
SOURCES = Weighted(["grid", "resident", "member", "community", "hotline"], [42, 18, 10, 12, 18])
RATINGS = Weighted(["satisfied", "basic", "unsatisfied", ""], [60, 17, 11, 12])
# the problems grid workers meet most, more often
CODES = Weighted(
    list(words.PROBLEMS),
    [
        3 if code in ("piles", "parking", "garbage", "charging", "street-trading") else 1
        for code in words.PROBLEMS
    ],
)


class Cases:
    """What the plans draw from: the city's departments by bureau and district, the member units of each
    street, the people who report in each community."""

    def __init__(self, d: Dice, layout: CityLayout, users: dict, cast: Cast) -> None:
        self.d, self.layout, self.users, self.cast = d, layout, users, cast
        self.now = timezone.now()
        self.seat = layout.districts[0]
        self.by_bureau: dict[str, dict[int, Unit]] = defaultdict(dict)
        for place in layout.departments:
            self.by_bureau[bureau_of(place.unit)].setdefault(
                place.unit.address_area.parent_id or 0, place.unit
            )
        self.member_units: dict[int, list[Unit]] = defaultdict(list)
        for place in layout.units:
            if place.unit.kind != UnitKind.DEPARTMENT:
                self.member_units[place.street_id].append(place.unit)
        leaves = CaseCategory.objects.leaves().select_related("parent")
        self.categories = {c.code: c for c in leaves}
        self.group = {c.code: c.parent.code for c in leaves}
        self.places = self._places()
        ids = [place.area.pk for place in self.places]
        self.demo_member = Member.objects.get(user=users["member"])
        self.demo_resident = Resident.objects.get(user=users["resident"])
        self.residents: dict[int, list[Resident]] = defaultdict(list)
        for resident in Resident.objects.filter(residence_area_id__in=ids, user__isnull=True).order_by("pk"):
            if len(self.residents[resident.residence_area_id]) < 2:
                self.residents[resident.residence_area_id].append(resident)
        self.members: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(residence_area_id__in=ids, user__isnull=True).order_by("pk"):
            if len(self.members[member.residence_area_id]) < 2:
                self.members[member.residence_area_id].append(member)
        self.buildings = {b.pk: b for place in self.places for home in place.homes for b in home.buildings}

    def _places(self) -> list[CommunityPlace]:
        by_street = [self.layout.communities_of(street.pk) for street in self.layout.streets]
        chosen, rest = list(by_street[0]), [list(places) for places in by_street[1:]]
        while len(chosen) < CASE_COMMUNITIES and any(rest):
            for places in rest:
                if places and len(chosen) < CASE_COMMUNITIES:
                    chosen.append(places.pop(0))
        return chosen

    def department(self, street, bureau: str) -> Unit:
        """The department of ``bureau`` in the street's district, else the seat district's; a small city
        without that bureau has its 城市管理局 (the first department every city has) stand in."""
        units = self.by_bureau.get(bureau) or self.by_bureau[bureau_of(self.layout.departments[0].unit)]
        return units.get(street.parent_id) or units.get(self.seat.pk) or next(iter(units.values()))

    @property
    def dept(self) -> Unit:
        """The ``dept`` account's department."""
        return self.layout.departments[0].unit

    def building(self, place: CommunityPlace):
        home = self.d.pick(place.homes)
        return self.d.pick(home.buildings)

    # --- planning --------------------------------------------------------------------------------

    def handlers(self, place: CommunityPlace, code: str) -> tuple[Unit, list[Unit], Unit | None]:
        """The lead, the co-handlers and, sometimes, a wrong first choice that returns the case."""
        d, group = self.d, self.group[code]
        bureau = words.GROUP_BUREAU.get(group)
        units = self.member_units[place.street.pk]
        if bureau is None:
            lead = d.pick(units) if units else self.department(place.street, "城市管理局")
        else:
            lead = self.department(place.street, bureau)
        co: list[Unit] = []
        if d.chance(0.2):
            other = self.department(
                place.street, words.CO_BUREAU[group] if group in words.CO_BUREAU else "公安分局"
            )
            if other.pk != lead.pk:
                co.append(other)
        if units and d.chance(0.15):
            unit = d.pick(units)
            if unit.pk != lead.pk:
                co.append(unit)
        wrong_bureau = "公安分局" if bureau != "公安分局" else "城市管理局"
        wrong = self.department(place.street, wrong_bureau)
        return lead, co, (wrong if wrong.pk != lead.pk else None)

    def plan(
        self, place: CommunityPlace, at, *, story: str, code: str | None = None, source: str = ""
    ) -> Plan:
        d = self.d
        code = code or CODES.draw(d)
        source = source or SOURCES.draw(d)
        person = None
        building = self.building(place)
        if source == "resident" and self.residents[place.area.pk]:
            person = d.pick(self.residents[place.area.pk])
        elif source == "member" and self.members[place.area.pk]:
            person = d.pick(self.members[place.area.pk])
        elif source in ("resident", "member"):
            source = "grid"
        if person is not None and person.residence_building_id in self.buildings:
            building = self.buildings[person.residence_building_id]
        lead, co, wrong = self.handlers(place, code)
        rating = RATINGS.draw(d)
        return Plan(
            place=place,
            code=code,
            at=at,
            source=source,
            story=story,
            building=building,
            person=person,
            lead=lead,
            co=co,
            wrong=wrong if story == "returned" else None,
            late_accept=d.chance(0.12),
            late_resolve=d.chance(0.15),
            rating=rating,
            second_rating="unsatisfied" if rating == "unsatisfied" and d.chance(0.3) else "basic",
            reopen_closed=story == "whistle" and rating == "satisfied" and d.chance(0.03),
        )

    def moment(self) -> datetime:
        """A moment of the last ``DAYS`` days, in office hours (more of them lately)."""
        d = self.d
        back = DAYS * (1 - d.rng.random() ** 0.8)
        day = timezone.localtime(self.now - timedelta(days=back)).date()
        start = datetime.combine(day, time(8), tzinfo=timezone.get_current_timezone())
        return start + timedelta(hours=d.between(0, 10), minutes=d.between(0, 59))

    def plans(self) -> list[Plan]:
        plans: list[Plan] = []
        home_street = self.layout.streets[0].pk
        for place in self.places:
            for _ in range(HOME_STREET_CASES if place.street.pk == home_street else OTHER_CASES):
                story = STORIES.draw(self.d)
                at = self.moment()
                if story == "duplicate":
                    first = self.plan(place, at, story=self.d.pick(["whistle", "community"]))
                    again = self.plan(
                        place, at + timedelta(hours=self.d.between(3, 30)), story="duplicate", code=first.code
                    )
                    again.building, again.primary = first.building, first
                    plans += [first, again]
                else:
                    plans.append(self.plan(place, at, story=story))
        return plans + self.for_the_demo_accounts()

    def for_the_demo_accounts(self) -> list[Plan]:
        """The cases the demo accounts find waiting, and one of each of the rarer turns."""
        now, street = self.now, self.layout.communities_of(self.layout.streets[0].pk)
        home, next_door = street[0], street[min(1, len(street) - 1)]
        dept, unit = self.dept, self.layout.demo_unit.unit
        days, hours = (lambda n: now - timedelta(days=n)), (lambda n: now - timedelta(hours=n))
        mine = self.plan(home, days(40), story="whistle", code="piles", source="resident")
        mine.person, mine.rating = None, "satisfied"
        to_rate = self.plan(home, hours(30), story="community", code="garbage", source="resident")
        to_rate.person, to_rate.stop, to_rate.fast = None, "resolve", True
        plans = [mine, to_rate]
        for n, code in enumerate(("parking", "piles", "street-trading")):
            p = self.plan(street[n % len(street)], hours(6 + n), story="whistle", code=code, source="grid")
            p.lead, p.co, p.stop, p.fast = dept, [], "dispatch", True
            plans.append(p)
        soon = self.plan(home, hours(9), story="whistle", code="illegal-building", source="grid")
        soon.lead, soon.co, soon.stop, soon.fast, soon.due_hours = dept, [], "progress", True, 20
        late = self.plan(next_door, days(12), story="whistle", code="parking", source="community")
        late.lead, late.co, late.stop = dept, [], "progress"
        for_unit = self.plan(home, hours(5), story="whistle", code="other-problem", source="grid")
        for_unit.lead, for_unit.co, for_unit.stop, for_unit.fast = unit, [], "dispatch", True
        new = self.plan(home, hours(2), story="whistle", code="charging", source="grid")
        new.stop = "report"
        passed_up = self.plan(next_door, hours(4), story="whistle", code="lift", source="hotline")
        passed_up.stop, passed_up.fast = "pass_up", True
        meeting = self.plan(home, days(25), story="meeting", code="illegal-building", source="grid")
        meeting.lead, meeting.rating = dept, "satisfied"
        meeting.co = [self.department(home.street, "住房和城乡建设局"), unit]
        twice = self.plan(home, days(60), story="whistle", code="lift", source="member")
        twice.person, twice.rating, twice.second_rating = self.demo_member, "unsatisfied", "unsatisfied"
        reopened = self.plan(home, days(50), story="whistle", code="street-trading", source="grid")
        reopened.rating, reopened.reopen_closed = "satisfied", True
        returned = self.plan(next_door, days(35), story="returned", code="noise", source="grid")
        returned.wrong, returned.rating = dept, "basic"
        first = self.plan(home, days(15), story="whistle", code="piles", source="grid")
        again = self.plan(
            home, first.at + timedelta(hours=5), story="duplicate", code="piles", source="community"
        )
        again.building, again.primary = first.building, first
        plans += [soon, late, for_unit, new, passed_up, meeting, twice, reopened, returned, first, again]
        for p in plans:  # in time: what they wait for now is what the story says
            p.late_accept = p.late_resolve = False
        return plans


def set_default_handlers(c: Cases) -> int:
    n = 0
    for code, category in c.categories.items():
        bureau = words.GROUP_BUREAU.get(c.group[code])
        if bureau is not None:
            keeping.set_default_handler(
                acting_user=None, category=category, unit=c.department(c.layout.streets[0], bureau)
            )
            n += 1
    return n


def responsibility_areas(c: Cases) -> int:
    """党建责任区 in the home street: a member living in a compound answers for its grid, and a team for
    the community's grid."""
    street = c.layout.communities_of(c.layout.streets[0].pk)
    compounds = [home.compound.pk for place in street for home in place.homes]
    living = {}
    for member in Member.objects.filter(residence_compound_id__in=compounds).order_by("pk"):
        living.setdefault(member.residence_compound_id, member)
    teams = {}
    for team in Team.objects.filter(community_id__in=[p.area.pk for p in street]).order_by("pk"):
        teams.setdefault(team.community_id, team)
    n = 0
    for place in street:
        staff = c.cast.staff(place)
        for home in place.homes[:2]:
            cell = home.buildings[0].grid
            member = living.get(home.compound.pk)
            if member is not None:
                keeping.set_responsibility_area(
                    acting_user=staff, grid=cell, member=member, compound=home.compound, note="联系本小区居民"
                )
                n += 1
        team = teams.get(place.area.pk)
        if team is not None and place.homes:
            grid = place.homes[0].buildings[0].grid.parent
            keeping.set_responsibility_area(
                acting_user=staff, grid=grid, team=team, note="负责网格内环境整治"
            )
            n += 1
    return n


def seed_cases(
    dice: Dice, layout: CityLayout, users: dict, cast: Cast, *, out: Callable[[str], None] = print
) -> None:
    """The cases of the demo city (in its build's transaction), after the service loop (whose accounts
    they share)."""
    with translation.override("zh-hans"), quiet_outbox():
        c = Cases(dice, layout, users, cast)
        handlers = set_default_handlers(c)
        areas = responsibility_areas(c)
        ctx = Ctx(d=dice, layout=layout, users=users, cast=cast, now=c.now, categories=c.categories)
        run(ctx, c.plans())
    refused = {k: v for k, v in ctx.counts.items() if k.startswith("refused")}
    states = Case.objects.filter(street__in=layout.streets).values_list("state", flat=True)
    tally = {state: 0 for state in CaseState.values}
    for state in states:
        tally[state] += 1
    out(
        f"  {ctx.counts['cases']} cases in {len(c.places)} communities "
        f"({', '.join(f'{v} {k}' for k, v in tally.items())}), {ctx.counts['escalated']} escalations, "
        f"{ctx.counts['closed unrated']} closed unconfirmed, "
        f"{ctx.counts['meetings']} meetings, {ctx.counts['merged']} merged; {handlers} default handlers, "
        f"{areas} responsibility areas ({ResponsibilityArea.objects.count()} in all)"
        + (f"; refused: {refused}" if refused else "")
    )
