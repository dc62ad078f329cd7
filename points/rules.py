"""Which point rule is in force (积分规则): reads of the dated, per-city rule versions (points.models.PointRule).

A rule is looked up for a city, a category of the service menu and a day. Of each key (city, category)
the version in force on the day is the latest that took effect on or before it; the rule of the item
wins, else its big category's, else the default rule; at each of those levels the city's own version
wins over the shared one (no city). A version that ends a city's rule (``active`` off) lets the next one
apply. Booking asks for the day of the service (docs/SERVICE.md, "Points"), so a change never reaches a
service done before it took effect, and what is booked is never rewritten (the ledger is append-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from places.models import Area
from places.paths import ancestor_paths
from points.models import PointRule
from service.models import ServiceCategory

# No rule at all (not even a default one): 10 points an hour, no bonus, no cap.
FALLBACK = PointRule(points_per_hour=10, urgent_bonus=0, daily_cap=None)


def latest_versions(rules) -> dict[tuple[int | None, int | None], PointRule]:
    """Of each key (city, category), the latest version among ``rules``."""
    found: dict[tuple[int | None, int | None], PointRule] = {}
    for rule in sorted(rules, key=lambda r: (r.effective_from, r.pk or 0)):
        found[rule.key] = rule
    return found


def pick(versions: dict, category, city_id: int | None) -> PointRule:
    """The rule that applies to ``category`` in the city from the versions in force (see the module)."""
    levels = [category.pk, category.parent_id, None] if category is not None else [None]
    for category_id in dict.fromkeys(levels):
        for key in ((city_id, category_id), (None, category_id)):
            rule = versions.get(key)
            if rule is not None and rule.active:
                return rule
    return FALLBACK


def rule_for(category, *, city: Area | None = None, on: date | None = None) -> PointRule:
    """The rule in force on ``on`` (today) for service in ``category`` in ``city`` (None: the shared rules)."""
    on = on or timezone.localdate()
    ids = [c for c in (getattr(category, "pk", None), getattr(category, "parent_id", None)) if c is not None]
    rules = (
        PointRule.objects.for_city(city)
        .in_force_on(on)
        .filter(Q(category_id__in=ids) | Q(category__isnull=True))
    )
    return pick(latest_versions(rules), category, city.pk if city is not None else None)


def rule_for_service(category, *, community_path: str, on: date) -> PointRule:
    """The rule of a service in a community on the day it was done: one query (the city is found in it)."""
    ids = [c for c in (category.pk, category.parent_id) if c is not None]
    rules = list(
        PointRule.objects.in_force_on(on)
        .filter(Q(category_id__in=ids) | Q(category__isnull=True))
        .filter(Q(city__isnull=True) | Q(city__path__in=ancestor_paths(community_path)))
    )
    cities = {r.city_id for r in rules if r.city_id is not None}
    return pick(latest_versions(rules), category, next(iter(cities), None))


@dataclass(frozen=True)
class RuleRow:
    """A line of a city's rules page: the key, the version in force today (None: the next rule down
    applies), whether it is the city's own or shared, and the versions scheduled after today."""

    category: ServiceCategory | None
    current: PointRule | None
    own: bool
    scheduled: list[PointRule]
    history: list[PointRule]


def city_rules(city: Area | None, *, today: date | None = None) -> list[RuleRow]:
    """The default rule and every category with a rule of the city (or a shared one), each with its
    version in force today, the versions to come and the past ones: two queries."""
    today = today or timezone.localdate()
    versions = list(PointRule.objects.for_city(city).select_related("category__parent", "city", "created_by"))
    keys: dict[int | None, list[PointRule]] = {}
    for rule in versions:
        keys.setdefault(rule.category_id, []).append(rule)
    city_id = city.pk if city is not None else None
    rows = []
    for rules in keys.values():
        own = [r for r in rules if r.city_id == city_id]
        shared = [r for r in rules if r.city_id is None]
        past_own = [r for r in own if r.effective_from <= today]
        past_shared = [r for r in shared if r.effective_from <= today]
        current = None
        is_own = False
        if past_own and max(past_own, key=lambda r: (r.effective_from, r.pk)).active:
            current, is_own = max(past_own, key=lambda r: (r.effective_from, r.pk)), True
        elif past_shared and max(past_shared, key=lambda r: (r.effective_from, r.pk)).active:
            current = max(past_shared, key=lambda r: (r.effective_from, r.pk))
        keep = own if city_id is not None else shared
        rows.append(
            RuleRow(
                category=rules[0].category,
                current=current,
                own=is_own or city_id is None,
                scheduled=sorted(
                    (r for r in keep if r.effective_from > today), key=lambda r: r.effective_from
                ),
                history=sorted(
                    (r for r in keep if r.effective_from <= today),
                    key=lambda r: r.effective_from,
                    reverse=True,
                ),
            )
        )

    def order(row: RuleRow):
        c = row.category
        if c is None:
            return (0, 0, "", 0, "")
        parent = c.parent if c.parent is not None else c
        return (1, parent.sort, parent.code, 0 if c.parent_id is None else 1, c.code)

    return sorted(rows, key=order)
