"""Pickers (gongjian/pickers.py): no page lists more than a page of areas, communities or units, however
many the scope holds; the search endpoint answers within the user's scope only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongjian.pickers import PAGE
from orgs.models import Unit, UnitKind
from places.models import Area, AreaLevel
from places.paths import child_path

MANY = 200


def _many_communities_and_units(cast) -> None:
    """200 more communities in street A, and 200 more units located in community A1."""
    street = cast.places.street_a
    Area.objects.bulk_create(
        Area(
            code=f"350802001{n + 100:03d}",
            name=f"测试{n:03d}社区",
            level=AreaLevel.COMMUNITY,
            parent=street,
            path=child_path(street.path, f"350802001{n + 100:03d}"),
            depth=street.depth + 1,
        )
        for n in range(MANY)
    )
    Unit.objects.bulk_create(
        Unit(name=f"测试单位{n:03d}", kind=UnitKind.PRIVATE_FIRM, address_area=cast.places.a1)
        for n in range(MANY)
    )


def _selects(html: str) -> dict[str, int]:
    """Each select's name and how many options it lists."""
    return {
        name: len(re.findall(r"<option\b", body))
        for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    }


PAGES = [
    ("street", "people:member_list", {}),
    ("street", "people:resident_list", {}),
    ("street", "points:rankings", {}),
    ("street", "points:ledger", {}),
    ("street", "service:need_list", {}),
    ("street", "service:record_list", {}),
    ("street", "service:unit_service", {}),
    ("street", "service:resource_list", {}),
    ("street", "service:project_list", {}),
    ("admin", "jobs:import_members", {}),
    ("admin", "orgs:unit_new", {}),
    (None, "accounts:register", {}),
]


@pytest.mark.parametrize(("who", "viewname", "params"), PAGES)
def test_no_picker_lists_more_than_a_page(client, cast, who, viewname, params):
    _many_communities_and_units(cast)
    if who:
        cast.login(client, who)
    response = client.get(reverse(viewname), params)
    if response.status_code == 404 and who is None:
        pytest.skip("public registration is off")
    assert response.status_code == 200, response.status_code
    selects = _selects(response.content.decode())
    too_long = {name: n for name, n in selects.items() if n > PAGE + 1}
    assert not too_long, too_long


def test_a_small_scope_gets_a_plain_select_of_every_choice(client, cast):
    cast.login(client, "community")
    html = client.get(reverse("people:member_list")).content.decode()
    assert 'name="area_find"' not in html
    assert cast.places.a1.name in html


def test_a_big_scope_gets_a_search_box_and_the_chosen_option(client, cast):
    _many_communities_and_units(cast)
    cast.login(client, "street")
    chosen = Area.objects.get(name="测试150社区")
    html = client.get(reverse("people:member_list"), {"area": str(chosen.public_id)}).content.decode()
    assert 'name="area_find"' in html and 'hx-get="/pick/areas/?field=area' in html
    assert re.search(rf'<option value="{chosen.public_id}" selected>测试150社区</option>', html)


def test_without_javascript_a_typed_name_is_resolved(client, cast):
    _many_communities_and_units(cast)
    cast.login(client, "street")
    one = client.get(reverse("people:member_list"), {"unit_find": "测试单位007"}).content.decode()
    unit = Unit.objects.get(name="测试单位007")
    assert re.search(rf'<option value="{unit.public_id}" selected>', one)
    several = client.get(reverse("people:member_list"), {"unit_find": "测试单位01"}).content.decode()
    assert 'value="测试单位01"' in several  # the box keeps what was typed
    assert _selects(several)["unit"] == 1 + 10  # the empty choice and the ten that match, to pick from


def _options(client, name, **params):
    response = client.get(reverse("picker_options", args=[name]), params)
    return response, re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', response.content.decode())


def test_the_endpoint_answers_a_page_of_matches_in_the_scope(client, cast):
    _many_communities_and_units(cast)
    cast.login(client, "street")
    response, options = _options(client, "areas", field="area", area_find="测试")
    assert response.status_code == 200
    assert len([value for value, _label in options if value]) == PAGE
    assert "More match" in response.content.decode()
    _r, by_code = _options(client, "areas", field="area", area_find="350802001107")
    assert [label for value, label in by_code if value] == ["测试007社区"]
    _r, by_initials = _options(client, "areas", field="area", area_find="ljsq")
    assert [label for value, label in by_initials if value] == [cast.places.a1.name]
    _r, outside = _options(client, "areas", field="area", area_find=cast.places.b1.name)
    assert not [value for value, _label in outside if value]  # street B's community is not street A's


def test_the_endpoint_never_leaks_outside_the_scope(client, cast):
    _many_communities_and_units(cast)
    cast.login(client, "community2")
    _r, areas = _options(client, "areas", field="area", area_find="测试")
    _r, units = _options(client, "units", field="unit", unit_find="测试单位")
    assert not [value for value, _label in areas + units if value]
    _r, own = _options(client, "areas", field="area", area_find=cast.places.b1.name)
    assert [label for value, label in own if value] == [cast.places.b1.name]


def test_the_endpoint_wants_a_signed_in_user_but_for_public_pickers(client, cast):
    response = client.get(reverse("picker_options", args=["units"]), {"field": "unit", "unit_find": "烟草"})
    assert response.status_code == 302
    _r, communities = _options(client, "register-communities", field="community", community_find="龙津")
    assert [label for value, label in communities if value] == ["东城街道 · 龙津社区"]
    assert client.get(reverse("picker_options", args=["no-such-picker"])).status_code == 404
