"""Sensitive numbers through the API: masked everywhere, revealed only through the audited action."""

import pytest

from audit.models import AuditEvent, Outcome
from gongjian.privacy import decrypt

MEMBER_PHONE = "13800000001"
RESIDENT_PHONE = "13900001111"


def full_numbers(cast) -> list[str]:
    """Every full number of the cast, decrypted here only to search the responses for them."""
    people = [cast.m_member, cast.m_a2, cast.m_b, cast.m_b_home_a, cast.m_retired, cast.r_a, cast.r_b]
    numbers = [decrypt(p.phone_cipher) for p in people]
    numbers += [decrypt(p.id_number_cipher) for p in people if p.id_number_cipher]
    return numbers


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "orgdept",
        "street",
        "community",
        "unit",
        "inspector",
        "grid",
        "member",
        "resident",
        "street2",
        "unit2",
    ],
)
def test_no_full_number_in_any_read(cast, api_get, registries, who):
    assert MEMBER_PHONE in full_numbers(cast)
    paths = [
        "members",
        f"members/{cast.m_member.public_id}",
        f"members/{cast.m_b.public_id}",
        "residents",
        f"residents/{cast.r_a.public_id}",
        "applicants",
        f"applicants/{registries.applicant_a.public_id}",
        "me",
    ]
    numbers = full_numbers(cast) + ["13700000001", "13700000002"]
    for path in paths:
        text = api_get(who, path).content.decode()
        for number in numbers:
            assert number not in text, (who, path)
            assert number[-8:] not in text, (who, path)  # nor the hidden middle with the tail


def test_masks_are_shown(cast, api_get):
    member = api_get("street", f"members/{cast.m_member.public_id}").json()
    assert member["phone_masked"] == "138****0001"
    assert (
        member["id_number_masked"]
        == decrypt(cast.m_member.id_number_cipher)[:6]
        + "********"
        + decrypt(cast.m_member.id_number_cipher)[-4:]
    )
    resident = api_get("street", f"residents/{cast.r_a.public_id}").json()
    assert resident["phone_masked"] == "139****1111"


def test_unit_admin_reveals_their_members_phone_and_it_is_audited(cast, api_post):
    response = api_post("unit", f"members/{cast.m_member.public_id}/reveal", {"field": "phone"})
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": MEMBER_PHONE}
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="privacy.reveal.phone")
    assert event.actor == cast.unit and event.outcome == Outcome.SUCCESS
    assert event.target_id == str(cast.m_member.public_id)


def test_unit_admin_reveals_id_number(cast, api_post):
    response = api_post("unit", f"members/{cast.m_member.public_id}/reveal", {"field": "id_number"})
    assert response.status_code == 200
    assert response.json()["value"] == decrypt(cast.m_member.id_number_cipher)
    assert AuditEvent.objects.filter(action="privacy.reveal.id_number", outcome=Outcome.SUCCESS).count() == 1


def test_member_reveals_own_number(cast, api_post):
    response = api_post("member", f"members/{cast.m_member.public_id}/reveal", {"field": "phone"})
    assert response.status_code == 200 and response.json()["value"] == MEMBER_PHONE


def test_refused_reveal_is_403_json_and_audited_as_denied(cast, api_post):
    response = api_post("street", f"members/{cast.m_member.public_id}/reveal", {"field": "id_number"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not see this number in full."}
    assert MEMBER_PHONE not in response.content.decode()
    event = AuditEvent.objects.get(action="privacy.reveal.id_number")
    assert event.outcome == Outcome.DENIED and event.actor == cast.street


def test_reveal_outside_scope_is_404_and_wrong_role_403(cast, api_post):
    assert (
        api_post("street2", f"members/{cast.m_member.public_id}/reveal", {"field": "phone"}).status_code
        == 404
    )
    assert (
        api_post("resident", f"members/{cast.m_member.public_id}/reveal", {"field": "phone"}).status_code
        == 403
    )
    # the out-of-scope attempt is audited (with the id asked for); the wrong role never got that far
    (event,) = AuditEvent.objects.filter(action__startswith="privacy.reveal")
    assert event.outcome == Outcome.DENIED and event.detail["requested_id"] == str(cast.m_member.public_id)


def test_reveal_unknown_field_is_422(cast, api_post):
    response = api_post("unit", f"members/{cast.m_member.public_id}/reveal", {"field": "password"})
    assert response.status_code == 422


def test_grid_worker_reveals_a_residents_phone(cast, api_post):
    response = api_post("grid", f"residents/{cast.r_a.public_id}/reveal", {"field": "phone"})
    assert response.status_code == 200 and response.json()["value"] == RESIDENT_PHONE
    assert AuditEvent.objects.filter(
        action="privacy.reveal.phone", actor=cast.grid, outcome=Outcome.SUCCESS
    ).exists()
    assert api_post("grid2", f"residents/{cast.r_a.public_id}/reveal", {"field": "phone"}).status_code == 404
