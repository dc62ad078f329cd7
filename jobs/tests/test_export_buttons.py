"""Every exportable list has its button, and the audit log is exportable (issue 9)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from jobs.exports import all_specs

pytestmark = pytest.mark.django_db

# Each spec's list page (a URL name, and the place it is for where it takes one), and a user of the cast
# who reads it. A new spec fails the tests below until its page shows the button
# (templates/parts/export_button.html) and is named here.
LIST_PAGES = {
    "checkin_unreported": ("community", "checkin:area_reconciliation", "a1"),
    "members": ("community", "people:member_list"),
    "residents": ("community", "people:resident_list"),
    "units": ("street", "orgs:unit_list"),
    "party_orgs": ("street", "orgs:party_org_list"),
    "areas": ("street", "places:area_list"),  # one top area: the list opens it
    "grids": ("grid", "places:grid_list"),
    "compounds": ("community", "places:area_detail", "a1"),
    "buildings": ("community", "places:compound_detail", "compound_a1"),
    "party_org_posts": ("street", "orgs:party_org_detail", "org_a1"),
    "grid_workers": ("street", "places:grid_workers", "grid_a"),
    "unit_admins": ("street", "orgs:unit_admins", "unit_a"),
    "applicants": ("community", "people:applicant_list"),
    "commercial_buildings": ("community", "people:commercial_building_list"),
    "trade_unions": ("community", "people:trade_union_list"),
    "youth_league_orgs": ("community", "people:youth_league_org_list"),
    "member_transfers": ("community", "people:transfer_list"),
    "service_needs": ("community", "service:need_list"),
    "service_records": ("community", "service:record_list"),
    "service_posts": ("community", "service:post_list"),
    "household_pairings": ("community", "service:pairing_list"),
    "resources": ("unit", "service:resource_list"),
    "projects": ("unit", "service:project_list"),
    "cases": ("street", "cases:case_list"),
    "unit_service": ("unit", "service:unit_service"),
    "points_ledger": ("community", "points:ledger"),
    "points_rankings": ("community", "points:rankings"),
    "points_redemptions": ("community", "points:shop"),
    "audit_events": ("admin", "audit:event_list"),
    "golive_communities": ("orgdept", "golive:gap_communities"),
    "golive_admins": ("orgdept", "golive:gap_admins"),
    "golive_rosters": ("orgdept", "golive:gap_rosters"),
    "golive_activation": ("orgdept", "golive:gap_activation"),
    "service_menu": ("orgdept", "service:menu"),  # the city's own menu and rules (issue 10)
    "point_rules": ("orgdept", "points:rules"),
    "alliance_owed": ("street", "alliances:owed"),  # alliances desk (issue 14)
    "alliance_compliance": ("street", "alliances:compliance"),  # alliances desk (issue 14)
}


def test_every_spec_has_a_list_page():
    assert set(all_specs()) - set(LIST_PAGES) == set(), "a spec without a list page button: add both"


@pytest.mark.parametrize("name", sorted(all_specs()))
def test_every_spec_has_a_button_on_its_list_page(client, cast, name):
    who, page, *place = LIST_PAGES[name]
    spec = all_specs()[name]
    assert spec.allowed(getattr(cast, who))
    cast.login(client, who)
    args = [getattr(cast.places, place[0]).public_id] if place else []
    response = client.get(reverse(page, args=args), follow=True)
    assert response.status_code == 200
    assert f'href="{reverse("jobs:export_start", args=[name])}' in response.content.decode()


@pytest.mark.parametrize(("name", "page"), [("areas", "places:area_list"), ("grids", "places:grid_list")])
def test_the_button_works_for_the_places_lists(client, cast, name, page):
    cast.login(client, "street")
    response = client.get(reverse("jobs:export_start", args=[name]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) > 1
    assert AuditEvent.objects.filter(action=f"export.{name}", actor=cast.street).exists()


def test_party_org_button_keeps_the_filters(client, cast):
    cast.login(client, "street")
    page = client.get(reverse("orgs:party_org_list"), {"q": "龙津"}).content.decode()
    assert f'href="{reverse("jobs:export_start", args=["party_orgs"])}?q=%E9%BE%99%E6%B4%A5"' in page


def _sheet(response):
    return list(load_workbook(io.BytesIO(response.content)).active.values)


def test_the_audit_log_exports_as_its_page_shows_it_and_the_export_is_audited(client, cast):
    # a failed sign-in with a phone number: the log keeps it masked, and so does the sheet
    client.post(reverse("accounts:login"), {"username": "13912345678", "password": "wrong"})
    cast.login(client, "admin")
    page = client.get(reverse("audit:event_list"), {"action": "auth."}).content.decode()
    button = f'href="{reverse("jobs:export_start", args=["audit_events"])}?action=auth.'
    assert button in page
    response = client.get(reverse("jobs:export_start", args=["audit_events"]), {"action": "auth."})
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0] == ("When", "Who", "What", "Action code", "Target", "From", "Outcome")
    failed = AuditEvent.objects.filter(action__startswith="auth.").order_by("-at", "-id")
    assert [row[3] for row in rows[1:]] == [e.action for e in failed]  # filtered, newest first
    assert rows[-1][2] == "Signed in" and rows[-1][6] == "Failure"  # the action in words, as on the page
    assert any(row[1] == "139****5678" for row in rows[1:])
    assert "13912345678" not in str(rows)
    event = AuditEvent.objects.get(action="export.audit_events")
    assert event.actor == cast.admin and event.detail["rows"] == len(rows) - 1
    assert event.detail["filters"] == {"action": "auth."}


@pytest.mark.parametrize("who", ["orgdept", "street", "community", "unit"])
def test_only_who_reads_the_audit_log_exports_it(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("jobs:export_start", args=["audit_events"])).status_code == 403
    assert not AuditEvent.objects.filter(action="export.audit_events").exists()
