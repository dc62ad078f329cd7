"""Residents kept by their community (issue 10): add and correct through the pages and the API; the
home must hang together; right role works, outsider 404, wrong role 403; the list pins its queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from gongjian.testing import refusals
from people.models import Resident
from people.residents import keep_resident

pytestmark = pytest.mark.django_db
refused = refusals([Resident, AuditEvent])


def test_the_community_adds_a_resident_on_the_page(client, cast):
    p = cast.places
    cast.login(client, "community")
    response = client.post(
        reverse("people:resident_new"),
        {
            "name": "吴阿姨",
            "phone": "13900003333",
            "area": p.a1.public_id,
            "building": p.building_a1.public_id,
            "household_note": "独居",
        },
    )
    resident = Resident.objects.get(name="吴阿姨")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:resident_detail", args=[resident.public_id])
    assert resident.residence_compound == p.compound_a1  # taken from the building
    assert resident.masked_phone.endswith("3333") and resident.grid_path == p.grid_a3.path
    assert AuditEvent.objects.filter(action="resident.create", target_id=str(resident.public_id)).exists()


def test_a_building_not_in_the_compound_is_refused_and_the_form_keeps_the_input(client, cast):
    p = cast.places
    cast.login(client, "community")
    before = Resident.objects.count()
    response = client.post(
        reverse("people:resident_new"),
        {
            "name": "吴阿姨",
            "area": p.a1.public_id,
            "compound": p.compound_a1.public_id,
            "building": p.building_b1.public_id,
        },
    )
    assert response.status_code == 400  # building_b1 is not among A1's buildings: the form refuses it
    assert "吴阿姨" in response.content.decode()
    assert Resident.objects.count() == before


def test_the_action_refuses_a_home_that_does_not_hang_together(cast):
    p = cast.places
    with refused(ValidationError, "not in the chosen compound"):
        keep_resident(
            acting_user=cast.community,
            name="吴阿姨",
            residence_area=p.a1,
            residence_compound=p.compound_a1,
            residence_building=p.building_b1,
        )
    with refused(ValidationError, "not in 龙津社区"):
        keep_resident(
            acting_user=cast.community, name="吴阿姨", residence_area=p.a1, residence_compound=p.compound_b1
        )
    with refused(PermissionDenied, "keeps its residents"):
        keep_resident(acting_user=cast.community2, name="吴阿姨", residence_area=p.a1)


def test_editing_keeps_the_phone_when_left_empty(client, cast):
    p = cast.places
    cast.login(client, "community")
    url = reverse("people:resident_edit", args=[cast.r_a.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "孙大妈", "area": p.a1.public_id, "phone": "", "household_note": "行动不便"}
    )
    assert response.status_code == 302
    resident = Resident.objects.get(pk=cast.r_a.pk)
    assert resident.household_note == "行动不便" and resident.residence_building is None
    assert resident.masked_phone.endswith("1111")


def test_resident_pages_scope_and_roles(client, cast):
    cast.login(client, "community2")
    assert client.get(reverse("people:resident_edit", args=[cast.r_a.public_id])).status_code == 404
    for who in ("grid", "orgdept", "unit", "resident"):
        cast.login(client, who)
        assert client.get(reverse("people:resident_new")).status_code == 403
        assert client.get(reverse("people:resident_edit", args=[cast.r_a.public_id])).status_code == 403


def test_the_list_offers_the_add_button_to_keepers_only(client, cast):
    cast.login(client, "community")
    assert reverse("people:resident_new") in client.get(reverse("people:resident_list")).content.decode()
    cast.login(client, "grid")
    assert reverse("people:resident_new") not in client.get(reverse("people:resident_list")).content.decode()


def test_api_adds_and_corrects_residents(api_post, client, bearer, cast):
    p = cast.places
    created = api_post(
        "community",
        "residents",
        {"name": "吴阿姨", "community": str(p.a1.public_id), "building": str(p.building_a1.public_id)},
    )
    assert created.status_code == 201, created.content
    assert created.json()["residence_compound"]["name"] == "阳光小区"
    rid = created.json()["id"]
    changed = client.put(
        f"/api/v1/residents/{rid}",
        {"name": "吴阿姨", "community": str(p.a1.public_id), "household_note": "独居"},
        content_type="application/json",
        headers=bearer("community"),
    )
    assert changed.status_code == 200 and changed.json()["household_note"] == "独居"
    outsider = client.put(
        f"/api/v1/residents/{rid}",
        {"name": "x", "community": str(p.a1.public_id)},
        content_type="application/json",
        headers=bearer("community2"),
    )
    assert outsider.status_code == 404
    assert api_post("grid", "residents", {"name": "x", "community": str(p.a1.public_id)}).status_code == 403
    mismatch = api_post(
        "community",
        "residents",
        {
            "name": "x",
            "community": str(p.a1.public_id),
            "compound": str(p.compound_a1.public_id),
            "building": str(p.building_b1.public_id),
        },
    )
    assert mismatch.status_code == 422 and "compound" in mismatch.json()["detail"]


def test_resident_list_query_count(client, cast, django_assert_max_num_queries):
    cast.login(client, "community")
    for n in range(5):
        keep_resident(acting_user=cast.community, name=f"居民{n}", residence_area=cast.places.a1)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:resident_list")).status_code == 200
