"""The tier's service records and the points they booked, written by PostgreSQL itself.

Twenty million records are too many to make in Python and send over; the values that carry a rule
are few, though. A record's points depend on its category and minutes only (no need, so no urgent
bonus; each member's records fall on different days, so the daily cap starts from nothing each time).
So ``points.actions.quote`` and ``split_points`` — the functions ``book_service_points`` books by —
are asked once per (category, minutes) under the rule ``points.rules.rule_for_service`` finds, and the
answers go into a small temporary table; ``INSERT … SELECT`` over the members × ``generate_series``
joins it to write every record and its ledger entry.

Each member gets ``records_per_member`` records on different days of the past year, the most recent
one first; one member in 25 has that one still waiting for confirmation, the rest were confirmed by
their community, which booked one service entry each. Keys are computed (member × series), so the
ledger's entries point at their records without a lookup.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from demo.layout import CityLayout
from demo.service import words
from demo.tier.options import TierOptions
from demo.tier.people import Context
from points.actions import quote, split_points
from points.models import EntryKind, PointEntry
from points.rules import rule_for_service
from service.models import ConfirmedVia, RecordState, ServiceCategory, ServiceRecord

MINUTES = (30, 45, 60, 90, 120, 180)
PENDING_EVERY = 25  # one member in 25 has their latest record waiting for confirmation


def kinds(layout: CityLayout, days: int) -> list[tuple[int, int, int, int, str, str]]:
    """(k, category pk, minutes, points, note, description) for every category of the menu and every
    length of service, as book_service_points would book them on any day of the last ``days``."""
    today = layout.today
    rows = []
    categories = list(ServiceCategory.objects.filter(city__isnull=True).items().order_by("pk"))
    for category in categories:
        rule = rule_for_service(category, community_path=layout.city.path, on=today)
        earliest = rule_for_service(
            category, community_path=layout.city.path, on=today - timedelta(days=days)
        )
        if (rule.pk, rule.points_per_hour) != (earliest.pk, earliest.points_per_hour):
            raise RuntimeError(f"the points rule of {category.code} changed within the year: book per day")
        description = words.DONE_NOTES.get(category.code, f"{category.name}服务")
        for minutes in MINUTES:
            parts = split_points(
                quote(ServiceRecord(minutes=minutes, category=category), rule=rule), 0, minutes
            )
            if len(parts) != 1 or parts[0].kind != EntryKind.SERVICE:  # pragma: no cover - a rule with more
                raise RuntimeError(f"{category.code}: {parts} is not one service entry")
            rows.append((len(rows), category.pk, minutes, parts[0].amount, parts[0].note, description))
    return rows


def _copy(table: str, rows) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def write_service(ctx: Context) -> dict[str, int]:
    """The records and the ledger entries; answers how many of each."""
    options: TierOptions = ctx.options
    per = options.records_per_member
    if per <= 0:
        return {"service_records": 0, "point_entries": 0}
    span = max(1, 360 // per)  # days between a member's records
    tz = timezone.get_current_timezone()
    midnight = datetime.combine(ctx.layout.today, time(), tzinfo=tz)
    table = kinds(ctx.layout, span * per + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE tier_kind (k int PRIMARY KEY, category_id bigint, minutes int, points int,"
            " note text, description text) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE tier_unit_place (unit_id bigint PRIMARY KEY, community_id bigint,"
            " community_path text) ON COMMIT DROP"
        )
    _copy("tier_kind", table)
    _copy("tier_unit_place", ((u, p.area.pk, p.area.path) for u, p in ctx.unit_places.items()))
    record_values = {
        "id": "(m.id - 1) * %(per)s + g + 1",
        "public_id": "md5(%(seed)s || '-record-' || ((m.id - 1) * %(per)s + g + 1))::uuid",
        "member_id": "m.id",
        "unit_id": "m.unit_id",
        "community_id": "coalesce(m.residence_area_id, up.community_id)",
        "community_path": "coalesce(nullif(m.residence_path, ''), up.community_path)",
        "category_id": "k.category_id",
        "need_id": "NULL",
        "post_id": "NULL",
        "pairing_id": "NULL",
        "project_id": "NULL",
        "started_at": "%(midnight)s - make_interval(days => (1 + g * %(span)s + (m.id * 13 + g) %% %(span)s)::int)"
        " + make_interval(hours => (8 + (m.id + g) %% 11)::int)",
        "minutes": "k.minutes",
        "description": "k.description",
        "beneficiary_resident_id": "NULL",
        "beneficiary_name": "''",
        "state": "CASE WHEN g = 0 AND m.id %% %(pending)s = 0 THEN %(submitted)s ELSE %(confirmed)s END",
        "flags": "'[]'::jsonb",
        "code_digest": "''",
        "code_used_at": "NULL",
        "logged_by_id": "NULL",
        "logged_session": "''",
        "logged_address": "''",
        "created_at": "%(midnight)s - make_interval(days => (1 + g * %(span)s + (m.id * 13 + g) %% %(span)s)::int)"
        " + make_interval(hours => (10 + (m.id + g) %% 11)::int, mins => k.minutes)",
        "confirmed_at": "CASE WHEN g = 0 AND m.id %% %(pending)s = 0 THEN NULL ELSE least(now(),"
        " %(midnight)s - make_interval(days => (g * %(span)s + (m.id * 13 + g) %% %(span)s)::int)"
        " + make_interval(hours => (8 + (m.id + g) %% 11)::int)) END",
        "confirmed_by_id": "NULL",
        "confirmed_via": "CASE WHEN g = 0 AND m.id %% %(pending)s = 0 THEN '' ELSE %(via)s END",
        "reject_reason": "''",
    }
    params = {
        "per": per,
        "seed": str(options.seed),
        "span": span,
        "midnight": midnight,
        "pending": PENDING_EVERY,
        "submitted": RecordState.SUBMITTED,
        "confirmed": RecordState.CONFIRMED,
        "via": ConfirmedVia.COMMUNITY,
        "kinds": len(table),
        "tz": str(tz),
        "service": EntryKind.SERVICE,
    }
    columns = [f.column for f in ServiceRecord._meta.concrete_fields]
    select = ", ".join(record_values[c] for c in columns)  # a new column fails loudly here
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ServiceRecord._meta.db_table} ({', '.join(columns)}) SELECT {select}"  # noqa: S608
            " FROM people_member m LEFT JOIN tier_unit_place up ON up.unit_id = m.unit_id"
            " CROSS JOIN generate_series(0, %(per)s - 1) g"
            " JOIN tier_kind k ON k.k = (m.id * 31 + g * 7) %% %(kinds)s",
            params,
        )
        records = cursor.rowcount
    entry_values = {
        "id": "r.id",
        "public_id": "md5(%(seed)s || '-entry-' || r.id)::uuid",
        "member_id": "r.member_id",
        "amount": "k.points",
        "kind": "%(service)s",
        "community_id": "r.community_id",
        "community_path": "r.community_path",
        "unit_id": "r.unit_id",
        "record_id": "r.id",
        "redemption_id": "NULL",
        "reverses_id": "NULL",
        "minutes": "r.minutes",
        "served_on": "(r.started_at AT TIME ZONE %(tz)s)::date",
        "note": "k.note",
        "created_by_id": "NULL",
        "created_at": "r.confirmed_at",
    }
    columns = [f.column for f in PointEntry._meta.concrete_fields]
    select = ", ".join(entry_values[c] for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PointEntry._meta.db_table} ({', '.join(columns)}) SELECT {select}"  # noqa: S608
            f" FROM {ServiceRecord._meta.db_table} r"
            " JOIN tier_kind k ON k.category_id = r.category_id AND k.minutes = r.minutes"
            " WHERE r.state = %(confirmed)s",
            params,
        )
        entries = cursor.rowcount
        cursor.execute("DROP TABLE tier_kind, tier_unit_place")  # a second build in one transaction
    return {"service_records": records, "point_entries": entries}
