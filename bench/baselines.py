"""The hand-written SQL each page is measured against: the same rows and figures the page shows,
fetched as plainly as a person writing SQL by hand would (bench/README.md lists them).

Every builder takes a ``Scope`` (whose data: the whole city, an area's subtree, or one unit) and
returns a list of (sql, params) statements, run one after another as the baseline. Subtrees are
asked as ranges on the path columns (``path >= 'p.' AND path < 'p/'``: paths are codes and dots,
and ``/`` sorts right after ``.``), which both engines answer from a plain btree index. The SQL is
portable (PostgreSQL and SQLite) so bench/tests can run it on a tiny city.
"""
# ruff: noqa: S608 — the SQL is built from this module's constant fragments; every value is a parameter

from __future__ import annotations

from dataclasses import dataclass

Statement = tuple[str, list]


@dataclass(frozen=True)
class Scope:
    """Whose data a level sees: ``path`` (an area subtree), ``unit_id`` (one unit), or neither (all)."""

    level: str
    path: str | None = None
    unit_id: int | None = None
    area_id: int | None = None


def path_range(column: str, path: str) -> Statement:
    """The subtree of ``path`` as an index range on ``column``."""
    return f"({column} >= %s AND {column} < %s)", [path, path[:-1] + "/"]


def prefix_range(column: str, prefix: str) -> Statement:
    """Text starting with ``prefix`` as a range: the prefix, and below the prefix with its last
    character's successor (``'zh'`` → ``>= 'zh' AND < 'zi'``)."""
    return f"({column} >= %s AND {column} < %s)", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]


def _any(*parts: Statement) -> Statement:
    return "(" + " OR ".join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]


def member_where(scope: Scope, alias: str = "m") -> Statement:
    """Member.visible_to for the level's user, by hand."""
    if scope.unit_id is not None:
        return f"{alias}.unit_id = %s", [scope.unit_id]
    if scope.path is None:
        return "1 = 1", []
    return _any(
        *(path_range(f"{alias}.{c}", scope.path) for c in ("residence_path", "unit_path", "grid_path"))
    )


def resident_where(scope: Scope, alias: str = "r") -> Statement:
    if scope.unit_id is not None:
        return "1 = 0", []
    if scope.path is None:
        return "1 = 1", []
    return _any(*(path_range(f"{alias}.{c}", scope.path) for c in ("residence_path", "grid_path")))


def community_where(scope: Scope, alias: str) -> Statement:
    """Ledger rows (service records, points, check-ins) booked in the scope's communities or its unit."""
    if scope.unit_id is not None:
        return f"{alias}.unit_id = %s", [scope.unit_id]
    if scope.path is None:
        return "1 = 1", []
    return path_range(f"{alias}.community_path", scope.path)


def _list(
    select: str, frm: str, where: Statement, order: str, limit: int, count_from: str
) -> list[Statement]:
    """A page of rows and the total the page shows beside them: exact up to gongjian.counting's
    COUNT_CAP, "more than" past it, as the lists count since perf-reads."""
    from gongjian.counting import COUNT_CAP

    return [
        (f"SELECT {select} FROM {frm} WHERE {where[0]} ORDER BY {order} LIMIT {int(limit)}", where[1]),
        (
            f"SELECT count(*) FROM (SELECT 1 FROM {count_from} WHERE {where[0]} LIMIT {COUNT_CAP + 1}) t",
            where[1],
        ),
    ]


def members_list(scope: Scope, limit: int) -> list[Statement]:
    """/members/ and /api/v1/members: a page in list order with unit, organisation and home, and the total."""
    where = member_where(scope)
    return _list(
        "m.public_id, m.name, m.gender, m.status, m.phone_hint, m.in_service, u.name, o.name, a.name",
        "people_member m LEFT JOIN orgs_unit u ON u.id = m.unit_id "
        "LEFT JOIN orgs_partyorg o ON o.id = m.party_org_id LEFT JOIN places_area a ON a.id = m.residence_area_id",
        where,
        "m.name_initials, m.id",
        limit,
        "people_member m",
    )


