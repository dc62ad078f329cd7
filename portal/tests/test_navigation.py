"""Navigation shows each role its own pages, and work pages only to those who hold the role."""

import pytest
from django.urls import reverse


def nav_urls(client, cast, who):
    response = cast.login(client, who).get(reverse("portal:home"))
    return {item["url"] for item in response.context["nav_items"]}


@pytest.mark.parametrize(
    ("who", "present", "absent"),
    [
        ("member", ["checkin:my_checkin"], ["checkin:unit_page", "people:member_list", "audit:event_list"]),
        (
            "unit",
            ["checkin:unit_page", "jobs:import_members", "checkin:reconciliation"],
            ["checkin:my_checkin"],
        ),
        ("community", ["checkin:community_page", "places:area_list"], ["jobs:import_members"]),
        (
            "admin",
            ["audit:event_list", "people:member_list"],
            ["checkin:my_checkin", "checkin:community_page"],
        ),
        ("resident", [], ["people:member_list", "checkin:reconciliation"]),
    ],
)
def test_navigation_by_role(client, cast, who, present, absent):
    urls = nav_urls(client, cast, who)
    assert {reverse(name) for name in present} <= urls
    assert not {reverse(name) for name in absent} & urls
