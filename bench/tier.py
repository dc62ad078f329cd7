"""The city tier the benchmarks run on: built once per (options, generator version) and reused.

``build_tier`` is the one place that knows which generator builds the tier: ``gongjian demo-tier``
(demo/tier), which scales the city's shape down from the member count (``TierOptions.scaled``) and
records each build as a ``demo.TierBuild`` (options, generator version, counts, seconds); a build
with the same options and version is reused, and ``make bench`` says when and in how long it was made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Built:
    """What a tier build recorded."""

    options: dict
    generator: str
    built_at: datetime
    seconds: float
    reused: bool


def tier_options(members: int):
    """The tier's shape for a member count (2,000,000: 16 districts, 350 streets, 6,000 communities)."""
    from demo.tier.options import TierOptions

    return TierOptions.scaled(members)


def _built(found, *, reused: bool, seconds: float | None = None) -> Built:
    recorded = float(found.seconds.get("total", {}).get("wall", 0))
    return Built(found.options, found.version, found.finished_at, seconds or recorded, reused)


def build_tier(options, *, rebuild: bool = False) -> Built:
    """Reuse the matching tier, or migrate and build it with ``gongjian demo-tier`` (timed here, from
    the command's start to its end: emptying, COPY, indexes, ANALYZE)."""
    from django.core.management import call_command

    from demo.tier.build import matching_build

    call_command("migrate", verbosity=0)
    if not rebuild and (found := matching_build(options)) is not None:
        return _built(found, reused=True)
    started = time.perf_counter()
    call_command("demo_tier", members=options.members, jobs=options.jobs, seed=options.seed)
    seconds = time.perf_counter() - started
    found = matching_build(options)
    if found is None:
        raise RuntimeError("gongjian demo-tier recorded no build with these options")
    return _built(found, reused=False, seconds=seconds)


# --- who signs in at each level ------------------------------------------------------------------

LEVELS = ["city", "district", "street", "community", "unit"]
# The generator's accounts per level (demo-tier's tier-*); it makes none for a district, so the
# harness grants one (an organisation department over the first district) through the actions.
LEVEL_USERNAMES = {
    "city": "tier-city",
    "district": "bench-district",
    "street": "tier-street",
    "community": "tier-community",
    "unit": "tier-unit",
}


def level_accounts() -> dict:
    """One signed-in user per level, created through accounts.actions where the generator made none."""
    from django.contrib.auth import get_user_model

    from accounts.actions import create_user, grant_role
    from accounts.models import Role
    from places.models import Area, AreaLevel

    users = {u.username: u for u in get_user_model().objects.filter(username__in=LEVEL_USERNAMES.values())}
    name = LEVEL_USERNAMES["district"]
    if name not in users:
        users[name] = create_user(acting_user=None, username=name, password=None)
    if not users[name].role_grants.exists():  # new, or its district went with a rebuilt tier
        district = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("path").first()
        grant_role(acting_user=None, user=users[name], role=Role.ORG_DEPT, area=district)
    # bench/export_rows.py (perf-exports) exports as ``orgdept``, the demo city's organisation
    # department: on the tier that is one more city account.
    if not get_user_model().objects.filter(username="orgdept").exists():
        city = Area.objects.get(level=AreaLevel.CITY)
        orgdept = create_user(acting_user=None, username="orgdept", password=None)
        grant_role(acting_user=None, user=orgdept, role=Role.ORG_DEPT, area=city)
    return {level: users[name] for level, name in LEVEL_USERNAMES.items() if name in users}
