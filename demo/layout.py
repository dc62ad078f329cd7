"""The shape of a demo city while it is being built: its size, its places, and the dice.

Every random choice goes through ``Dice``, which draws from one ``random.Random(seed)`` with one
draw per decision (``random()``-based), so the same seed gives the same city whatever today's date
is: names, codes and ID numbers repeat exactly; only dates relative to today move with it.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from orgs.models import PartyOrg, Unit
from places.models import Area, Building, Compound, Grid

T = TypeVar("T")


class Dice:
    """Seeded choices, each a fixed number of draws (so later draws never depend on the date)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.rng.random() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(items), k)

    def shuffled(self, items: Sequence[T]) -> list[T]:
        out = list(items)
        self.rng.shuffle(out)
        return out


class Weighted:
    """A fixed population with weights, drawn from with one draw each (bisect on cumulative weights)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, dice: Dice) -> T:
        x = dice.rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, x), len(self.items) - 1)]


@dataclass(frozen=True)
class CitySize:
    """The options of ``gongjian demo-city``."""

    members: int = 5000
    units: int = 200
    residents: int = 1500
    applicants: int = 150
    communities_per_street: int = 5
    streets_per_district: int = 3
    districts: int = 2
    seed: int = 2026
    batch_size: int = 2000


@dataclass
class Home:
    """A compound with its buildings and its compound (兼合式) party organisation."""

    compound: Compound
    org: PartyOrg
    buildings: list[Building]


@dataclass
class CommunityPlace:
    area: Area
    street: Area
    org: PartyOrg
    grid_branch: PartyOrg
    road: str
    homes: list[Home] = field(default_factory=list)


@dataclass
class UnitPlace:
    unit: Unit
    org: PartyOrg
    street_id: int
    weight: float


@dataclass
class CityLayout:
    city: Area
    city_org: PartyOrg
    today: date
    districts: list[Area] = field(default_factory=list)
    district_orgs: dict[int, PartyOrg] = field(default_factory=dict)
    streets: list[Area] = field(default_factory=list)
    street_orgs: dict[int, PartyOrg] = field(default_factory=dict)
    top_grids: dict[int, Grid] = field(default_factory=dict)  # level-1 grid of each street
    communities: list[CommunityPlace] = field(default_factory=list)
    units: list[UnitPlace] = field(default_factory=list)
    departments: list[UnitPlace] = field(default_factory=list)
    demo_unit: UnitPlace | None = None

    def communities_of(self, street_id: int) -> list[CommunityPlace]:
        return [c for c in self.communities if c.street.pk == street_id]
