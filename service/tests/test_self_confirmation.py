"""A member cannot confirm their own service with the code they were shown, on any path.

The attack: log a service through the API (the answer carries the one-time code), then open the public
confirmation page, which needs no account, and confirm with that code: 5 stars and the points booked.
``service.records.actions.refuse_logger`` refuses it in the confirmation action itself, whichever path
calls it, for the member's account, the browser session the record was logged from, and the network
address it was logged from; the person served, from their own phone, still confirms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actions import issue_api_token
from points.actions import balance_of
from points.models import PointEntry
from service.models import RecordState, ServiceCategory, ServiceRecord
from service.records import codes

pytestmark = pytest.mark.django_db

MEMBER_ADDRESS = "10.0.0.5"
BENEFICIARY_ADDRESS = "172.16.4.20"
REFUSED = "cannot confirm it from the browser or the network the service was logged from"


def _log_through_the_api(cast, client: Client, address: str = MEMBER_ADDRESS) -> tuple[ServiceRecord, str]:
    """The member logs a service with an API token, as an app would; the answer carries the code."""
    token = issue_api_token(acting_user=cast.member)
    response = client.post(
        "/api/v1/service-records",
        {
            "category": str(ServiceCategory.objects.get(code="elderly_care", city__isnull=True).public_id),
            "started_at": (timezone.now() - timedelta(hours=3)).isoformat(),
            "minutes": 60,
            "description": "陪老人聊天",
            "community": str(cast.places.a1.public_id),
            "beneficiary_name": "孙大妈",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 201, response.json()
    code = response.json()["confirmation_code"]
    record = ServiceRecord.objects.get(public_id=response.json()["id"])
    assert code == codes.confirmation_code(record)
    return record, code


def _confirm_on_the_page(client: Client, record: ServiceRecord, code: str, address: str):
    return client.post(
        reverse("service:confirm_by_code", args=[record.public_id]),
        {"code": code, "score": "5", "comment": "很好"},
        REMOTE_ADDR=address,
    )


def _nothing_booked(cast, record: ServiceRecord) -> None:
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED
    assert not PointEntry.objects.filter(record=record).exists()
    assert balance_of(cast.m_member) == 0
    assert not hasattr(record, "rating") or record.rating is None


def test_the_api_code_does_not_confirm_on_the_public_page_in_the_same_session(cast):
    """The same browser (its session), now signed out, from another network: refused by the session."""
    client = Client()
    client.session.save()  # an anonymous session, as a browser has once it has visited the site
    record, code = _log_through_the_api(cast, client)
    assert record.logged_session and record.logged_address

    response = _confirm_on_the_page(client, record, code, address=BENEFICIARY_ADDRESS)
    assert response.status_code == 403
    assert REFUSED in response.content.decode()
    _nothing_booked(cast, record)


def test_nor_from_the_same_address_with_a_fresh_session(cast):
    record, code = _log_through_the_api(cast, Client())
    stranger = Client()  # a private window, another browser on the same network
    page = stranger.get(
        reverse("service:confirm_by_code", args=[record.public_id]), REMOTE_ADDR=MEMBER_ADDRESS
    )
    assert page.status_code == 403 and REFUSED in page.content.decode()
    assert 'id="code-form"' not in page.content.decode()
    response = _confirm_on_the_page(stranger, record, code, address=MEMBER_ADDRESS)
    assert response.status_code == 403 and REFUSED in response.content.decode()
    _nothing_booked(cast, record)


def test_nor_in_the_members_own_account_anywhere(cast):
    record, code = _log_through_the_api(cast, Client())
    signed_in = cast.login(Client(), "member")
    response = _confirm_on_the_page(signed_in, record, code, address=BENEFICIARY_ADDRESS)
    assert response.status_code == 403
    assert "You cannot confirm your own service record." in response.content.decode()
    token = issue_api_token(acting_user=cast.member)
    api = Client().post(
        f"/api/v1/service-records/{record.public_id}/confirm",
        {"code": code},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR=BENEFICIARY_ADDRESS,
    )
    assert api.status_code == 403 and api.json() == {"detail": "You cannot confirm your own service record."}
    _nothing_booked(cast, record)


def test_the_api_refuses_the_code_from_the_members_address_too(cast):
    """Another account (here the member's unit admin) typing the code from where it was logged."""
    record, code = _log_through_the_api(cast, Client())
    token = issue_api_token(acting_user=cast.unit)
    response = Client().post(
        f"/api/v1/service-records/{record.public_id}/confirm",
        {"code": code},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR=MEMBER_ADDRESS,
    )
    assert response.status_code == 403 and REFUSED in response.json()["detail"]
    _nothing_booked(cast, record)


def test_the_person_served_confirms_from_their_own_phone(cast):
    member_phone = Client()
    member_phone.session.save()
    record, code = _log_through_the_api(cast, member_phone)
    beneficiary_phone = Client()
    response = _confirm_on_the_page(beneficiary_phone, record, code, address=BENEFICIARY_ADDRESS)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == "code"
    assert record.rating.score == 5
    assert balance_of(cast.m_member) == 10


def test_where_it_was_logged_is_kept_as_hashes_only(cast):
    client = Client()
    client.session.save()
    record, _code = _log_through_the_api(cast, client)
    assert MEMBER_ADDRESS not in record.logged_address and len(record.logged_address) == 64
    assert client.session.session_key not in record.logged_session and len(record.logged_session) == 64
