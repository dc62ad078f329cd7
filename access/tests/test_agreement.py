"""The page, the API and the export agree, for every role of the cast (with street B's outsiders, a user
without a grant, and nobody signed in) and every object kind with a privacy rule; and they answer what
the rule says (``access`` for whom a need or a record is for, ``visible_to`` for who sees an object at
all, masks for the numbers).

Each path is read as it is served (the page's HTML, the API item's JSON, the xlsx the export link returns,
inline for a list this small) and reduced to what it tells the viewer: ``refused`` (wrong role, or not
signed in: 403, 401, the sign-in redirect), ``absent`` (404; an export without the row) or shown, and then
what is shown: a beneficiary's ``name`` or ``hidden`` (the placeholder, null, an empty cell), a number
``masked``, a household ``named``.

An export is offered to fewer roles than the page (``ExportSpec.roles``); where it is offered its row is
there exactly when the page shows the object. A sheet names a beneficiary more narrowly than the page:
``access.exports_beneficiary_q`` (a copy kept in bulk names them only for the community and street, who
phone them), so the export names a beneficiary where both rules do, and leaves the cell empty elsewhere.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from access import exports_beneficiary_q, sees_beneficiary, sees_record_beneficiary
from accounts.second_factor_actions import sign_in_verified
from jobs.exports import get_spec
from people.models import Member, Resident
from service.models import HouseholdPairing, Need, ServiceCategory, ServiceRecord
from service.needs import actions as need_actions
from service.pairings import actions as pairing_actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

# Every role of the cast (conftest.py), street B's outsiders, a user with no grant, and nobody.
VIEWERS = (
    "admin",
    "orgdept",
    "street",
    "community",
    "unit",
    "dept",
    "inspector",
    "grid",
    "member",
    "resident",
    "street2",
    "community2",
    "unit2",
    "grid2",
    "nobody",
    "anonymous",
)
REFUSED, ABSENT = "refused", "absent"
PLACEHOLDER = "Visible to those who serve"
BENEFICIARY = "孙大妈"
FULL_ID = re.compile(r"\d{17}[\dXx]")


def _item(code: str) -> ServiceCategory:
    return ServiceCategory.objects.get(code=code, city__isnull=True)


@dataclass(frozen=True)
class Kind:
    """One object kind: where each path shows it, and what each shows of it."""

    model: type
    page: str  # URL name of the object's page
    api: str  # API path of the item, with {id}
    export: str  # export (list) name
    export_row: Callable[[dict, Any], bool]  # is this export row the object?
    on_page: Callable[[str, Any], str]  # what the page's HTML shows of it
    in_api: Callable[[dict, Any], str]  # what the API's JSON shows of it
    in_export: Callable[[dict, Any], str]  # what the export row shows of it
    rule: Callable[[Any, Any], str]  # what the viewer should be shown (once they see the object)
    export_rule: Callable[[Any, Any], str] | None = None  # the export's, where it is narrower


def _beneficiary_on_page(html: str, obj) -> str:
    if BENEFICIARY in html:
        return "name"
    return "hidden" if PLACEHOLDER in html else "nothing said"


def _named(value) -> str:
    return "name" if value == BENEFICIARY else ("hidden" if value in (None, "") else f"other: {value}")


def _sees(rule) -> Callable[[Any, Any], str]:
    return lambda user, obj: "name" if rule(user, obj) else "hidden"


def _sees_in_bulk(model, rule) -> Callable[[Any, Any], str]:
    def decided(user, obj) -> str:
        in_bulk = model.objects.filter(pk=obj.pk).filter(exports_beneficiary_q(user)).exists()
        return "name" if rule(user, obj) and in_bulk else "hidden"

    return decided


def _numbers_on_page(html: str, person) -> str:
    if _full_phone(person) in html or FULL_ID.search(html):
        return "full"
    return "masked" if person.masked_phone in html else "not shown"


def _numbers_in_api(body: dict, person) -> str:
    text = str(body)
    if _full_phone(person) in text or FULL_ID.search(text):
        return "full"
    return "masked" if body.get("phone_masked") == person.masked_phone else "not shown"


def _numbers_in_export(row: dict, person) -> str:
    if FULL_ID.search(str(row)) or _full_phone(person) in str(row):
        return "full"
    return "masked" if row.get("Phone") == person.masked_phone else "not shown"


def _full_phone(person) -> str:
    return {"张三丰": "13800000001", "孙大妈": "13900001111"}[person.name]


KINDS = {
    "need beneficiary": Kind(
        model=Need,
        page="service:need_detail",
        api="needs/{id}",
        export="service_needs",
        export_row=lambda row, need: row["Title"] == need.title,
        on_page=_beneficiary_on_page,
        in_api=lambda body, need: _named(body["beneficiary_name"]),
        in_export=lambda row, need: _named(row["Beneficiary"]),
        rule=_sees(sees_beneficiary),
        export_rule=_sees_in_bulk(Need, sees_beneficiary),
    ),
    "record beneficiary": Kind(
        model=ServiceRecord,
        page="service:record_detail",
        api="service-records/{id}",
        export="service_records",
        export_row=lambda row, record: row["What was done"] == record.description,
        on_page=_beneficiary_on_page,
        in_api=lambda body, record: _named(body["beneficiary_name"]),
        in_export=lambda row, record: _named(row["Beneficiary"]),
        rule=_sees(sees_record_beneficiary),
        export_rule=_sees_in_bulk(ServiceRecord, sees_record_beneficiary),
    ),
    "member numbers": Kind(
        model=Member,
        page="people:member_detail",
        api="members/{id}",
        export="members",
        export_row=lambda row, member: row["Full name"] == member.name,
        on_page=_numbers_on_page,
        in_api=_numbers_in_api,
        in_export=_numbers_in_export,
        rule=lambda user, member: "masked",  # a full number only through the audited reveal
    ),
    "resident numbers": Kind(
        model=Resident,
        page="people:resident_detail",
        api="residents/{id}",
        export="residents",
        export_row=lambda row, resident: row["Full name"] == resident.name,
        on_page=_numbers_on_page,
        in_api=_numbers_in_api,
        in_export=_numbers_in_export,
        rule=lambda user, resident: "masked",
    ),
    "pairing household": Kind(
        model=HouseholdPairing,
        page="service:pairing_detail",
        api="household-pairings/{id}",
        export="household_pairings",
        export_row=lambda row, pairing: row["Why paired"] == pairing.reason,
        on_page=lambda html, pairing: "named" if pairing.household.name in html else "not named",
        in_api=lambda body, pairing: "named" if body["household"]["name"] == pairing.household.name else "?",
        in_export=lambda row, pairing: "named" if row["Household"] == pairing.household.name else "?",
        rule=lambda user, pairing: "named",  # whoever sees the pairing sees whom it helps
    ),
}


@pytest.fixture
def objects(cast) -> dict[str, list]:
    """The objects of each kind, in community A1 of street A, all about 孙大妈 (grid 阳光三级)."""
    open_need = need_actions.post_need(
        acting_user=cast.community,
        title="需要助餐",
        category=_item("elderly_care"),
        community=cast.places.a1,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        beneficiary_resident=cast.r_a,
        beneficiary_address="阳光小区1号楼302",
    )
    offered_need = need_actions.post_need(
        acting_user=cast.grid,
        title="需要修水管",
        category=_item("home_repair"),
        community=cast.places.a1,
        grid=cast.places.grid_a,
        beneficiary_resident=cast.r_a,
    )
    need_actions.dispatch_need(acting_user=cast.community, need=offered_need, unit=cast.places.unit_a)
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=_item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="陪老人聊天读报",
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
    )
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居老人"
    )
    return {
        "need beneficiary": [open_need, offered_need],
        "record beneficiary": [record],
        "member numbers": [cast.m_member],
        "resident numbers": [cast.r_a],
        "pairing household": [pairing],
    }


def _read(response) -> tuple[str, Any]:
    if response.status_code == 200:
        return "shown", response
    if response.status_code == 404:
        return ABSENT, None
    assert response.status_code in (302, 401, 403), response.status_code
    return REFUSED, None


def _sheet(client: Client, user, name: str) -> list[dict] | None:
    """The export's rows by header, or None where the list is not offered to the viewer."""
    if not user.is_authenticated or not get_spec(name).allowed(user):
        return None
    response = client.get(reverse("jobs:export_start", args=[name]))
    assert response.status_code == 200, (user, name, response.status_code)
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _what_each_path_tells(cast, who: str, kind: Kind, objects: list) -> list[str]:
    """The disagreements for one viewer and one kind (an empty list when the paths and the rule agree)."""
    client = Client()
    user = AnonymousUser() if who == "anonymous" else getattr(cast, who)
    if user.is_authenticated:
        sign_in_verified(client, user)
    sheet = _sheet(client, user, kind.export)
    problems = []
    for obj in objects:
        label = f"{who} · {obj}"
        page, page_response = _read(client.get(reverse(kind.page, args=[obj.public_id])))
        api, api_response = _read(client.get("/api/v1/" + kind.api.format(id=obj.public_id)))
        visible = user.is_authenticated and kind.model.objects.visible_to(user).filter(pk=obj.pk).exists()
        if page == "shown":
            page = kind.on_page(page_response.content.decode(), obj)
        if api == "shown":
            api = kind.in_api(api_response.json(), obj)
        if (page == REFUSED) != (api == REFUSED) or (page == ABSENT) != (api == ABSENT):
            problems.append(f"{label}: the page is {page}, the API {api}")
            continue
        if page in (REFUSED, ABSENT):
            if page == ABSENT and visible:
                problems.append(f"{label}: 404 though visible_to has it")
            expected = None
        else:
            expected = kind.rule(user, obj)
            if not visible:
                problems.append(f"{label}: shown though visible_to leaves it out")
            if page != expected or api != expected:
                problems.append(f"{label}: the rule says {expected}, the page {page}, the API {api}")
        if sheet is None:
            continue
        row = next((r for r in sheet if kind.export_row(r, obj)), None)
        if (row is not None) != (expected is not None):
            problems.append(f"{label}: the page is {page}, the export {'has' if row else 'lacks'} the row")
        elif row is not None:
            in_bulk = (kind.export_rule or kind.rule)(user, obj)
            shown = kind.in_export(row, obj)
            if shown != in_bulk:
                problems.append(f"{label}: the export rule says {in_bulk}, the export {shown}")
    return problems


