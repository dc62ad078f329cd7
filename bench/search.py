"""Search at city level, three ways (pinyin initials, the beginning of a name, a phone's last four
digits), beside the raw SQL of the same predicate on the bare table.

Measured: the member list's query as the page runs it — ``Member.objects.visible_to(city user)
.search(text)`` with the list's ``select_related``, its first page (25 rows) fetched. Baseline: the
same columns and joins, the predicate written by hand as a range (``name_initials >= 'zh' AND
name_initials < 'zi'``, ``name LIKE '张%'`` on PostgreSQL, whose name index is varchar_pattern_ops) or, for the phone tail, an equality on
the last four digits (``right(phone_hint, 4) = '1234'``), without the scope (the city sees every
member).
"""
# ruff: noqa: S608 — the SQL is built from this module's constant fragments; every value is a parameter

from __future__ import annotations

import baselines as b
from measure import SEARCH_RATIO, Row, ratio, timed

ROWS = 25
COLUMNS = "m.public_id, m.name, m.gender, m.status, m.phone_hint, u.name, o.name, a.name"
JOINS = (
    "people_member m LEFT JOIN orgs_unit u ON u.id = m.unit_id LEFT JOIN orgs_partyorg o "
    "ON o.id = m.party_org_id LEFT JOIN places_area a ON a.id = m.residence_area_id"
)


def search_sql(kind: str, text: str) -> b.Statement:
    """The raw SQL of one search: the predicate as a range (or the phone column's suffix match)."""
    if kind == "initials":
        where, params = b.prefix_range("m.name_initials", text.lower())
        order = "m.name_initials, m.id"
    elif kind == "name":
        from django.db import connection

        # PostgreSQL's name index is varchar_pattern_ops: LIKE 'x%' is its range (gongjian/prefixes.py).
        if connection.vendor == "postgresql":
            where, params = "m.name LIKE %s", [text + "%"]
        else:
            where, params = b.prefix_range("m.name", text)
        order = "m.name, m.id"
    elif kind == "phone":
        from django.db import connection

        # The last four digits as an expression (the one perf-reads' *_phone_tail index holds).
        tail = "right(m.phone_hint, 4)" if connection.vendor == "postgresql" else "substr(m.phone_hint, -4)"
        where, params = f"{tail} = %s", [text]
        order = "m.name_initials, m.id"
    else:
        raise ValueError(kind)
    return f"SELECT {COLUMNS} FROM {JOINS} WHERE {where} ORDER BY {order} LIMIT {ROWS}", params


def terms() -> list[tuple[str, str]]:
    """A common initials prefix, the commonest surname's first character, a phone tail on record."""
    from django.db.models import Count
    from django.db.models.functions import Left

    from people.models import Member

    surname = (
        Member.objects.annotate(first=Left("name", 1))
        .values("first")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("first", flat=True)
        .first()
    )
    hint = Member.objects.exclude(phone_hint="").order_by("id").values_list("phone_hint", flat=True).first()
    return [("initials", "zh"), ("name", surname or "张"), ("phone", (hint or "0000")[-4:])]


def run(user, *, requests: int) -> list[Row]:
    from people.models import Member

    rows = []
    for kind, text in terms():
        page = Member.objects.visible_to(user).select_related("unit", "party_org", "residence_area")
        app = timed(lambda: list(page.search(text)[:ROWS]), requests=requests)  # noqa: B023
        statement = search_sql(kind, text)
        sql = timed(lambda: b.run_statements([statement]), requests=requests)  # noqa: B023
        r = ratio(app.p50, sql.p50)
        rows.append(
            Row(
                f"search city · {kind} {text!r}",
                measured=str(app),
                baseline=str(sql),
                ratio=r,
                target=f"≤ {SEARCH_RATIO:g}×",
                ok=r is not None and r <= SEARCH_RATIO,
            )
        )
    return rows
