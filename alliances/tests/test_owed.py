"""What the alliance owes the residents is counted from the service loop (alliances/owed.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances import owed
from alliances.models import AgreementState, Commitment, CommitmentKind
from alliances.tests.desk_fixtures import desk_alliance
from service.models import ProjectState
from service.resources.actions import committed_quantity

pytestmark = pytest.mark.django_db


def lines_by_kind(found):
    return {line.commitment.kind: line for line in found.lines}


def test_each_kind_is_counted_from_the_service_loop(cast):
    a = desk_alliance(cast)
    found = owed.owed(cast.street, alliances=[a.alliance])
    lines = lines_by_kind(found)
    # hours: 180 + 120 confirmed minutes of unit A's members in street A within the period; the
    # unconfirmed, the one before the agreement, the one in street B and unit B's are left out
    assert lines["hours"].delivered == Decimal("5.0")
    assert lines["hours"].percent == 50
    assert lines["people"].delivered == 2
    assert lines["people"].percent == 100
    assert lines["project"].delivered == 1
    assert lines["project"].people_served == 40
    assert lines["venue"].delivered == committed_quantity(a.venue) == 3
    assert lines["venue"].percent == 50
    # funds without a resource: not counted, never 0
    assert lines["funds"].delivered is None
    assert lines["funds"].rate is None
    assert "not counted" in str(lines["funds"].how)


def test_rates_per_agreement_unit_and_alliance_are_the_mean_of_counted_lines(cast):
    a = desk_alliance(cast)
    found = owed.owed(cast.street, alliances=[a.alliance])
    assert found.by_agreement[a.agreement_a.pk].percent == 75  # (50 + 100 + 100 + 50) / 4
    assert found.by_unit[cast.places.unit_a.pk].percent == 75
    assert found.by_alliance[a.alliance.pk].percent == 75
    assert found.by_alliance[a.alliance.pk].not_counted == 1
    assert found.by_alliance[a.alliance.pk].delivered_lines == 2


def test_nothing_countable_gives_a_dash_with_the_reason(cast):
    a = desk_alliance(cast)
    Commitment.objects.filter(agreement=a.agreement_a).exclude(kind=CommitmentKind.FUNDS).delete()
    total = owed.owed(cast.street, alliances=[a.alliance]).total
    assert total.rate is None and total.percent is None
    assert "link the commitments" in str(total.no_rate_reason)
    assert "no commitment" in str(owed.Total().no_rate_reason)


def test_a_running_project_delivers_nothing_yet_and_a_withdrawn_resource_nothing(cast):
    a = desk_alliance(cast)
    a.project.state = ProjectState.IN_PROGRESS
    a.project.save()
    a.venue.commitments.all().delete()
    lines = lines_by_kind(owed.owed(cast.street, alliances=[a.alliance]))
    assert lines["project"].delivered == 0
    assert lines["venue"].delivered == 5  # offered on the resource list
    a.venue.withdrawn_at = timezone.now()
    a.venue.save()
    assert lines_by_kind(owed.owed(cast.street, alliances=[a.alliance]))["venue"].delivered == 0


def test_only_agreements_in_force_owe(cast):
    a = desk_alliance(cast)
    today = timezone.localdate()
    a.agreement_a.ends_on = today - timedelta(days=1)
    a.agreement_a.save()
    assert owed.owed(cast.street, alliances=[a.alliance]).lines == []
    a.agreement_a.ends_on = today + timedelta(days=10)
    a.agreement_a.state = AgreementState.DRAFT
    a.agreement_a.save()
    assert owed.owed(cast.street, alliances=[a.alliance]).lines == []


def test_a_unit_sees_its_own_commitments_and_another_street_nothing(cast):
    a = desk_alliance(cast)
    Commitment.objects.create(
        agreement=a.agreement_dept, kind=CommitmentKind.HOURS, description="x", quantity=4
    )
    assert {line.commitment.agreement_id for line in owed.owed(cast.unit).lines} == {a.agreement_a.pk}
    assert len(owed.owed(cast.street).lines) == 6
    assert owed.owed(cast.street2).lines == []
    assert owed.owed(cast.unit2).lines == []


def test_counting_costs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    for n in range(5):
        Commitment.objects.create(
            agreement=a.agreement_dept, kind=CommitmentKind.HOURS, description=f"{n}", quantity=1
        )
    with django_assert_max_num_queries(4):
        found = owed.owed(cast.street)
    assert len(found.lines) == 10


def test_the_owed_page_shows_each_unit_and_line(client, cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    cast.login(client, "street")
    url = f"{reverse('alliances:owed')}?alliance={a.alliance.public_id}"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-commitment="{a.c_funds.public_id}"' in body
    assert "75%" in body
    assert reverse("jobs:export_start", args=["alliance_owed"]) in body


def test_the_owed_page_of_an_alliance_of_another_street_is_missing(client, cast):
    a = desk_alliance(cast)
    cast.login(client, "street2")
    assert client.get(f"{reverse('alliances:owed')}?alliance={a.alliance.public_id}").status_code == 404
    assert client.get(f"{reverse('alliances:owed')}?alliance=not-a-uuid").status_code == 404


def test_the_owed_page_without_commitments_says_what_to_do(client, cast):
    cast.login(client, "street")
    body = client.get(reverse("alliances:owed")).content.decode()
    assert 'data-empty="owed"' in body