@pytest.mark.parametrize("kind", list(KINDS))
def test_page_api_and_export_agree_with_the_rule(cast, objects, kind):
    problems = [p for who in VIEWERS for p in _what_each_path_tells(cast, who, KINDS[kind], objects[kind])]
    assert not problems, "\n".join(problems)


def test_the_export_never_names_more_than_the_page(cast, objects):
    """The bulk rule is inside the page's: whoever a sheet names a beneficiary for sees the name on the page."""
    for who in VIEWERS[:-1]:
        user = getattr(cast, who)
        for need in objects["need beneficiary"]:
            if KINDS["need beneficiary"].export_rule(user, need) == "name":
                assert sees_beneficiary(user, need), who
        for record in objects["record beneficiary"]:
            if KINDS["record beneficiary"].export_rule(user, record) == "name":
                assert sees_record_beneficiary(user, record), who


def test_the_table_covers_every_role_of_the_cast(cast):
    """A role added to the cast must be added here too."""
    from accounts.models import Role, RoleGrant

    granted = {
        who
        for who in VIEWERS[:-1]
        if RoleGrant.objects.filter(user=getattr(cast, who)).exists() or who == "nobody"
    }
    roles = set(RoleGrant.objects.filter(user__username__in=granted).values_list("role", flat=True))
    assert roles == set(Role.values)
