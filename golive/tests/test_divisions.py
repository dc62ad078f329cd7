"""The division picker: a city found in the national list, its streets ticked, the areas created
once (a second run creates nothing), for the platform administrator only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from golive.actions import set_up_divisions
from golive.divisions import city_tree, communities_of, find_cities
from places.models import Area, AreaLevel


def test_the_national_list_has_the_streets_and_communities():
    assert [c.name for c in find_cities("龙岩")][:1] == ["龙岩市"]
    city = city_tree("350800")
    xinluo = next(d for d in city.districts if d.code == "350802")
    street = next(s for s in xinluo.streets if s.code == "350802003")
    assert street.communities > 0
    communities = communities_of(["350802003"])["350802003"]
    assert len(communities) == street.communities and all(len(c.code) == 12 for c in communities)
    assert find_cities("北京")[0].name == "北京市"  # a municipality's city level takes its name


def test_the_picker_sets_up_ticked_streets_and_their_communities_once(cast, client):
    cast.login(client, "admin")
    response = client.get(reverse("golive:divisions"), {"q": "龙岩"})
    assert "龙岩市" in response.content.decode()
    response = client.get(reverse("golive:divisions"), {"city": "350800"})
    assert "350802003" in response.content.decode()
    assert response.context["set_up"] == {"350802001", "350802002"}  # the cast's streets
    expected = len(communities_of(["350802003"])["350802003"])
    response = client.post(reverse("golive:divisions"), {"city": "350800", "street": ["350802003"]})
    assert response.status_code == 302
    street = Area.objects.get(code="350802003")
    assert street.parent == cast.places.district and street.level == AreaLevel.STREET
    assert Area.objects.filter(parent=street, level=AreaLevel.COMMUNITY).count() == expected
    assert AuditEvent.objects.filter(action="area.create").count() >= expected + 1
    before = Area.objects.count()
    again = set_up_divisions(acting_user=cast.admin, city_code="350800", street_codes=["350802003"])
    assert again.created == 0 and Area.objects.count() == before


def test_ticking_a_district_takes_all_its_streets(cast, client):
    cast.login(client, "admin")
    client.post(reverse("golive:divisions"), {"city": "350800", "district": ["350821"]})
    district = Area.objects.get(code="350821")
    streets = [s.code for d in city_tree("350800").districts if d.code == "350821" for s in d.streets]
    assert Area.objects.filter(parent=district).count() == len(streets) > 0


def test_a_street_of_another_city_is_refused(cast, client):
    cast.login(client, "admin")
    before = Area.objects.count()
    response = client.post(reverse("golive:divisions"), {"city": "350800", "street": ["110101001"]})
    assert response.status_code == 200 and Area.objects.count() == before


@pytest.mark.parametrize("who", ["orgdept", "street", "community", "unit"])
def test_only_the_platform_admin_picks_divisions(cast, client, who):
    cast.login(client, who)
    assert client.get(reverse("golive:divisions")).status_code == 403
    assert (
        client.post(reverse("golive:divisions"), {"city": "350800", "street": ["350802003"]}).status_code
        == 403
    )
    assert not Area.objects.filter(code="350802003").exists()
