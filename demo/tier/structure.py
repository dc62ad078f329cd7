"""The city tier's structure: areas, grids, compounds, buildings, units, party organisations and posts.

The demo city (demo/city.py) creates each of these through its action, one transaction and one audit
row apiece; at 6,000 communities that is some 200,000 action calls. Here each level is built as
unsaved instances with the values the actions would set — paths from ``places.paths.child_path``,
depths from the parent, codes and names from demo/city.py's and demo/units.py's generators — and
written with ``gongjian.bulk.insert`` (COPY), a level at a time so children can point at their
parents. The build writes one audit row for the whole step (demo/tier/build.py).
"""

from __future__ import annotations

import itertools
import uuid

from demo import vocab
from demo.city import CompoundNames, community_names, district_specs, street_names
from demo.layout import CityLayout, CommunityPlace, Dice, Home, UnitPlace
from demo.persons import People
from demo.tier.options import TierOptions
from demo.units import ORG_STYLE, SIZE_WEIGHT, contact_name, credit_code, kind_counts, unit_names
from gongjian import bulk
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from places.models import Area, AreaLevel, Building, Compound, Grid
from places.paths import child_path


def public_id(dice: Dice) -> uuid.UUID:
    """A version-4 UUID from the seeded dice, so a rebuild with the same seed gives the same ids."""
    return uuid.UUID(int=dice.rng.getrandbits(128), version=4)


def _area(dice: Dice, code: str, name: str, level: str, parent: Area | None) -> Area:
    return Area(
        public_id=public_id(dice),
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=child_path(parent.path if parent else None, code),
        depth=(parent.depth + 1) if parent else 0,
    )


def _org(dice: Dice, name: str, kind: str, code: str, parent: PartyOrg | None, **where) -> PartyOrg:
    return PartyOrg(
        public_id=public_id(dice),
        name=name,
        kind=kind,
        code=code,
        parent=parent,
        path=child_path(parent.path if parent else None, code),
        **where,
    )


def _grid(dice: Dice, street: Area, code: str, name: str, parent: Grid | None, community=None) -> Grid:
    return Grid(
        public_id=public_id(dice),
        street=street,
        parent=parent,
        level=(parent.level + 1) if parent else 1,
        code=code,
        name=name,
        community=community,
        path=child_path(parent.path if parent else street.path, code),
    )


def build_places(dice: Dice, options: TierOptions, today) -> CityLayout:
    """The area tree, its party committees, grids (3 levels), compounds and buildings."""
    city = bulk.insert(Area, [_area(dice, vocab.CITY_CODE, vocab.CITY_NAME, AreaLevel.CITY, None)])[0]
    city_org = bulk.insert(
        PartyOrg,
        [
            _org(
                dice,
                f"中共{vocab.CITY_NAME}委",
                PartyOrgKind.COMMITTEE,
                f"P{vocab.CITY_CODE}",
                None,
                area=city,
            )
        ],
    )[0]
    layout = CityLayout(city=city, city_org=city_org, today=today)
    specs = list(district_specs(options.districts))
    layout.districts = bulk.insert(
        Area, [_area(dice, code, name, AreaLevel.DISTRICT, city) for code, name, _ in specs]
    )
    orgs = bulk.insert(
        PartyOrg,
        [
            _org(dice, f"中共{d.name}委", PartyOrgKind.COMMITTEE, f"P{d.code}", city_org, area=d)
            for d in layout.districts
        ],
    )
    layout.district_orgs = {d.pk: org for d, org in zip(layout.districts, orgs, strict=True)}

    used: set[str] = set()
    names = {
        d.pk: street_names(stems, d.name, used)
        for d, (_, _, stems) in zip(layout.districts, specs, strict=True)
    }
    numbers = {d.pk: itertools.count(1) for d in layout.districts}
    streets = []
    for i in range(options.streets):
        district = layout.districts[i % len(layout.districts)]
        name = next(names[district.pk])
        used.add(name)
        streets.append(
            _area(dice, f"{district.code}{next(numbers[district.pk]):03d}", name, AreaLevel.STREET, district)
        )
    layout.streets = bulk.insert(Area, streets)
    orgs = bulk.insert(
        PartyOrg,
        [
            _org(
                dice,
                f"{s.name}党工委",
                PartyOrgKind.WORKING_COMMITTEE,
                f"P{s.code}",
                layout.district_orgs[s.parent_id],
                area=s,
            )
            for s in layout.streets
        ],
    )
    layout.street_orgs = {s.pk: org for s, org in zip(layout.streets, orgs, strict=True)}
    grids = bulk.insert(
        Grid, [_grid(dice, s, f"G{s.code}-1", f"{s.name}一级网格", None) for s in layout.streets]
    )
    layout.top_grids = {s.pk: g for s, g in zip(layout.streets, grids, strict=True)}
    _build_communities(dice, options, layout)
    return layout


