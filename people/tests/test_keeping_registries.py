"""The area registries kept by their place (issue 10): commercial buildings, trade unions and youth
league organisations added, corrected and retired through pages and API; scope and roles."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from gongjian.testing import refusals
from people.models import CommercialBuilding, TradeUnion, YouthLeagueOrg
from people.registries import retire_registry_entry, save_registry_entry

pytestmark = pytest.mark.django_db
refused = refusals([TradeUnion, CommercialBuilding, YouthLeagueOrg, AuditEvent])


@pytest.fixture
def union(cast):
    return save_registry_entry(
        acting_user=cast.community,
        model=TradeUnion,
        name="烟草公司工会",
        area=cast.places.a1,
        unit=cast.places.unit_a,
        fields={"chair_name": "刘主席", "member_count": 300},
    )


def test_add_correct_and_retire_on_the_pages(client, cast):
    p = cast.places
    cast.login(client, "community")
    new = reverse("people:registry_new", args=["commercial_building"])
    assert client.get(new).status_code == 200
    added = client.post(
        new,
        {
            "name": "东城金融大厦",
            "area": p.a1.public_id,
            "party_org": p.org_a1.public_id,
            "floors": 28,
            "tenant_count": 120,
            "member_count": 86,
        },
    )
    assert added.status_code == 302
    building = CommercialBuilding.objects.get(name="东城金融大厦")
    assert building.party_org == p.org_a1 and building.floors == 28
    edit = reverse("people:registry_edit", args=["commercial_building", building.public_id])
    assert (
        client.post(
            edit,
            {
                "name": "东城金融中心",
                "area": p.a1.public_id,
                "floors": 30,
                "tenant_count": 0,
                "member_count": 0,
            },
        ).status_code
        == 302
    )
    assert CommercialBuilding.objects.get(pk=building.pk).name == "东城金融中心"
    retire = reverse("people:registry_retire", args=["commercial_building", building.public_id])
    assert client.post(retire, {"reason": ""}).status_code == 302  # refused: no reason
    assert CommercialBuilding.objects.get(pk=building.pk).retired_on is None
    assert client.post(retire, {"reason": "拆除"}).status_code == 302
    assert CommercialBuilding.objects.get(pk=building.pk).retired_reason == "拆除"
    page = client.get(reverse("people:commercial_building_list")).content.decode()
    assert "东城金融中心" in page and "retired" in page
    assert {"registry.create", "registry.update", "registry.retire"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_refusals(cast, union):
    p = cast.places
    with refused(PermissionDenied, "keeps this registry"):
        save_registry_entry(acting_user=cast.community2, model=TradeUnion, name="x", area=p.a1)
    with refused(PermissionDenied, "keeps this registry", union):  # moving it out of one's area
        save_registry_entry(acting_user=cast.community, model=TradeUnion, name="x", area=p.b1, entry=union)
    with refused(ValidationError, "Unknown fields"):
        save_registry_entry(
            acting_user=cast.community, model=TradeUnion, name="x", area=p.a1, fields={"floors": 3}
        )
    retire_registry_entry(acting_user=cast.community, entry=union, reason="合并", on=date(2025, 1, 1))
    with refused(ValidationError, "retired", union):
        save_registry_entry(acting_user=cast.community, model=TradeUnion, name="x", area=p.a1, entry=union)
    with refused(ValidationError, "retired already", union):
        retire_registry_entry(acting_user=cast.community, entry=union, reason="again")


def test_scope_and_roles_on_the_pages(client, cast, union):
    edit = reverse("people:registry_edit", args=["trade_union", union.public_id])
    cast.login(client, "street")
    assert client.get(edit).status_code == 200
    cast.login(client, "community2")
    assert client.get(edit).status_code == 404
    assert (
        client.post(
            reverse("people:registry_retire", args=["trade_union", union.public_id]), {"reason": "x"}
        ).status_code
        == 404
    )
    for who in ("orgdept", "unit", "grid"):
        cast.login(client, who)
        assert client.get(reverse("people:registry_new", args=["trade_union"])).status_code == 403
        assert client.get(edit).status_code == 403
    cast.login(client, "community")
    assert client.get(reverse("people:registry_new", args=["no_such_registry"])).status_code == 404


def test_api_writes(api_post, client, bearer, cast, union):
    p = cast.places
    created = api_post(
        "community",
        "youth-league-orgs",
        {"name": "龙津团支部", "area": str(p.a1.public_id), "member_count": 25},
    )
    assert created.status_code == 201 and created.json()["member_count"] == 25
    changed = client.put(
        f"/api/v1/trade-unions/{union.public_id}",
        {"name": "烟草工会", "area": str(p.a1.public_id), "chair_name": "李主席", "member_count": 310},
        content_type="application/json",
        headers=bearer("street"),
    )
    assert changed.status_code == 200 and changed.json()["chair_name"] == "李主席"
    assert api_post("street2", f"trade-unions/{union.public_id}/retire", {"reason": "x"}).status_code == 404
    assert api_post("orgdept", f"trade-unions/{union.public_id}/retire", {"reason": "x"}).status_code == 403
    assert api_post("street2", "trade-unions", {"name": "x", "area": str(p.a1.public_id)}).status_code == 403
    retired = api_post("community", f"trade-unions/{union.public_id}/retire", {"reason": "合并"})
    assert retired.status_code == 200
    assert TradeUnion.objects.get(pk=union.pk).retired_on is not None
