"""Regressions from the privacy review: nothing on a page or in an export rebuilds a masked number,
an out-of-scope reveal is audited, and only community grants give the community's reveal right."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.models import AuditEvent, Outcome
from people.actions import can_reveal


def test_member_page_shows_only_the_birth_year_to_roles_that_cannot_reveal_the_id(client, cast):
    member = cast.m_member  # born 1980-02-02: the eight digits the mask hides
    assert not can_reveal(cast.grid, member, "id_number")
    html = (
        cast.login(client, "grid")
        .get(reverse("people:member_detail", args=[member.public_id]))
        .content.decode()
    )
    assert "1980-02-02" not in html and "19800202" not in html
    assert "1980" in html


def test_member_page_shows_the_birth_date_to_the_unit_admin(client, cast):
    html = cast.login(client, "unit").get(reverse("people:member_detail", args=[cast.m_member.public_id]))
    assert "1980-02-02" in html.content.decode()


def test_member_export_has_no_birth_date_beside_the_mask(client, cast):
    response = cast.login(client, "inspector").get(reverse("jobs:export_start", args=["members"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "Birth date" not in rows[0]
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert not re.search(r"\d{17}[\dX]", text)


def test_out_of_scope_reveal_is_audited_and_answers_like_missing(client, cast):
    cast.login(client, "community2")
    response = client.post(reverse("people:member_reveal", args=[cast.m_member.public_id, "phone"]))
    assert response.status_code == 404
    event = AuditEvent.objects.filter(action="privacy.reveal.phone").latest("id")
    assert event.outcome == Outcome.DENIED and event.detail["requested_id"] == str(cast.m_member.public_id)


def test_out_of_scope_api_reveal_is_audited(client, cast):
    cast.login(client, "community2")
    response = client.post(
        f"/api/v1/residents/{cast.r_a.public_id}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert response.status_code in (403, 404)  # 403 only if CSRF refuses the session POST first
    if response.status_code == 404:
        assert AuditEvent.objects.filter(action="privacy.reveal.phone", outcome=Outcome.DENIED).exists()


def test_a_street_grant_beside_a_community_grant_gives_no_reveal_right(cast):
    user = create_user(acting_user=None, username="dual", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.COMMUNITY, area=cast.places.a1)
    grant_role(acting_user=None, user=user, role=Role.STREET, area=cast.places.street_b)
    assert can_reveal(user, cast.m_member, "phone")  # lives in A1: the community's own
    assert not can_reveal(user, cast.m_b, "phone")  # lives in B1: only the street grant covers it
    assert not can_reveal(user, cast.r_b, "phone")