def _build_communities(dice: Dice, options: TierOptions, layout: CityLayout) -> None:
    """Communities with their committee, second-level grid and its branch, compounds with their cell
    grid and compound branch, and buildings: five levels of inserts."""
    numbers = {s.pk: itertools.count(1) for s in layout.streets}
    community_name = community_names(dice)
    areas, streets_of = [], []
    for j in range(options.communities):
        street = layout.streets[j % len(layout.streets)]
        code = f"{street.code}{next(numbers[street.pk]):03d}"
        areas.append(_area(dice, code, next(community_name), AreaLevel.COMMUNITY, street))
        streets_of.append(street)
    bulk.insert(Area, areas)
    orgs = bulk.insert(
        PartyOrg,
        [
            _org(
                dice,
                f"{a.name}党委",
                PartyOrgKind.COMMITTEE,
                f"P{a.code}",
                layout.street_orgs[s.pk],
                area=a,
            )
            for a, s in zip(areas, streets_of, strict=True)
        ],
    )
    grids = bulk.insert(
        Grid,
        [
            _grid(dice, s, f"G{s.code}-1-{a.code[-3:]}", f"{a.name}二级网格", layout.top_grids[s.pk], a)
            for a, s in zip(areas, streets_of, strict=True)
        ],
    )
    branches = bulk.insert(
        PartyOrg,
        [
            _org(dice, f"{a.name}网格党支部", PartyOrgKind.GRID_BRANCH, f"P{a.code}-G", o, area=a, grid=g)
            for a, o, g in zip(areas, orgs, grids, strict=True)
        ],
    )
    compound_names = CompoundNames(dice)
    places, compounds, cells, owners = [], [], [], []
    for area, street, org, grid, branch in zip(areas, streets_of, orgs, grids, branches, strict=True):
        place = CommunityPlace(
            area=area, street=street, org=org, grid_branch=branch, road=f"{area.name.removesuffix('社区')}路"
        )
        places.append(place)
        taken: set[str] = set()
        for k in range(dice.between(2, 4)):
            name = compound_names.take(taken)
            taken.add(name)
            compounds.append(
                Compound(
                    public_id=public_id(dice),
                    community=area,
                    name=name,
                    address=f"{place.road}{dice.between(1, 399)}号",
                )
            )
            cells.append(_grid(dice, street, f"{grid.code}-{k + 1}", f"{name}三级网格", grid, area))
            owners.append((place, k))
    bulk.insert(Compound, compounds)
    bulk.insert(Grid, cells)
    compound_orgs = bulk.insert(
        PartyOrg,
        [
            _org(
                dice,
                f"{c.name}兼合式党支部",
                PartyOrgKind.COMPOUND,
                f"P{place.area.code}-{k + 1:02d}",
                place.org,
                area=place.area,
                compound=c,
            )
            for c, (place, k) in zip(compounds, owners, strict=True)
        ],
    )
    buildings, homes = [], []
    for compound, cell, org, (place, _) in zip(compounds, cells, compound_orgs, owners, strict=True):
        own = [
            Building(public_id=public_id(dice), compound=compound, name=f"{b + 1}号楼", grid=cell)
            for b in range(dice.between(3, 8))
        ]
        buildings.extend(own)
        home = Home(compound=compound, org=org, buildings=own)
        place.homes.append(home)
        homes.append(home)
    bulk.insert(Building, buildings)
    layout.communities = places


