"""Helpers for the API tests: bearer tokens for the cast, and a few registry rows in both streets."""

from datetime import date
from types import SimpleNamespace

import pytest

from cases.actions import report_case
from cases.tests.fixtures import category, grid_case
from gongjian.names import pinyin_initials
from people.actions import seal_numbers
from people.models import Applicant, CommercialBuilding, TradeUnion, YouthLeagueOrg

API = "/api/v1/"


@pytest.fixture
def api_get(client, bearer):
    """``api_get("street", "members", unit=...)`` → the response of GET /api/v1/members as street."""

    def get(who: str, path: str, **params):
        return client.get(API + path, params, headers=bearer(who))

    return get


@pytest.fixture
def api_post(client, bearer):
    def post(who: str, path: str, payload: dict):
        return client.post(API + path, payload, content_type="application/json", headers=bearer(who))

    return post


def _applicant(name, area, unit, org, phone):
    person = Applicant(
        name=name,
        name_initials=pinyin_initials(name),
        gender="female",
        area=area,
        unit=unit,
        party_org=org,
        applied_on=date(2024, 3, 1),
    )
    seal_numbers(person, phone=phone)
    person.save()
    return person


@pytest.fixture
def registries(cast):
    """One applicant, commercial building, trade union and youth league org in each street."""
    p = cast.places
    r = SimpleNamespace()
    r.applicant_a = _applicant("吴申请", p.a1, p.unit_a, p.org_a1, "13700000001")
    r.applicant_b = _applicant("郑申请", p.b1, p.unit_b, p.org_street_b, "13700000002")
    r.cbuilding_a = CommercialBuilding.objects.create(
        name="东城大厦", area=p.a1, party_org=p.org_a1, floors=20
    )
    r.cbuilding_b = CommercialBuilding.objects.create(name="西城大厦", area=p.b1, floors=12)
    r.union_a = TradeUnion.objects.create(name="烟草公司工会", area=p.a1, unit=p.unit_a, chair_name="陈")
    r.union_b = TradeUnion.objects.create(name="西城商贸工会", area=p.b1, unit=p.unit_b)
    r.league_a = YouthLeagueOrg.objects.create(name="东城团工委", area=p.street_a, secretary_name="林")
    r.league_b = YouthLeagueOrg.objects.create(name="西城团工委", area=p.street_b)
    # a case in each street, reported by its grid worker (the cases API is a collection too)
    r.case_a = grid_case(cast)
    r.case_b = report_case(
        acting_user=cast.grid2, title="西城楼道堆物", category=category(), building=p.building_b1
    )
    return r
