"""Every page and list API at every level, beside the hand-written SQL of the same rows and figures.

In-process: Django's test Client against the full middleware and template stack, DEBUG off (no
query log), the second factor given in the session through accounts.second_factor_actions (as
conftest's cast.login does). Per URL: 3 warm-up requests, then N timed (a slow page: 1 and as many as fit in 20 s, at least 5); one more request under
CaptureQueriesContext for the query count; the body's size. The baseline (bench/baselines.py) is
timed the same way in the same run; the ratio is the page's median over the baseline's median.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import baselines as b
from measure import PAGE_TARGET, Row, budget, page_ok, ratio, timed

LIST_ROWS = 25  # people.views.PER_PAGE, orgs.views.UNITS_PER_PAGE
API_ROWS = 50  # gongjian.api_shapes.DEFAULT_LIMIT
RANKING_ROWS = 100  # points.views.RANKING_LIMIT


def scope_of(level: str, user) -> b.Scope:
    """The level's data as baselines.Scope: the granted area's subtree, or the unit."""
    grant = user.role_grants.select_related("area").first()
    if grant is None:
        raise ValueError(f"the {level} account has no role")
    if grant.unit_id is not None:
        return b.Scope(level, unit_id=grant.unit_id)
    return b.Scope(level, path=grant.area.path, area_id=grant.area_id)


def month_bounds():
    """The reconciliation page's default period (this month) as its bounds."""
    from checkin.reconciliation import Period

    return Period.of("month").bounds()


def pages_of(level: str, user, scope: b.Scope) -> list[tuple[str, str, Callable[[], list[b.Statement]]]]:
    """(name, url, baseline) for each page and list API."""
    start, end = month_bounds()
    listed: list[tuple[str, str, Callable[[], list[b.Statement]]]] = [
        ("home", "/", lambda: b.home_figures(scope)),
        ("members", "/members/", lambda: b.members_list(scope, LIST_ROWS)),
        ("members API", "/api/v1/members", lambda: b.members_list(scope, API_ROWS)),
        ("residents", "/residents/", lambda: b.residents_list(scope, LIST_ROWS)),
        ("residents API", "/api/v1/residents", lambda: b.residents_list(scope, API_ROWS)),
        ("reconciliation", "/checkin/reconciliation/", lambda: b.reconciliation(scope, start, end)),
        ("rankings", "/points/rankings/", lambda: b.rankings(scope, RANKING_ROWS, start, end)),
        ("rankings API", "/api/v1/points/rankings", lambda: b.rankings(scope, API_ROWS, start, end)),
        ("units", "/units/", lambda: b.units_list(scope, LIST_ROWS)),
        ("units API", "/api/v1/units", lambda: b.units_list(scope, API_ROWS)),
        ("service needs", "/service/needs/", lambda: b.needs_list(scope, LIST_ROWS)),
        ("service records API", "/api/v1/service-records", lambda: b.service_records_list(scope, API_ROWS)),
    ]
    if scope.area_id is not None:
        from places.models import Area

        public_id = Area.objects.values_list("public_id", flat=True).get(pk=scope.area_id)
        listed.insert(5, ("area page", f"/areas/{public_id}/", lambda: b.area_figures(scope)))
    return listed


def signed_in_client(user):
    from django.test import Client

    from accounts.second_factor_actions import sign_in_verified

    client = Client()
    sign_in_verified(client, user)
    return client


def measure_page(client, level: str, name: str, url: str, baseline, *, requests: int) -> Row:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    label = f"{level} · {name}"
    response = client.get(url)
    for _ in range(2):  # a page that sends the level on to its own view (reconciliation → its area)
        if response.status_code != 302 or not response["Location"].startswith("/"):
            break
        url = response["Location"]
        response = client.get(url)
    if response.status_code != 200:
        return Row(label, note=f"{url} answers {response.status_code} to this level", target=PAGE_TARGET)
    started = time.perf_counter()
    client.get(url)
    warmup, requests = budget(requests, time.perf_counter() - started)
    page = timed(lambda: client.get(url), requests=requests, warmup=warmup)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries, size = len(captured.captured_queries), len(response.content)
    statements = baseline()
    measured = f"{page} · {queries} q · {size / 1024:.0f} KB"
    if not statements:
        return Row(label, measured=measured, target=PAGE_TARGET, note="no baseline at this level")
    sql = timed(lambda: b.run_statements(statements), requests=requests, warmup=warmup)
    r = ratio(page.p50, sql.p50)
    return Row(
        label,
        measured=measured,
        baseline=str(sql),
        ratio=r,
        target=PAGE_TARGET,
        ok=page_ok(p95_ms=page.p95, ratio=r, queries=queries, size_bytes=size),
        note=f"slow: {requests} requests" if warmup == 1 else "",
    )


def run(users: dict, *, requests: int) -> list[Row]:
    rows = []
    for level, user in users.items():
        try:
            scope = scope_of(level, user)
            client = signed_in_client(user)
            listed = pages_of(level, user, scope)
        except Exception as exc:  # noqa: BLE001 — one level's failure must not hide the others
            rows.append(Row(f"{level} · pages", note=f"error: {type(exc).__name__}: {exc}"[:200]))
            continue
        for name, url, baseline in listed:
            try:
                rows.append(measure_page(client, level, name, url, baseline, requests=requests))
            except Exception as exc:  # noqa: BLE001
                rows.append(Row(f"{level} · {name}", note=f"error: {type(exc).__name__}: {exc}"[:200]))
            print(f"    {rows[-1].bench}: {rows[-1].measured} {rows[-1].note}", flush=True)
    return rows
