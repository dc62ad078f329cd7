"""On the demo city, every account's to-do items open pages it may open, and one figure has one value: the home, the area page, the reconciliation page, whom
to chase (page, export and API) and the figure registry agree for every community and street secretary
and the organisation department (issue 9: "114 / 61 / 62")."""

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.urls import reverse

from accounts.models import Role, RoleGrant
from accounts.second_factor_actions import sign_in_verified
from checkin.reconciliation import Period, rates_by_area
from demo.tests.test_service_demo import DEMO_OPTIONS  # noqa: F401 (the same city, built once)
from jobs.exports import get_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(demo_city):
    return demo_city


def test_home_area_reconciliation_and_chase_agree(city, client):
    from accounts.actions import issue_api_token

    grants = RoleGrant.objects.filter(role__in=(Role.COMMUNITY, Role.STREET, Role.ORG_DEPT)).select_related(
        "user", "area"
    )
    assert {g.role for g in grants} == {Role.COMMUNITY, Role.STREET, Role.ORG_DEPT}
    checked = 0
    for grant in grants:
        user, area = grant.user, grant.area
        expected = rates_by_area([area], Period.of("month"))[area.pk]
        sign_in_verified(client, user)

        (held,) = [a for a in client.get(reverse("portal:home")).context["areas"] if a["area"] == area]
        home = {f.key: f.value for f in held["figures"]}
        page = client.get(reverse("places:area_detail", args=[area.public_id])).context
        recon = client.get(reverse("checkin:area_reconciliation", args=[area.public_id])).context
        rows = get_spec("checkin_unreported").filtered(user, QueryDict(f"area={area.public_id}")).count()
        token = issue_api_token(acting_user=user)
        api = client.get(
            "/api/v1/reconciliation/unreported",
            {"area": str(area.public_id)},
            headers={"Authorization": f"Bearer {token}"},
        ).json()

        assert (
            home["in_service"] == page["own"].in_service == recon["summary"].rate.members == expected.members
        )
        assert home["reported"] == recon["summary"].rate.reported == expected.reported
        # whom to chase: what the viewer may open of the not-reported (the rest is said on the page)
        assert recon["chase_total"] == rows == api["count"]
        assert rows + recon["chase_unseen"] == home["not_reported"] == expected.members - expected.reported
        checked += 1
    assert checked >= 3

    # every demo account's home starts with work that opens a page it may open
    accounts = ("orgdept", "street", "community", "unit", "member", "grid", "resident", "dept", "inspector")
    with_work = set()
    for username in accounts:
        sign_in_verified(client, get_user_model().objects.get(username=username))
        home = client.get(reverse("portal:home"))
        assert home.status_code == 200
        for item in home.context["work"]:
            assert item.count > 0
            assert client.get(item.url).status_code == 200, (username, item.key, item.url)
            with_work.add(username)
    assert {"orgdept", "street", "community", "unit", "member", "resident"} <= with_work
