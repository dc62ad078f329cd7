"""What every part of the demo's service loop shares: the communities it runs in, who serves and who
is served there, the units tied to them, the accounts people act with, and the clock.

Each action runs at its moment in the city's past (``Loop.at``: time-machine holds the clock there
while the action stamps ``timezone.now()``), so the rows carry their history without any date being
written by hand. A member serves at most once a day (``Loop.slot``), so only the records meant to be
odd trip the plausibility checks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from checkin.models import CheckIn, CheckInState, Team, TeamMembership, UnitPairing
from demo.layout import CityLayout, CommunityPlace, Dice
from demo.service.cast import Cast
from orgs.models import Unit
from people.models import Member, Resident
from service.models import ServiceCategory

# The full loop runs in this many communities: the community account's street first, then one
# community of each other street in turn. Every action costs a transaction's worth of queries, so a
# benchmark city with hundreds of communities still builds its loop in seconds.
LOOP_COMMUNITIES = 8
VOLUNTEERS = 12  # members per community who act in the loop (each needs an account)
SERVING = (CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED)


def loop_communities(layout: CityLayout) -> list[CommunityPlace]:
    """The home community's street, then the other streets' communities in turn, up to the limit."""
    streets = [layout.communities_of(street.pk) for street in layout.streets]
    chosen = list(streets[0])
    rest = [list(places) for places in streets[1:]]
    while len(chosen) < LOOP_COMMUNITIES and any(rest):
        for places in rest:
            if places and len(chosen) < LOOP_COMMUNITIES:
                chosen.append(places.pop(0))
    return chosen[:LOOP_COMMUNITIES]


@dataclass
class Server:
    """A member who serves a community: lives there or reports there."""

    member: Member
    compound_id: int | None
    building_id: int | None
    skills: str
    demo: bool = False  # the member account

    @property
    def pk(self) -> int:
        return self.member.pk


@dataclass
class Household:
    resident: Resident
    demo: bool = False  # the resident account

    @property
    def pk(self) -> int:
        return self.resident.pk


class Loop:
    def __init__(self, dice: Dice, layout: CityLayout, users: dict) -> None:
        self.d, self.layout, self.users = dice, layout, users
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = layout.today
        self.home = layout.communities[0]
        self.places = loop_communities(layout)
        self.place_of = {place.area.pk: place for place in self.places}
        self.area_of = {place.area.pk: place.area for place in self.places}
        self.counts: dict[str, int] = defaultdict(int)
        self.categories = {c.code: c for c in ServiceCategory.objects.filter(city__isnull=True).items()}
        self.demo_member = Member.objects.get(user=users["member"])
        self.demo_resident = Resident.objects.get(user=users["resident"])
        self.cast = Cast(layout, users, self.demo_member, self.demo_resident)
        ids = [place.area.pk for place in self.places]
        self._servers(ids)
        self._households(ids)
        self.buildings = {b.pk: b for place in self.places for home in place.homes for b in home.buildings}
        self.compounds = {home.compound.pk: home.compound for place in self.places for home in place.homes}
        self.teams: dict[int, list[Team]] = defaultdict(list)
        for team in Team.objects.filter(community_id__in=ids).order_by("pk"):
            self.teams[team.community_id].append(team)
        self.team_members: dict[int, list[int]] = defaultdict(list)
        for team_id, member_id in TeamMembership.objects.filter(team__community_id__in=ids).values_list(
            "team_id", "member_id"
        ):
            self.team_members[team_id].append(member_id)
        self._tied(ids)
        self.busy: dict[int, set[date]] = defaultdict(set)  # a member's days of service
        self._skilled: dict[tuple[int, str], list[Server]] = {}
        self.volunteers: dict[int, list[Server]] = {}
        # what the parts leave for each other
        self.rewards: dict[int, list] = {}  # each community's shelf
        self.posts: dict[int, list] = defaultdict(list)  # each community's posts
        self.holders: dict[int, list[Server]] = defaultdict(list)  # who holds each post now
        self.unit_resources: dict[int, list] = defaultdict(list)  # resources offered, not withdrawn
        self.left: dict[int, Decimal] = {}  # what is left of each resource to commit

    def _servers(self, ids: list[int]) -> None:
        rows: list[tuple[int, int, int | None, int | None, str]] = list(
            Member.objects.filter(residence_area_id__in=ids)
            .order_by("pk")
            .values_list(
                "pk", "residence_area_id", "residence_compound_id", "residence_building_id", "skills"
            )
        )
        seen = {(pk, area) for pk, area, *_ in rows}
        for pk, area, skills in (
            CheckIn.objects.filter(state__in=SERVING, community_id__in=ids)
            .order_by("pk")
            .values_list("member_id", "community_id", "skills")
        ):
            if (pk, area) not in seen:
                rows.append((pk, area, None, None, skills))
        members = Member.objects.in_bulk({pk for pk, *_ in rows})
        members[self.demo_member.pk] = self.demo_member
        self.members = members
        self.servers: dict[int, list[Server]] = defaultdict(list)
        for pk, area, compound, building, skills in rows:
            self.servers[area].append(
                Server(members[pk], compound, building, skills, pk == self.demo_member.pk)
            )

    def _households(self, ids: list[int]) -> None:
        self.households: dict[int, list[Household]] = defaultdict(list)
        for resident in (
            Resident.objects.filter(residence_area_id__in=ids).select_related("residence_area").order_by("pk")
        ):
            demo = resident.pk == self.demo_resident.pk
            self.households[resident.residence_area_id].append(
                Household(self.demo_resident if demo else resident, demo)
            )

    def _tied(self, ids: list[int]) -> None:
        """Units paired with a community or located in it, and since when (None: always, by address)."""
        units = {p.unit.pk: p.unit for p in self.layout.units}
        self.tied: dict[int, list[Unit]] = defaultdict(list)
        self.tied_since: dict[tuple[int, int], date | None] = {}
        for unit_id, area, started in (
            UnitPairing.objects.active_on(self.today).filter(community_id__in=ids).order_by("pk")
        ).values_list("unit_id", "community_id", "started_on"):
            self.tied[area].append(units[unit_id])
            self.tied_since[(area, unit_id)] = started
        for place in self.layout.units:
            area = place.unit.address_area_id
            if area in ids:
                if place.unit not in self.tied[area]:
                    self.tied[area].append(place.unit)
                self.tied_since[(area, place.unit.pk)] = None

    # --- the clock --------------------------------------------------------------------------------

    def at(self, moment: datetime) -> time_machine.travel:
        """Run what follows at ``moment`` (never later than a few minutes ago)."""
        return time_machine.travel(min(moment, self.now - timedelta(minutes=2)), tick=False)

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def on(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def local_day(self, moment: datetime) -> date:
        return timezone.localtime(moment).date()

    def reachable_from(self, area_id: int, unit: Unit, day: date) -> date:
        """The first day from ``day`` on when the unit works with the community (its pairing started)."""
        since = self.tied_since.get((area_id, unit.pk))
        return day if since is None else max(day, since + timedelta(days=1))

    # --- who --------------------------------------------------------------------------------------

    def staff(self, place: CommunityPlace):
        return self.cast.staff(place)

    def member(self, pk: int) -> Member:
        return self.members[pk]

    def slot(self, member_id: int, after: datetime, before: datetime, minutes: int) -> datetime | None:
        """A start for a member's service in (after, before], on a day they serve nothing else. The
        dice are rolled the same number of times whatever the outcome, so the rest of the city does not
        depend on the hour of the build."""
        before = min(before, self.now - timedelta(minutes=30))
        first = timezone.localtime(after).date()
        span = max((timezone.localtime(before).date() - first).days, 0)
        tries = [
            (
                first + timedelta(days=self.d.between(0, span)),
                self.d.between(8, 17),
                self.d.pick((0, 15, 30, 45)),
            )
            for _ in range(8)
        ]
        for day, hour, minute in tries:
            start = self.on(day, hour, minute)
            if day in self.busy[member_id] or start <= after or start + timedelta(minutes=minutes) > before:
                continue
            self.busy[member_id].add(day)
            return start
        return None

    def others(self, place: CommunityPlace) -> list[Server]:
        """The community's volunteers (the member account aside): a dozen of those who serve it, the
        ones with the app, who claim its posts, take its needs and log what they did."""
        area = place.area.pk
        if area not in self.volunteers:
            pool = [s for s in self.servers[area] if not s.demo]
            self.volunteers[area] = sorted(
                self.d.sample(pool, min(len(pool), VOLUNTEERS)), key=lambda s: s.pk
            )
        return self.volunteers[area]

    def skilled(self, place: CommunityPlace, code: str) -> list[Server]:
        """Who serves the community with skills the item asks for (the member account aside)."""
        key = (place.area.pk, code)
        if key not in self._skilled:
            words = self.categories[code].keyword_list()
            self._skilled[key] = [s for s in self.others(place) if any(w in s.skills for w in words)]
        return self._skilled[key]

    def pick_server(self, place: CommunityPlace, code: str, avoid=()) -> Server | None:
        """Somebody with the skills when there is one (a secretary asks them first), else anybody."""
        pool = [s for s in self.skilled(place, code) if s.pk not in avoid]
        if not pool or self.d.chance(0.25):
            pool = [s for s in self.others(place) if s.pk not in avoid]
        return self.d.pick(pool) if pool else None

    def beneficiary(self, place: CommunityPlace, code: str, *, near_skills: bool) -> Household:
        """A resident (not the resident account); for new needs, one living near somebody with the
        skills (the board's suggestions then have something to say)."""
        households = self.households[place.area.pk]
        if near_skills:
            homes = {s.building_id for s in self.skilled(place, code) if s.building_id}
            near = [h for h in households if h.resident.residence_building_id in homes and not h.demo]
            if near:
                return self.d.pick(near)
        return self.d.pick([h for h in households if not h.demo] or households)

    def address(self, place: CommunityPlace, who: Household | None) -> str:
        building_id = who.resident.residence_building_id if who else None
        if building_id is None:
            return ""
        for home in place.homes:
            for b in home.buildings:
                if b.pk == building_id:
                    return f"{home.compound.name}{b.name}{self.d.between(1, 6)}0{self.d.between(1, 4)}室"
        return ""
