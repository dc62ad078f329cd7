"""Build the demo city 龙岩市 (350800): districts, streets, communities, compounds, buildings, grids,
party organisations and their posts, units, people, registries and the demo accounts.

The small things (areas, grids, units, organisations, posts, users) go through the actions, so they
are validated and audited like any other write; the people are bulk-created (see demo/persons.py).
Everything happens in one transaction: a city exists whole or not at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from demo import vocab
from demo.accounts import create_demo_accounts
from demo.alliances import seed_alliances
from demo.cases import seed_cases
from demo.checkins import seed_checkins
from demo.layout import CityLayout, CitySize, CommunityPlace, Dice, Home
from demo.persons import People, Seeded, seed_people
from demo.registries import build_registries
from demo.service import seed_service
from demo.units import build_units
from orgs.actions import appoint_post, create_party_org
from orgs.models import PartyOrgKind, PostTitle, UnitKind
from people.models import Member
from places.actions import create_area, create_building, create_compound, create_grid
from places.models import Area, AreaLevel
from rollups.counting import rebuild


def city_exists() -> bool:
    return Area.objects.filter(code=vocab.CITY_CODE).exists()


@dataclass
class Built:
    layout: CityLayout
    people: Seeded


def build_city(size: CitySize, *, out: Callable[[str], None] = print) -> Built:
    """Build the whole city for ``size`` in one transaction; ``out`` receives progress lines."""
    dice = Dice(size.seed)
    with transaction.atomic():
        layout = build_places(dice, size)
        out(
            f"  {len(layout.districts)} districts, {len(layout.streets)} streets, "
            f"{len(layout.communities)} communities, {sum(len(c.homes) for c in layout.communities)} compounds"
        )
        build_units(dice, size, layout)
        out(f"  {len(layout.units)} units ({len(layout.departments)} functional departments)")
        people = People(dice, layout)
        seeded = seed_people(
            people,
            members=size.members,
            residents=size.residents,
            applicants=size.applicants,
            batch_size=size.batch_size,
            out=out,
        )
        out(f"  {seeded.members:,} members, {seeded.residents:,} residents, {seeded.applicants:,} applicants")
        appoint_posts(dice, layout, people)
        build_registries(dice, layout, people)
        users = create_demo_accounts(layout=layout, people=people)
        seed_checkins(dice, layout, users, batch_size=size.batch_size, out=out)
        loop = seed_service(dice, layout, users, out=out)
        seed_cases(dice, layout, users, loop.cast, out=out)
        seed_alliances(dice, layout, users, loop.cast, out=out)
        out(f"  roll-ups: {sum(rebuild(timezone.localdate()).values()):,} tallies")  # rows written in bulk
    return Built(layout=layout, people=seeded)


def district_specs(count: int) -> Iterator[tuple[str, str, list[str]]]:
    yield from vocab.DISTRICTS[:count]
    used = {code for code, _, _ in vocab.DISTRICTS}
    codes = (f"3508{n:02d}" for n in range(4, 100) if f"3508{n:02d}" not in used)
    names = itertools.chain(vocab.EXTRA_DISTRICT_NAMES, (f"第{n}区" for n in itertools.count(1)))
    for _ in range(count - len(vocab.DISTRICTS)):
        yield next(codes), next(names), []


def street_names(own_stems: list[str], district_name: str, used: set[str]) -> Iterator[str]:
    for stem in own_stems + vocab.STREET_STEMS:
        if f"{stem}街道" not in used:
            yield f"{stem}街道"
    for n in itertools.count(1):
        yield f"{district_name[:-1]}第{n}街道"


def community_names(dice: Dice) -> Iterator[str]:
    yield from (f"{stem}社区" for stem in dice.shuffled(vocab.COMMUNITY_STEMS))
    pairs = itertools.product(vocab.COMMUNITY_STEMS, vocab.COMMUNITY_SUFFIXES)
    yield from (f"{stem}{suffix}社区" for stem, suffix in dice.shuffled(list(pairs)))
    for n in itertools.count(1):
        yield f"{dice.pick(vocab.COMMUNITY_STEMS)}第{n}社区"


class CompoundNames:
    """Compound names drawn without repetition across the city until the pool runs out."""

    def __init__(self, dice: Dice) -> None:
        self.dice = dice
        self.pool: list[str] = []

    def take(self, avoid: set[str]) -> str:
        while True:
            if not self.pool:
                self.pool = self.dice.shuffled(
                    [p + s for p in vocab.COMPOUND_PREFIXES for s in vocab.COMPOUND_SUFFIXES]
                )
            name = self.pool.pop()
            if name not in avoid:
                return name


def build_places(dice: Dice, size: CitySize) -> CityLayout:
    """The area tree with its party committees, grids (3 levels), compounds and buildings."""
    city = create_area(acting_user=None, code=vocab.CITY_CODE, name=vocab.CITY_NAME, level=AreaLevel.CITY)
    city_org = create_party_org(
        acting_user=None,
        name=f"中共{vocab.CITY_NAME}委",
        kind=PartyOrgKind.COMMITTEE,
        code=f"P{vocab.CITY_CODE}",
        area=city,
    )
    layout = CityLayout(city=city, city_org=city_org, today=timezone.localdate())
    community_name = community_names(dice)
    compound_names = CompoundNames(dice)
    street_names_used: set[str] = set()
    for code, name, stems in district_specs(size.districts):
        district = create_area(acting_user=None, code=code, name=name, level=AreaLevel.DISTRICT, parent=city)
        layout.districts.append(district)
        district_org = create_party_org(
            acting_user=None,
            name=f"中共{name}委",
            kind=PartyOrgKind.COMMITTEE,
            code=f"P{code}",
            parent=city_org,
            area=district,
        )
        layout.district_orgs[district.pk] = district_org
        names_here = street_names(stems, name, street_names_used)
        for s in range(size.streets_per_district):
            street_name = next(names_here)
            street_names_used.add(street_name)
            street = create_area(
                acting_user=None,
                code=f"{code}{s + 1:03d}",
                name=street_name,
                level=AreaLevel.STREET,
                parent=district,
            )
            layout.streets.append(street)
            layout.street_orgs[street.pk] = create_party_org(
                acting_user=None,
                name=f"{street_name}党工委",
                kind=PartyOrgKind.WORKING_COMMITTEE,
                code=f"P{street.code}",
                parent=district_org,
                area=street,
            )
            layout.top_grids[street.pk] = create_grid(
                acting_user=None, street=street, code=f"G{street.code}-1", name=f"{street_name}一级网格"
            )
            for c in range(size.communities_per_street):
                layout.communities.append(
                    _build_community(dice, layout, street, c + 1, next(community_name), compound_names)
                )
    return layout


def _build_community(
    dice: Dice, layout: CityLayout, street: Area, number: int, name: str, compound_names: CompoundNames
) -> CommunityPlace:
    code = f"{street.code}{number:03d}"
    area = create_area(acting_user=None, code=code, name=name, level=AreaLevel.COMMUNITY, parent=street)
    org = create_party_org(
        acting_user=None,
        name=f"{name}党委",
        kind=PartyOrgKind.COMMITTEE,
        code=f"P{code}",
        parent=layout.street_orgs[street.pk],
        area=area,
    )
    grid = create_grid(
        acting_user=None,
        street=street,
        code=f"G{street.code}-1-{number:03d}",
        name=f"{name}二级网格",
        parent=layout.top_grids[street.pk],
        community=area,
    )
    branch = create_party_org(
        acting_user=None,
        name=f"{name}网格党支部",
        kind=PartyOrgKind.GRID_BRANCH,
        code=f"P{code}-G",
        parent=org,
        area=area,
        grid=grid,
    )
    place = CommunityPlace(
        area=area, street=street, org=org, grid_branch=branch, road=f"{name.removesuffix('社区')}路"
    )
    taken: set[str] = set()
    for k in range(dice.between(2, 4)):
        compound_name = compound_names.take(taken)
        taken.add(compound_name)
        compound = create_compound(
            acting_user=None,
            community=area,
            name=compound_name,
            address=f"{place.road}{dice.between(1, 399)}号",
        )
        cell = create_grid(
            acting_user=None,
            street=street,
            code=f"{grid.code}-{k + 1}",
            name=f"{compound_name}三级网格",
            parent=grid,
            community=area,
        )
        compound_org = create_party_org(
            acting_user=None,
            name=f"{compound_name}兼合式党支部",
            kind=PartyOrgKind.COMPOUND,
            code=f"P{code}-{k + 1:02d}",
            parent=org,
            area=area,
            compound=compound,
        )
        buildings = [
            create_building(acting_user=None, compound=compound, name=f"{b + 1}号楼", grid=cell)
            for b in range(dice.between(3, 8))
        ]
        place.homes.append(Home(compound=compound, org=compound_org, buildings=buildings))
    return place


def appoint_posts(dice: Dice, layout: CityLayout, people: People) -> None:
    """Secretaries and deputies everywhere; part-time members and first secretaries sent by units.

    A post is held by a member of the organisation where one exists (the first one on its roll),
    otherwise by a named person from outside the roster.
    """
    first_in_org = dict(
        Member.objects.values("party_org_id").annotate(first=Min("pk")).values_list("party_org_id", "first")
    )
    first_in_unit = dict(
        Member.objects.in_service()
        .values("unit_id")
        .annotate(first=Min("pk"))
        .values_list("unit_id", "first")
    )
    holders = Member.objects.only("id", "name").in_bulk([*first_in_org.values(), *first_in_unit.values()])

    def appoint(org, title, *, member_id=None, from_unit=None):
        member = holders.get(member_id) if member_id else None
        appoint_post(
            acting_user=None,
            party_org=org,
            title=title,
            member=member,
            from_unit=from_unit,
            holder_name=member.name if member else people.name(dice.chance(0.7)),
            started_on=people.days_ago(30, 5 * 365),
        )

    for org in [layout.city_org, *layout.district_orgs.values(), *layout.street_orgs.values()]:
        appoint(org, PostTitle.SECRETARY)
        appoint(org, PostTitle.DEPUTY)
    senders = [u for u in layout.units if u.unit.kind in (UnitKind.AGENCY, UnitKind.PUBLIC_INSTITUTION)]
    for n, community in enumerate(layout.communities):
        appoint(community.org, PostTitle.SECRETARY, member_id=first_in_org.get(community.org.pk))
        appoint(community.org, PostTitle.DEPUTY)
        near = [u for u in layout.units if u.street_id == community.street.pk] or layout.units
        partner = dice.pick(near)
        appoint(
            community.org,
            PostTitle.PART_TIME,
            member_id=first_in_unit.get(partner.unit.pk),
            from_unit=partner.unit,
        )
        if senders and n % 3 == 0:
            sender = dice.pick(senders)
            appoint(
                community.org,
                PostTitle.FIRST_SECRETARY,
                member_id=first_in_unit.get(sender.unit.pk),
                from_unit=sender.unit,
            )
        appoint(community.grid_branch, PostTitle.SECRETARY)
        for home in community.homes:
            appoint(home.org, PostTitle.SECRETARY, member_id=first_in_org.get(home.org.pk))
    for place in layout.units:
        appoint(place.org, PostTitle.SECRETARY, member_id=first_in_unit.get(place.unit.pk))