def residents_list(scope: Scope, limit: int) -> list[Statement]:
    """/residents/ and /api/v1/residents: a page in list order with the home, and the total."""
    where = resident_where(scope)
    return _list(
        "r.public_id, r.name, r.gender, r.phone_hint, a.name, c.name, b.name",
        "people_resident r LEFT JOIN places_area a ON a.id = r.residence_area_id "
        "LEFT JOIN places_compound c ON c.id = r.residence_compound_id "
        "LEFT JOIN places_building b ON b.id = r.residence_building_id",
        where,
        "r.name_initials, r.id",
        limit,
        "people_resident r",
    )


def units_list(scope: Scope, limit: int) -> list[Statement]:
    """/units/ and /api/v1/units: units located in the subtree (or the unit itself), by name, and the total."""
    if scope.unit_id is not None:
        where: Statement = ("un.id = %s", [scope.unit_id])
    elif scope.path is None:
        where = ("1 = 1", [])
    else:
        where = path_range("a.path", scope.path)
    frm = "orgs_unit un LEFT JOIN places_area a ON a.id = un.address_area_id"
    return _list(
        "un.public_id, un.name, un.kind, un.address, a.name", frm, where, "un.name, un.id", limit, frm
    )


def service_records_list(scope: Scope, limit: int) -> list[Statement]:
    """/api/v1/service-records: the newest records with member, community and category, and the total."""
    where = community_where(scope, "s")
    return _list(
        "s.public_id, s.started_at, s.minutes, s.state, m.name, a.name, k.name",
        "service_servicerecord s JOIN people_member m ON m.id = s.member_id "
        "LEFT JOIN places_area a ON a.id = s.community_id LEFT JOIN service_servicecategory k ON k.id = s.category_id",
        where,
        "s.started_at DESC, s.id DESC",
        limit,
        "service_servicerecord s",
    )


def needs_list(scope: Scope, limit: int) -> list[Statement]:
    """/service/needs/: the newest needs with their community, and the total."""
    if scope.unit_id is not None:
        return []
    where = ("1 = 1", []) if scope.path is None else path_range("n.community_path", scope.path)
    return _list(
        "n.public_id, n.title, n.kind, n.state, n.urgency, n.created_at, a.name",
        "service_need n LEFT JOIN places_area a ON a.id = n.community_id",
        where,
        "n.created_at DESC, n.id DESC",
        limit,
        "service_need n",
    )


def rankings(scope: Scope, limit: int, start: object, end: object) -> list[Statement]:
    """/points/rankings/ and /api/v1/points/rankings: members by points earned in the period (this
    month by default) in the scope, with names and units, and the totals beside them."""
    where = community_where(scope, "p")
    earned = f"p.redemption_id IS NULL AND p.created_at >= %s AND p.created_at < %s AND {where[0]}"
    params = [start, end, *where[1]]
    return [
        (
            "SELECT m.public_id, m.name, u.name, t.points, t.minutes FROM (SELECT p.member_id, "
            f"sum(p.amount) AS points, sum(p.minutes) AS minutes FROM points_pointentry p WHERE {earned} "
            f"GROUP BY p.member_id ORDER BY points DESC, minutes DESC LIMIT {int(limit)}) t "
            "JOIN people_member m ON m.id = t.member_id LEFT JOIN orgs_unit u ON u.id = m.unit_id "
            "ORDER BY t.points DESC, t.minutes DESC, m.name",
            params,
        ),
        (
            f"SELECT count(DISTINCT p.member_id), sum(p.amount) FROM points_pointentry p WHERE {earned}",
            params,
        ),
    ]


def checkin_counts(scope: Scope) -> Statement:
    """Active check-ins in the scope by state, and the oldest awaiting confirmation."""
    where = community_where(scope, "c")
    return (
        "SELECT c.state, count(*), min(c.certified_at) FROM checkin_checkin c "
        f"WHERE c.closed_at IS NULL AND {where[0]} GROUP BY c.state",
        where[1],
    )


