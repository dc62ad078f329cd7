"""Which communities a unit reaches (dispatch, pairings, resources, projects) and which it serves (open needs
it sees and takes unasked), and the case of the issue: a need dispatched to a unit in a community of its
street it does not serve, which its admin must still be able to answer and serve."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access import (
    communities_reached_by,
    held_units,
    holds_unit,
    require_unit_reaches,
    sees_beneficiary,
    served_community_ids,
    unit_reaches,
    unit_serves,
)
from accounts.actions import issue_api_token
from accounts.scope import scope_for
from checkin.models import UnitPairing
from places.models import Area, AreaLevel
from service.models import AssignmentState, Need, NeedState, ServiceCategory
from service.needs import actions

pytestmark = pytest.mark.django_db


def _pair(unit, community, *, days_ago=30, ended_on=None):
    return UnitPairing.objects.create(
        unit=unit,
        community=community,
        started_on=timezone.localdate() - timedelta(days=days_ago),
        ended_on=ended_on,
    )


def _need_in_a2(cast) -> Need:
    return actions.post_need(
        acting_user=cast.street,
        title="中山社区独居老人助浴",
        category=ServiceCategory.objects.get(code="elderly_care", city__isnull=True),
        community=cast.places.a2,
        beneficiary_name="钱奶奶",
        beneficiary_address="中山路8号",
    )


def test_a_unit_reaches_its_streets_communities_and_serves_where_it_sits(cast):
    p = cast.places
    assert set(communities_reached_by(p.unit_a)) == {p.a1, p.a2}
    assert [unit_reaches(p.unit_a, c) for c in (p.a1, p.a2, p.b1)] == [True, True, False]
    assert [unit_serves(p.unit_a, c) for c in (p.a1, p.a2, p.b1)] == [True, False, False]
    with pytest.raises(ValidationError, match="works with communities of its street or paired with it"):
        require_unit_reaches(p.unit_a, p.b1)


def test_a_pairing_in_force_adds_its_community_to_both(cast):
    p = cast.places
    _pair(p.unit_a, p.b1, ended_on=timezone.localdate() - timedelta(days=1))  # over
    _pair(p.unit_a, p.b1, days_ago=-3)  # not begun
    assert not unit_reaches(p.unit_a, p.b1) and not unit_serves(p.unit_a, p.b1)
    _pair(p.unit_a, p.b1)
    assert unit_reaches(p.unit_a, p.b1) and unit_serves(p.unit_a, p.b1)
    assert p.b1.pk in served_community_ids(scope_for(cast.unit))


def test_every_community_a_unit_serves_it_reaches(cast):
    p = cast.places
    _pair(p.unit_b, p.a2)
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    for unit in (p.unit_a, p.unit_b, p.dept_a):
        for community in communities:
            assert not unit_serves(unit, community) or unit_reaches(unit, community), (unit, community)


def test_a_department_at_street_level_reaches_the_streets_communities_and_serves_none(cast):
    p = cast.places
    assert set(communities_reached_by(p.dept_a)) == {p.a1, p.a2}
    assert not any(unit_serves(p.dept_a, c) for c in (p.a1, p.a2, p.b1))


def test_units_taken_for_are_those_held_by_a_grant(cast):
    assert list(held_units(cast.unit)) == [cast.places.unit_a]
    assert holds_unit(cast.unit, cast.places.unit_a) and not holds_unit(cast.unit, cast.places.unit_b)
    assert not held_units(cast.admin).exists() and not holds_unit(cast.admin, cast.places.unit_a)


# --- the issue's case -------------------------------------------------------------------------------


def test_a_unit_admin_cannot_take_an_open_need_where_the_unit_does_not_serve(cast):
    need = _need_in_a2(cast)
    assert not Need.objects.visible_to(cast.unit).filter(pk=need.pk).exists()
    with pytest.raises(PermissionDenied, match="is neither in nor paired with 中山社区"):
        actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_a)


def test_dispatched_where_it_could_not_take_the_unit_admin_answers_and_serves(cast):
    """Unit A sits in A1; the street dispatches it a need of A2 (its street, not where it sits). Its admin
    could not have taken that need, yet sees it and whom it is for, accepts it and reports it served."""
    need = _need_in_a2(cast)
    offer = actions.dispatch_need(acting_user=cast.street, need=need, unit=cast.places.unit_a)
    assert Need.objects.visible_to(cast.unit).filter(pk=need.pk).exists()
    assert sees_beneficiary(cast.unit, need)

    page = cast.login(Client(), "unit").get(reverse("service:need_detail", args=[need.public_id]))
    html = page.content.decode()
    assert page.status_code == 200 and "钱奶奶" in html
    assert reverse("service:assignment_accept", args=[offer.public_id]) in html
    assert reverse("service:assignment_decline", args=[offer.public_id]) in html

    token = issue_api_token(acting_user=cast.unit)
    accepted = Client().post(
        f"/api/v1/assignments/{offer.public_id}/accept", headers={"Authorization": f"Bearer {token}"}
    )
    assert accepted.status_code == 200, accepted.json()
    offer.refresh_from_db()
    assert offer.state == AssignmentState.ACCEPTED

    page = cast.login(Client(), "unit").get(reverse("service:need_detail", args=[need.public_id]))
    assert reverse("service:need_complete", args=[need.public_id]) in page.content.decode()
    actions.complete_need(acting_user=cast.unit, need=need, note="已上门助浴")
    need.refresh_from_db()
    assert need.state == NeedState.DONE
    assert sees_beneficiary(cast.unit, need)  # whoever served still knows whom


def test_dispatched_where_it_could_not_take_the_unit_admin_may_decline(cast):
    need = _need_in_a2(cast)
    offer = actions.dispatch_need(acting_user=cast.street, need=need, unit=cast.places.unit_a)
    response = cast.login(Client(), "unit").post(
        reverse("service:assignment_decline", args=[offer.public_id]), {"reason": "人手不足"}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    need.refresh_from_db()
    assert offer.state == AssignmentState.DECLINED and need.state == NeedState.OPEN
    assert not sees_beneficiary(cast.unit, need)
