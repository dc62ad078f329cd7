"""The city tier the benchmarks run on: built once per (options, generator version) and cached.

``build_tier`` is the one place that knows which generator builds the tier. Until ``gongjian
demo-tier`` (perf-tier) lands it is ``gongjian demo-city`` with options scaled to the tier's shape;
switching is one line in ``GENERATOR`` and ``_generate``.

The cache is a one-row table, ``bench_tier``, in the benchmark database itself (never in a model:
it belongs to the harness, not to the project's schema). It says what was built, by which
generator, when and in how long, so a second ``make bench`` reuses the tier and says so.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The command that builds the tier, and the code whose version decides whether a cached tier is stale.
GENERATOR = "demo_city"
GENERATOR_CODE = "demo"


@dataclass(frozen=True)
class TierShape:
    """The city tier's shape for a member count: 2,000,000 members give 16 districts, ~350 streets and
    ~6,000 communities (Shanghai's ratio, ~330 members a community); smaller counts scale down."""

    members: int
    districts: int
    streets_per_district: int
    communities_per_street: int
    units: int
    residents: int
    applicants: int
    seed: int = 2026

    @property
    def communities(self) -> int:
        return self.districts * self.streets_per_district * self.communities_per_street


def tier_shape(members: int, seed: int = 2026) -> TierShape:
    """Scale 16 × ~22 × ~17 (2M members) down with the member count; never below 2 × 2 × 2."""
    communities = max(8, members // 333)
    districts = max(2, min(16, round(16 * communities / 6000)))
    streets = max(2 * districts, round(350 * communities / 6000))
    per_district = max(2, round(streets / districts))
    per_street = max(2, round(communities / (districts * per_district)))
    return TierShape(
        members=members,
        districts=districts,
        streets_per_district=per_district,
        communities_per_street=per_street,
        units=min(10_000, max(200, members // 200)),
        residents=members * 3 // 10,
        applicants=members * 3 // 100,
        seed=seed,
    )


def generator_version() -> str:
    """The generator's name and the git tree of its code: a changed generator rebuilds the tier."""
    try:
        tree = subprocess.run(  # noqa: S603
            ["git", "rev-parse", f"HEAD:{GENERATOR_CODE}"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        tree = "unknown"
    return f"{GENERATOR}@{tree[:12]}"


@dataclass(frozen=True)
class Built:
    """What a tier build recorded."""

    options: dict
    generator: str
    built_at: datetime
    seconds: float
    reused: bool


def _ensure_table(cursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_tier (options text NOT NULL, generator text NOT NULL, "
        "built_at text NOT NULL, seconds double precision NOT NULL)"
    )


def cached_tier(shape: TierShape) -> Built | None:
    """The recorded tier if it was built with these options by this generator version."""
    from django.db import connection

    with connection.cursor() as cursor:
        _ensure_table(cursor)
        cursor.execute("SELECT options, generator, built_at, seconds FROM bench_tier")
        row = cursor.fetchone()
    if row is None or json.loads(row[0]) != asdict(shape) or row[1] != generator_version():
        return None
    return Built(json.loads(row[0]), row[1], datetime.fromisoformat(row[2]), row[3], reused=True)


def _generate(shape: TierShape) -> None:
    from django.core.management import call_command

    call_command(
        GENERATOR,
        members=shape.members,
        units=shape.units,
        residents=shape.residents,
        applicants=shape.applicants,
        districts=shape.districts,
        streets_per_district=shape.streets_per_district,
        communities_per_street=shape.communities_per_street,
        seed=shape.seed,
        reset=True,
    )


def build_tier(shape: TierShape, *, rebuild: bool = False) -> Built:
    """Reuse the cached tier, or migrate, build it (timed), ANALYZE and record it."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if not rebuild and (built := cached_tier(shape)) is not None:
        return built
    with connection.cursor() as cursor:
        _ensure_table(cursor)
        cursor.execute("DELETE FROM bench_tier")  # a half-built tier is never reused
    started = time.perf_counter()
    _generate(shape)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seconds = time.perf_counter() - started
    built = Built(asdict(shape), generator_version(), datetime.now(UTC), seconds, reused=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_tier (options, generator, built_at, seconds) VALUES (%s, %s, %s, %s)",
            [json.dumps(built.options), built.generator, built.built_at.isoformat(), seconds],
        )
    return built


# --- who signs in at each level ------------------------------------------------------------------

LEVELS = ["city", "district", "street", "community", "unit"]
# The generator's accounts per level (demo-city's demo accounts); the district has none there, so the
# harness grants one (an organisation department over the first district) through the actions.
LEVEL_USERNAMES = {
    "city": "orgdept",
    "district": "bench-district",
    "street": "street",
    "community": "community",
    "unit": "unit",
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
    return {level: users[name] for level, name in LEVEL_USERNAMES.items() if name in users}
