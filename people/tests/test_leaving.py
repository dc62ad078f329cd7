"""A member leaves (off the roster, transferred out, died): the record says so, the account's member role
ends (its other roles stay), the audit log names who did it; from the member's page and the API, for the
unit or the party organisation's area only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.actions import grant_role
from accounts.activation import start_activation
from accounts.models import Role
from accounts.scope import scope_for
from audit.models import AuditEvent
from people.leaving import end_membership
from people.models import LeavingReason


def test_the_unit_ends_a_membership(cast):
    grant_role(acting_user=None, user=cast.member, role=Role.RESIDENT)  # the account keeps other roles
    end_membership(acting_user=cast.unit, member=cast.m_member, reason=LeavingReason.TRANSFERRED)
    cast.m_member.refresh_from_db()
    assert cast.m_member.left_on is not None and cast.m_member.left_reason == "transferred"
    cast.member.refresh_from_db()
    assert scope_for(cast.member).roles == {Role.RESIDENT}
    event = AuditEvent.objects.get(action="member.end")
    assert event.actor == cast.unit and event.detail["reason"] == "transferred"
    assert AuditEvent.objects.filter(action="role.revoke", actor=cast.unit).exists()
    with pytest.raises(ValidationError, match="ended already"):
        end_membership(acting_user=cast.unit, member=cast.m_member, reason=LeavingReason.DIED)


def test_the_party_organisations_area_ends_a_membership(cast):
    # 钱七 belongs to 龙津社区党委 (area A1): its community may; 张三丰's is unit A's branch: it may not
    end_membership(acting_user=cast.community, member=cast.m_retired, reason=LeavingReason.DIED)
    with pytest.raises(PermissionDenied):
        end_membership(acting_user=cast.community, member=cast.m_member, reason=LeavingReason.DIED)
    with pytest.raises(PermissionDenied):
        end_membership(acting_user=cast.unit2, member=cast.m_member, reason=LeavingReason.DIED)


def test_a_member_who_left_cannot_activate(cast):
    end_membership(acting_user=cast.unit, member=cast.m_a2, reason=LeavingReason.LEFT_ROSTER)
    with pytest.raises(ValidationError, match="on no roster"):
        start_activation(acting_user=None, phone="13800000002")


def test_the_member_page_button(client, cast):
    url = reverse("people:member_detail", args=[cast.m_member.public_id])
    assert b"data-end-membership" in cast.login(client, "unit").get(url).content
    assert b"data-end-membership" not in cast.login(client, "community").get(url).content
    end = reverse("people:member_end", args=[cast.m_member.public_id])
    assert cast.login(client, "unit2").post(end, {"reason": "died"}).status_code == 404  # outsider
    assert cast.login(client, "grid").post(end, {"reason": "died"}).status_code == 403  # wrong role
    response = cast.login(client, "unit").post(end, {"reason": "died"}, follow=True)
    assert b"data-left" in response.content
    cast.m_member.refresh_from_db()
    assert cast.m_member.left_reason == "died"


def test_the_api(client, cast, bearer):
    path = f"/api/v1/members/{cast.m_member.public_id}/end-membership"

    def post(who, data):
        return client.post(path, data, content_type="application/json", headers=bearer(who))

    assert post("unit2", {"reason": "died"}).status_code == 404
    assert post("grid", {"reason": "died"}).status_code == 403
    assert post("unit", {"reason": "left_roster", "on": "2999-01-01"}).status_code == 422
    answer = post("unit", {"reason": "left_roster"})
    assert answer.status_code == 200 and answer.json()["left_reason"] == "left_roster"
