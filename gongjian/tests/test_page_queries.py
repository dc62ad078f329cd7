"""Every list page and area page, as each role that opens it, asks the same number of queries (at most
20) whether the same areas hold N members and residents or 3N: no page grows an N+1 with its rows."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Unit, UnitKind
from people.models import Applicant, Member, Resident

MAX_QUERIES = 20
N = 4  # a page holds 25 rows or more: N and 3N both fit one page, so each row shows

# Pages over the budget today, pinned where they stand so they cannot grow; each is a page of figures
# (counts and rates per area or unit) that the roll-up counters (another branch: app ``rollups``,
# */figures.py, checkin/reconciliation.py) will answer in one read. Five queries of a privileged user's
# page are the request's own (accounts/tests/test_request_overhead.py): session, user, second factor, grants, unread count.
# The homes grew by the alliances' to-dos (the alliances the user runs, today's meetings) and the two
# alliance figures of the areas' homes (alliances/figures.py, one grouped query each).
OVER_BUDGET = {
    ("street", "portal:home"): 28,
    ("community", "portal:home"): 21,
    ("orgdept", "portal:home"): 24,
    ("street", "checkin:reconciliation"): 21,
    ("community", "area:a1"): 24,
}

_serial = itertools.count(1000)


def _grow(cast, per_place: int) -> None:
    """``per_place`` more members (each community, each unit, in service or not), residents, units
    located there and applicants."""
    p = cast.places
    members, residents, units, applicants = [], [], [], []
    for area, unit, org in (
        (p.a1, p.unit_a, p.org_unit_a),
        (p.a2, p.unit_a, p.org_a1),
        (p.b1, p.unit_b, p.org_unit_b),
    ):
        for _ in range(per_place):
            n = next(_serial)
            members.append(
                Member(
                    name=f"张{n}",
                    name_initials="z",
                    gender="male",
                    birth_date=datetime.date(1980, 1, 1),
                    party_org=org,
                    unit=unit,
                    unit_path=unit.address_area.path,
                    in_service=n % 2 == 0,
                    residence_area=area,
                    residence_path=area.path,
                    phone_hint=f"138{n:04d}",
                )
            )
            residents.append(
                Resident(name=f"李{n}", name_initials="l", residence_area=area, residence_path=area.path)
            )
            units.append(Unit(name=f"单位{n}", kind=UnitKind.PRIVATE_FIRM, address_area=area))
            applicants.append(
                Applicant(
                    name=f"王{n}",
                    name_initials="w",
                    gender="male",
                    area=area,
                    party_org=org,
                    applied_on=datetime.date(2026, 1, 1),
                )
            )
    Member.objects.bulk_create(members)
    Resident.objects.bulk_create(residents)
    Unit.objects.bulk_create(units)
    Applicant.objects.bulk_create(applicants)


PAGES = [
    ("street", "portal:home"),
    ("community", "portal:home"),
    ("unit", "portal:home"),
    ("orgdept", "portal:home"),
    ("grid", "portal:home"),
    ("street", "people:member_list"),
    ("community", "people:member_list"),
    ("unit", "people:member_list"),
    ("orgdept", "people:member_list"),
    ("grid", "people:member_list"),
    ("street", "people:resident_list"),
    ("community", "people:resident_list"),
    ("street", "people:applicant_list"),
    ("street", "people:transfer_list"),
    ("street", "orgs:unit_list"),
    ("orgdept", "orgs:unit_list"),
    ("street", "orgs:party_org_list"),
    ("street", "places:area_list"),
    ("street", "places:grid_list"),
    ("street", "places:community_lookup"),
    ("community", "checkin:community_page"),
    ("unit", "checkin:unit_page"),
    ("street", "checkin:reconciliation"),
    ("street", "service:need_list"),
    ("street", "service:record_list"),
    ("street", "service:post_list"),
    ("street", "service:pairing_list"),
    ("street", "service:project_list"),
    ("street", "service:resource_list"),
    ("street", "service:workbench"),
    ("unit", "service:unit_service"),
    ("street", "points:rankings"),
    ("street", "points:ledger"),
    ("community", "points:shop"),
    ("admin", "audit:event_list"),
    ("admin", "jobs:job_list"),
    ("unit", "jobs:import_members"),
    ("street", "notifications:inbox"),
    ("street", "area:street_a"),
    ("community", "area:a1"),
    ("orgdept", "area:city"),
]


def _url(cast, viewname: str) -> str:
    if viewname.startswith("area:"):
        return reverse("places:area_detail", args=[getattr(cast.places, viewname[5:]).public_id])
    return reverse(viewname)


def _landing(client, url: str) -> str:
    """The page a list's address lands on (the areas page and the reconciliation open the user's area)."""
    response = client.get(url)
    return response["Location"] if response.status_code == 302 else url


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if len(captured) > MAX_QUERIES:
        print("\n".join(query["sql"][:300] for query in captured.captured_queries))
    return len(captured)


@pytest.mark.parametrize(("who", "viewname"), PAGES)
def test_queries_do_not_grow_with_the_rows(client, cast, who, viewname):
    cast.login(client, who)
    _grow(cast, N)
    url = _landing(client, _url(cast, viewname))
    _queries(client, url)  # the first request of a session settles it (last seen, the scope's grants)
    small = _queries(client, url)
    _grow(cast, 2 * N)
    large = _queries(client, url)
    assert small == large, f"{url} as {who}: {small} queries with {N} rows a place, {large} with {3 * N}"
    assert large <= OVER_BUDGET.get((who, viewname), MAX_QUERIES), f"{url} as {who}: {large} queries"