def reported_anti_join(scope: Scope, start: object, end: object) -> Statement:
    """In-service members in the scope and those with no check-in counting for [start, end): the raw
    anti-join (NOT EXISTS) the reconciliation's rate is (members − unreported) ÷ members of."""
    if scope.unit_id is not None:
        where: Statement = ("m.unit_id = %s", [scope.unit_id])
    elif scope.path is None:
        where = ("1 = 1", [])
    else:
        where = path_range("m.residence_path", scope.path)
    return (
        "SELECT count(*), sum(CASE WHEN NOT EXISTS (SELECT 1 FROM checkin_checkin c WHERE c.member_id = m.id "
        "AND c.confirmed_at IS NOT NULL AND c.confirmed_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s)) "
        f"THEN 1 ELSE 0 END) FROM people_member m WHERE m.in_service AND {where[0]}",
        [end, start, *where[1]],
    )


def reconciliation(scope: Scope, start: object, end: object) -> list[Statement]:
    """/checkin/reconciliation/: the rate (anti-join) and the check-ins by state."""
    return [reported_anti_join(scope, start, end), checkin_counts(scope)]


def area_figures(scope: Scope) -> list[Statement]:
    """/areas/<id>/ and the home's figures: the area's children, and members, in-service members,
    residents, units and party organisations per child (one grouped query each)."""
    if scope.unit_id is not None:
        return []
    if scope.path is None or scope.area_id is None:
        raise ValueError("the area page needs an area")
    member = path_range("residence_path", scope.path)
    if scope.level == "community":  # a community's children are its compounds
        return [
            (
                "SELECT id, public_id, name, address FROM places_compound WHERE community_id = %s ORDER BY name",
                [scope.area_id],
            ),
            (
                "SELECT residence_compound_id, count(*), sum(CASE WHEN in_service THEN 1 ELSE 0 END) "
                f"FROM people_member WHERE {member[0]} GROUP BY 1",
                member[1],
            ),
            (
                f"SELECT residence_compound_id, count(*) FROM people_resident WHERE {member[0]} GROUP BY 1",
                member[1],
            ),
            (
                "SELECT compound_id, count(*) FROM orgs_partyorg WHERE area_id = %s GROUP BY 1",
                [scope.area_id],
            ),
        ]
    length = f"(SELECT min(length(path)) FROM places_area WHERE parent_id = {int(scope.area_id)})"
    area = path_range("a.path", scope.path)
    return [
        (
            "SELECT id, public_id, code, name, path FROM places_area WHERE parent_id = %s ORDER BY code",
            [scope.area_id],
        ),
        (
            f"SELECT substr(residence_path, 1, {length}), count(*), sum(CASE WHEN in_service THEN 1 ELSE 0 END) "
            f"FROM people_member WHERE {member[0]} GROUP BY 1",
            member[1],
        ),
        (
            f"SELECT substr(residence_path, 1, {length}), count(*) FROM people_resident WHERE {member[0]} GROUP BY 1",
            member[1],
        ),
        (
            f"SELECT substr(a.path, 1, {length}), count(*) FROM orgs_unit u JOIN places_area a "
            f"ON a.id = u.address_area_id WHERE {area[0]} GROUP BY 1",
            area[1],
        ),
        (
            f"SELECT substr(a.path, 1, {length}), count(*) FROM orgs_partyorg o JOIN places_area a "
            f"ON a.id = o.area_id WHERE {area[0]} GROUP BY 1",
            area[1],
        ),
    ]


def home_figures(scope: Scope) -> list[Statement]:
    """The home's headline figures: members and in-service members in scope, active check-ins by state."""
    where = member_where(scope)
    return [
        (
            "SELECT count(*), sum(CASE WHEN m.in_service THEN 1 ELSE 0 END) FROM people_member m "
            f"WHERE {where[0]}",
            where[1],
        ),
        checkin_counts(scope),
    ]


def run_statements(statements: list[Statement]) -> int:
    """Run the baseline and fetch every row, as the page would; returns the rows fetched."""
    from django.db import connection

    fetched = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            fetched += len(cursor.fetchall())
    return fetched
