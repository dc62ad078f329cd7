"""The readiness page: what is missing before go-live, each count opening its list, in the user's
scope; and the to-do item while anything is missing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.actions import grant_role
from accounts.models import Role
from golive.readiness import GAPS, missing_total, readiness
from people.models import Member


def counts(user) -> dict[str, int]:
    return {gap.key: n for gap, n in readiness(user)}


def test_the_cast_city_counts(cast):
    # A2 and B1 have no party organisation; both units have admins and members; 4 of 5 members no account
    assert counts(cast.admin) == {"communities": 2, "admins": 0, "rosters": 0, "activation": 4}
    assert counts(cast.orgdept) == counts(cast.admin)
    assert missing_total(cast.admin) == missing_total(cast.orgdept) == 6


def test_counts_move_when_the_gap_is_filled(cast):
    from orgs.actions import create_unit

    unit = create_unit(
        acting_user=cast.admin, name="新单位", kind="private_firm", address_area=cast.places.a2
    )
    assert counts(cast.admin)["admins"] == 1 and counts(cast.admin)["rosters"] == 1
    grant_role(acting_user=cast.admin, user=cast.nobody, role=Role.UNIT_ADMIN, unit=unit)
    assert counts(cast.admin)["admins"] == 0
    Member.objects.filter(pk=cast.m_a2.pk).update(user=cast.nobody)
    assert counts(cast.admin)["activation"] == 3


@pytest.mark.parametrize("key", sorted(GAPS))
def test_each_count_links_to_its_list(cast, client, key, django_assert_max_num_queries):
    cast.login(client, "orgdept")
    page = client.get(reverse("golive:readiness")).content.decode()
    url = reverse(f"golive:gap_{key}")
    assert f'href="{url}"' in page
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == counts(cast.orgdept)[key]
    assert f'href="{reverse("jobs:export_start", args=[f"golive_{key}"])}' in response.content.decode()


def test_the_communities_list_names_them(cast, client):
    cast.login(client, "admin")
    text = client.get(reverse("golive:gap_communities")).content.decode()
    assert "中山社区" in text and "西安社区" in text and "龙津社区" not in text


@pytest.mark.parametrize("who", ["street", "community", "unit", "member", "nobody"])
def test_other_roles_are_refused(cast, client, who):
    cast.login(client, who)
    assert client.get(reverse("golive:readiness")).status_code == 403
    assert client.get(reverse("golive:gap_activation")).status_code == 403


def test_a_to_do_item_on_the_home_while_something_is_missing(cast, client):
    from accounts.scope import scope_for
    from gongjian.work import items_for

    for who in ("admin", "orgdept"):
        user = getattr(cast, who)
        found = [i for i in items_for(user, scope_for(user)) if i.key == "golive.readiness"]
        assert found and found[0].count == 6 and found[0].url == reverse("golive:readiness")
    assert not [i for i in items_for(cast.street, scope_for(cast.street)) if i.key == "golive.readiness"]