def build_units(dice: Dice, options: TierOptions, layout: CityLayout) -> None:
    """Functional departments (about six a district) and units of every other kind in the communities,
    each with its party organisation under the street, the district or the city as demo/units.py
    places them."""
    departments = min(len(vocab.DEPARTMENT_BUREAUS) * len(layout.districts), max(1, options.units // 5))
    taken: set[str] = set()
    specs: list[tuple[str, str, CommunityPlace]] = []
    for i in range(departments):
        district = layout.districts[i % len(layout.districts)]
        bureau = vocab.DEPARTMENT_BUREAUS[(i // len(layout.districts)) % len(vocab.DEPARTMENT_BUREAUS)]
        name = f"龙岩市公安局{district.name[:-1]}分局" if bureau == "公安分局" else f"{district.name}{bureau}"
        if name in taken:
            continue
        taken.add(name)
        near = [c for c in layout.communities if c.street.parent_id == district.pk] or layout.communities
        specs.append((UnitKind.DEPARTMENT, name, dice.pick(near)))
    for kind, count in kind_counts(options.units, len(specs)):
        names = unit_names(kind, layout, dice)
        for _ in range(count):
            name = next(x for x in names if x not in taken)
            taken.add(name)
            specs.append((kind, name, dice.pick(layout.communities)))
    districts = {d.pk: d for d in layout.districts}
    units = []
    for kind, name, place in specs:
        district = districts[place.street.parent_id]
        units.append(
            Unit(
                public_id=public_id(dice),
                name=name,
                kind=kind,
                address_area=place.street if kind == UnitKind.DEPARTMENT else place.area,
                address=f"{place.road}{dice.between(1, 399)}号",
                credit_code=credit_code(dice, kind, district.code),
                contact_name=contact_name(dice),
            )
        )
    bulk.insert(Unit, units)
    orgs, places = [], []
    for n, (unit, (kind, name, place)) in enumerate(zip(units, specs, strict=True), start=1):
        district = districts[place.street.parent_id]
        if kind in (UnitKind.PRIVATE_FIRM, UnitKind.SOCIAL_ORG):
            parent = layout.street_orgs[place.street.pk]
        elif kind == UnitKind.DEPARTMENT or name.startswith(district.name):
            parent = layout.district_orgs[district.pk]
        else:
            parent = layout.city_org
        org_name, org_kind = ORG_STYLE[kind]
        org = _org(dice, org_name.format(name), org_kind, f"PU{n:05d}", parent, unit=unit)
        org.founded_on = layout.today.replace(year=layout.today.year - dice.between(2, 40), day=1)
        orgs.append(org)
        weight = SIZE_WEIGHT[kind] * (0.3 + 1.4 * dice.rng.random())
        places.append(UnitPlace(unit=unit, org=org, street_id=place.street.pk, weight=weight))
    bulk.insert(PartyOrg, orgs)
    layout.units = [p for p in places if p.unit.kind != UnitKind.DEPARTMENT]
    layout.departments = [p for p in places if p.unit.kind == UnitKind.DEPARTMENT]
    layout.demo_unit = next((p for p in layout.units if p.unit.kind == UnitKind.STATE_FIRM), layout.units[0])
    layout.units.extend(layout.departments)


def appoint_posts(dice: Dice, layout: CityLayout, people: People) -> int:
    """A secretary and a deputy in every area committee, a secretary in every branch and unit
    organisation; held by named people (the roster does not exist yet), as appoint_post writes them."""
    posts = []

    def post(org: PartyOrg, title: str) -> None:
        posts.append(
            Post(
                public_id=public_id(dice),
                party_org=org,
                title=title,
                holder_name=people.name(dice.chance(0.7)),
                started_on=people.days_ago(30, 5 * 365),
            )
        )

    for org in [layout.city_org, *layout.district_orgs.values(), *layout.street_orgs.values()]:
        post(org, PostTitle.SECRETARY)
        post(org, PostTitle.DEPUTY)
    for place in layout.communities:
        post(place.org, PostTitle.SECRETARY)
        post(place.org, PostTitle.DEPUTY)
        post(place.grid_branch, PostTitle.SECRETARY)
        for home in place.homes:
            post(home.org, PostTitle.SECRETARY)
    for unit in layout.units:
        post(unit.org, PostTitle.SECRETARY)
    bulk.insert(Post, posts)
    return len(posts)


def counts(layout: CityLayout) -> dict[str, int]:
    homes = [h for c in layout.communities for h in c.homes]
    return {
        "districts": len(layout.districts),
        "streets": len(layout.streets),
        "communities": len(layout.communities),
        "compounds": len(homes),
        "buildings": sum(len(h.buildings) for h in homes),
        "units": len(layout.units),
    }
