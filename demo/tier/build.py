"""Build the city tier in one transaction: empty the database's city, then structure, people (with
check-ins), service records and points, cases, accounts; then indexes, ANALYZE, sequences, and a TierBuild row.

Each step writes one audit row (action ``demo.tier``, its counts and seconds in the detail), not one
per row written: a tier is a benchmark fixture made by one command, and twenty million audit rows
would say nothing the step's row does not.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.actions import record_event
from cases.models import Case, CaseDispatch, CaseEvent
from checkin.models import Certificate, CheckIn, CheckInEvent, TeamMembership
from demo.layout import Dice
from demo.models import TierBuild
from demo.persons import People
from demo.reset import reset_city
from demo.tier import indexes
from demo.tier.cases import write_cases
from demo.tier.options import VERSION, TierOptions
from demo.tier.people import make_context, write_people
from demo.tier.service import write_service
from demo.tier.structure import appoint_posts, build_places, build_units
from demo.tier.structure import counts as structure_counts
from gongjian.bulk import reset_sequence
from people.models import Member, Resident
from points.models import PointEntry
from rollups.counting import rebuild
from service.models import ServiceRecord

DEFAULT_PASSWORD = "tier-pass-2026!"
ACCOUNT_PREFIX = "tier-"
# The tables the tier fills by the million: emptied with TRUNCATE, loaded without their indexes.
BIG = [
    Member,
    Resident,
    CheckIn,
    CheckInEvent,
    Certificate,
    ServiceRecord,
    PointEntry,
    Case,
    CaseDispatch,
    CaseEvent,
]
DATABASE_WORDS = ("bench", "tier", "scratch")


class Refused(Exception):
    """The database is not one the tier may empty."""


def check_database(*, force: bool) -> None:
    if connection.vendor != "postgresql":
        raise Refused(
            "The city tier is built on PostgreSQL only (COPY, server-side generation); "
            "this database is " + connection.vendor + ". Set DATABASE_URL to a PostgreSQL database."
        )
    name = connection.settings_dict["NAME"] or ""
    if not force and not any(word in name for word in DATABASE_WORDS):
        raise Refused(
            f"The tier empties the database first, and {name!r} has none of "
            f"{', '.join(DATABASE_WORDS)} in its name; use such a database or pass --force."
        )


def matching_build(options: TierOptions) -> TierBuild | None:
    """The last build, if it was made with these options by this version of the generator."""
    last = TierBuild.objects.first()
    if last is not None and last.version == VERSION and last.options == options.key():
        return last
    return None


def _cpu() -> float:
    """CPU seconds of this process, its finished children (the workers) and its database backend."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + _backend_cpu()


def _backend_cpu() -> float:
    """The PostgreSQL backend's CPU seconds, when it runs on this machine (/proc), else 0."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, dict[str, float]] = field(default_factory=dict)


@contextmanager
def _step(report: Report, name: str, out: Callable[[str], None]):
    wall, cpu = time.perf_counter(), _cpu()
    before = dict(report.counts)
    yield
    took = {"wall": round(time.perf_counter() - wall, 1), "cpu": round(_cpu() - cpu, 1)}
    report.seconds[name] = took
    added = {k: v for k, v in report.counts.items() if before.get(k) != v}
    record_event(actor=None, action="demo.tier", detail={"step": name, "counts": added, "seconds": took})
    rows = sum(v for k, v in added.items() if k != "in_service" and not k.startswith("checkins_"))
    rate = f", {rows / took['wall']:,.0f} rows/s" if rows and took["wall"] else ""
    out(f"  {name}: {took['wall']} s wall, {took['cpu']} s CPU{rate}")


def empty() -> None:
    """Empty the big tables (TRUNCATE … CASCADE: whatever points at members and records goes too, in
    the whole database — hence the database's name check), then remove the rest of the city with the
    demo's reset, and the tier's accounts and builds."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in [*BIG, TeamMembership])
    connection.check_constraints()  # TRUNCATE refuses tables with deferred checks pending
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    reset_city(out=lambda _line: None)
    get_user_model().objects.filter(username__startswith=ACCOUNT_PREFIX).delete()
    TierBuild.objects.all().delete()


def build_tier(options: TierOptions, *, password: str = DEFAULT_PASSWORD, out=print) -> TierBuild:
    """Build the tier for ``options`` in one transaction (see the module)."""
    report = Report()
    started = time.perf_counter()
    dice = Dice(options.seed)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        with _step(report, "empty", out):
            empty()
            aside = indexes.set_aside(BIG)
        with _step(report, "structure", out):
            layout = build_places(dice, options, timezone.localdate())
            build_units(dice, options, layout)
            people = People(dice, layout)
            report.counts.update(structure_counts(layout))
            report.counts["posts"] = appoint_posts(dice, layout, people)
        ctx = make_context(options, layout, people)
        with _step(report, "people", out):
            report.counts.update(write_people(ctx, dice, out=out))
        with _step(report, "service", out):
            report.counts.update(write_service(ctx))
        with _step(report, "cases", out):
            report.counts.update(write_cases(ctx, Dice(options.seed + 1)))
        with _step(report, "indexes", out):
            report.seconds["indexes_by_kind"] = indexes.put_back(aside, out=out)
        with _step(report, "accounts", out):
            report.counts["accounts"] = create_accounts(layout, password)
        with _step(report, "analyze", out):
            with connection.cursor() as cursor:
                for model in BIG:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            for model in BIG:
                reset_sequence(model)
        with _step(report, "rollups", out):  # the area figures, counted once from what was written
            rebuild(timezone.localdate())
        report.seconds["total"] = {"wall": round(time.perf_counter() - started, 1)}
        return TierBuild.objects.create(
            options=options.key(), version=VERSION, counts=report.counts, seconds=report.seconds
        )


def create_accounts(layout, password: str) -> int:
    """One sign-in account per level, for the benchmarks: the city's organisation department, a
    street, a community, the admin of the unit with the most members in service, a member and a
    resident (there is no district role). Privileged roles need a TOTP in production: the bench sets
    it up."""
    street, community = layout.streets[0], layout.communities[0]
    biggest = (
        Member.objects.in_service()
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_id")
        .first()
    )
    unit = next(u.unit for u in layout.units if biggest and u.unit.pk == biggest["unit_id"])
    member = Member.objects.filter(residence_area=community.area).order_by("pk").first()
    resident = Resident.objects.filter(residence_area=community.area).order_by("pk").first()
    accounts = [
        ("city", Role.ORG_DEPT, {"area": layout.city}),
        ("street", Role.STREET, {"area": street}),
        ("community", Role.COMMUNITY, {"area": community.area}),
        ("unit", Role.UNIT_ADMIN, {"unit": unit}),
        ("member", Role.MEMBER, {}),
        ("resident", Role.RESIDENT, {}),
    ]
    hashed = make_password(password)
    users = {}
    for name, role, scope in accounts:
        user = create_user(acting_user=None, username=ACCOUNT_PREFIX + name, password=None, full_name=name)
        user.password = hashed
        user.save(update_fields=["password"])
        grant_role(acting_user=None, user=user, role=role, **scope)
        users[name] = user
    # No action links a person record to an account yet (as in demo/accounts.py).
    if member is not None:
        Member.objects.filter(pk=member.pk).update(user=users["member"])
    if resident is not None:
        Resident.objects.filter(pk=resident.pk).update(user=users["resident"])
    return len(accounts)
