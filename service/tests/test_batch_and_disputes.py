"""Batch confirmation of service records from the records list (each its own audited action, a refusal
in the middle reported and the others confirmed), and disputes: the person served says a service did
not happen, from their account or with the member's code, and the record goes to the community's
review without points."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actions import issue_api_token
from audit.models import AuditEvent
from gongjian.testing import item, refusals
from notifications.models import Notification
from points.models import PointEntry
from service.models import Flag, Rating, RecordState, ServiceRecord, ServiceRecordEvent
from service.records import actions as record_actions
from service.records import codes, disputes

pytestmark = pytest.mark.django_db

refused = refusals((ServiceRecord, ServiceRecordEvent, Rating, PointEntry, AuditEvent, Notification))
BENEFICIARY_ADDRESS = "172.16.4.20"
MEMBER_ADDRESS = "10.0.0.5"
QUERIES = 11  # as service/tests/test_workbench_views.py pins it without disputes


def at(days_ago: int, hour: int = 9):
    day = timezone.localtime() - timedelta(days=days_ago)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def log(cast, days_ago: int, **kwargs) -> ServiceRecord:
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=at(days_ago),
        minutes=60,
        description="陪老人聊天",
        community=cast.places.a1,
        **kwargs,
    )


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def confirmed_rows(record) -> tuple[int, int, int]:
    """(audit rows, confirm events, point entries) of this record."""
    return (
        AuditEvent.objects.filter(action="service.record_confirmed", target_id=str(record.public_id)).count(),
        ServiceRecordEvent.objects.filter(record=record, action="confirm").count(),
        PointEntry.objects.filter(record=record).count(),
    )


# --- batch confirmation ---------------------------------------------------------------------------------


@pytest.fixture
def three(cast):
    """Three records of the member in 龙津社区, waiting for confirmation."""
    return log(cast, 3), log(cast, 4), log(cast, 5)


def test_the_community_confirms_the_ticked_records_and_hears_of_the_refusal(client, cast, three):
    first, middle, last = three
    assert middle.state == RecordState.SUBMITTED
    record_actions.reject_service_record(acting_user=cast.community, record=middle, reason="没有这回事")
    cast.login(client, "community")
    list_url = reverse("service:record_list") + "?state=pending"
    response = client.post(
        reverse("service:record_confirm_batch"),
        {"records": [str(r.public_id) for r in (first, middle, last)], "next": list_url},
    )
    assert response.status_code == 302 and response["Location"] == list_url
    for record in (first, last):
        record.refresh_from_db()
        assert record.state == RecordState.CONFIRMED
        assert confirmed_rows(record) == (1, 1, 1)  # its own audit row, event and points
    middle.refresh_from_db()
    assert middle.state == RecordState.REJECTED and confirmed_rows(middle) == (0, 0, 0)
    [message] = flashed(response)
    day = timezone.localtime(middle.started_at).strftime("%m-%d")
    assert (
        message == f"2 confirmed, 1 refused: 张三丰 {day}: This record was rejected; it cannot be confirmed."
    )


def test_a_flagged_record_in_the_batch_needs_the_note(client, cast):
    plain = log(cast, 3)
    log(cast, 4)
    flagged = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=at(4) + timedelta(minutes=30),
        minutes=30,
        description="重叠",
        community=cast.places.a1,
    )
    assert flagged.state == RecordState.FLAGGED
    cast.login(client, "community")
    ids = [str(plain.public_id), str(flagged.public_id)]
    response = client.post(reverse("service:record_confirm_batch"), {"records": ids})
    assert "1 confirmed, 1 refused" in flashed(response)[0]
    assert "Say what you checked before confirming a flagged record." in flashed(response)[0]
    flagged.refresh_from_db()
    assert flagged.state == RecordState.FLAGGED
    response = client.post(reverse("service:record_confirm_batch"), {"records": ids, "note": "电话核实"})
    assert "1 confirmed, 1 refused" in flashed(response)[0]  # the first is already confirmed now
    flagged.refresh_from_db()
    assert flagged.state == RecordState.CONFIRMED and confirmed_rows(flagged) == (1, 1, 1)


def test_another_communitys_staff_confirms_nothing_of_ours(client, cast, three):
    first, _middle, _last = three
    response = cast.login(client, "community2").post(
        reverse("service:record_confirm_batch"), {"records": [str(first.public_id)]}
    )
    assert flashed(response) == [f"0 confirmed, 1 refused: {first.public_id}: Not found."]
    first.refresh_from_db()
    assert first.state == RecordState.SUBMITTED and confirmed_rows(first) == (0, 0, 0)


@pytest.mark.parametrize("who", ["unit", "member", "resident", "orgdept"])
def test_other_roles_cannot_batch_confirm(client, cast, who):
    record = log(cast, 3)
    response = cast.login(client, who).post(
        reverse("service:record_confirm_batch"), {"records": [str(record.public_id)]}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_the_list_offers_ticks_on_waiting_records_to_the_community_only(client, cast, three):
    first, _middle, _last = three
    record_actions.confirm_as_organiser(acting_user=cast.community, record=first)
    page = cast.login(client, "community").get(reverse("service:record_list")).content.decode()
    assert 'data-gj-all="records"' in page
    assert page.count('name="records"') == 2  # the two waiting, not the confirmed nor the rejected
    assert (
        'name="records"'
        not in cast.login(client, "unit").get(reverse("service:record_list")).content.decode()
    )


def test_the_list_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    """The disputes' reasons are read in the list's own query: disputes cost no more queries."""
    for days in range(1, 7):
        log(cast, days, beneficiary_name=f"居民{days}")
    for days in (8, 9):
        disputed = log(cast, days, beneficiary_resident=cast.r_a)
        disputes.dispute_as_beneficiary(acting_user=cast.resident, record=disputed, reason=f"没来{days}")
    cast.login(client, "community")
    with django_assert_max_num_queries(QUERIES):
        page = client.get(reverse("service:record_list"))
    assert page.status_code == 200 and "没来8" in page.content.decode() and "没来9" in page.content.decode()


# --- disputes from the account ---------------------------------------------------------------------------


def test_the_person_served_disputes_in_their_account(client, cast):
    record = log(cast, 2, beneficiary_resident=cast.r_a)
    response = cast.login(client, "resident").post(
        reverse("service:record_dispute", args=[record.public_id]), {"dispute-reason": "那天我不在家"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED and Flag.DISPUTED in record.flags
    event = record.events.get(action="dispute")
    assert (event.from_state, event.to_state, event.reason, event.actor) == (
        "submitted",
        "flagged",
        "那天我不在家",
        cast.resident,
    )
    audit = AuditEvent.objects.get(action="service.record_disputed", target_id=str(record.public_id))
    assert audit.actor == cast.resident and audit.detail == {"via": "beneficiary", "reason": "那天我不在家"}
    told = Notification.objects.get(recipient=cast.member, kind="service.record_disputed")
    assert "那天我不在家" in told.title
    assert Notification.objects.filter(recipient=cast.community, kind="service.record_flagged").exists()
    assert not PointEntry.objects.filter(record=record).exists()
    # it waits in the community's review queue, with the reason
    review = cast.login(client, "community").get(reverse("service:record_list") + "?state=flagged")
    assert str(record.public_id) in review.content.decode() and "那天我不在家" in review.content.decode()
    detail = client.get(reverse("service:record_detail", args=[record.public_id])).content.decode()
    assert "data-dispute-reason" in detail and "那天我不在家" in detail
    # no confirmation but the community's, after checking: then the points
    with refused(ValidationError, "held for the community's review", record):
        record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    with refused(ValidationError, "held for the community's review", record):
        record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record))
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record, note="电话核实，确有其事")
    assert PointEntry.objects.filter(record=record).count() == 1


def test_a_dispute_needs_a_short_reason(client, cast):
    record = log(cast, 2, beneficiary_resident=cast.r_a)
    cast.login(client, "resident")
    url = reverse("service:record_dispute", args=[record.public_id])
    empty = client.post(url, {"dispute-reason": "  "})
    assert (
        empty.status_code == 400
        and "Say why you think this service did not happen." in empty.content.decode()
    )
    assert client.post(url, {"dispute-reason": "长" * 201}).status_code == 400
    with refused(ValidationError, "at most", record):
        disputes.dispute_as_beneficiary(acting_user=cast.resident, record=record, reason="长" * 201)
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_the_member_cannot_dispute_their_own_record_nor_can_strangers(cast):
    record = log(cast, 2, beneficiary_resident=cast.r_a)
    with refused(PermissionDenied, "You cannot dispute your own service record.", record):
        disputes.dispute_as_beneficiary(acting_user=cast.member, record=record, reason="刷一下")
    with refused(PermissionDenied, "Only the person served can dispute", record):
        disputes.dispute_as_beneficiary(acting_user=cast.community, record=record, reason="不对")


def test_a_record_is_disputed_once_and_not_after_it_is_confirmed(cast):
    record = log(cast, 2, beneficiary_resident=cast.r_a)
    disputes.dispute_as_beneficiary(acting_user=cast.resident, record=record, reason="没来")
    with refused(ValidationError, "You already said this service did not happen", record):
        disputes.dispute_as_beneficiary(acting_user=cast.resident, record=record, reason="真的没来")
    other = log(cast, 3, beneficiary_resident=cast.r_a)
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=other)
    with refused(ValidationError, "already confirmed", other):
        disputes.dispute_as_beneficiary(acting_user=cast.resident, record=other, reason="后悔了")


# --- disputes with the code (no account) ------------------------------------------------------------------


def code_page(record) -> str:
    return reverse("service:confirm_by_code", args=[record.public_id])


def dispute_on_the_page(
    client, record, code: str, reason: str = "没有人来过", address: str = BENEFICIARY_ADDRESS
):
    return client.post(
        code_page(record), {"dispute-code": code, "dispute-reason": reason}, REMOTE_ADDR=address
    )


def test_the_person_served_disputes_with_the_code_without_an_account(cast):
    record = log(cast, 2, beneficiary_name="孙大妈")
    page = Client().get(code_page(record) + f"?code={codes.confirmation_code(record)}").content.decode()
    assert 'id="dispute-form"' in page
    response = dispute_on_the_page(Client(), record, codes.confirmation_code(record))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED and Flag.DISPUTED in record.flags
    event = record.events.get(action="dispute")
    assert (event.actor, event.via, event.reason) == (None, "code", "没有人来过")
    audit = AuditEvent.objects.get(action="service.record_disputed")
    assert audit.actor is None and audit.actor_label == "beneficiary (code)"
    assert Notification.objects.filter(recipient=cast.member, kind="service.record_disputed").exists()
    assert not PointEntry.objects.filter(record=record).exists()
    assert record.code_used_at is None


def test_a_wrong_code_disputes_nothing_and_counts(cast):
    record = log(cast, 2)
    response = dispute_on_the_page(
        Client(), record, "000000" if codes.confirmation_code(record) != "000000" else "111111"
    )
    assert response.status_code == 400 and "That code is not right." in response.content.decode()
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED and Flag.DISPUTED not in record.flags
    assert record.events.filter(action="code_failed").count() == 1
    assert not record.events.filter(action="dispute").exists()


def test_the_logger_cannot_dispute_with_the_code_from_their_account_or_their_address(cast):
    token = issue_api_token(acting_user=cast.member)
    logged = Client().post(
        "/api/v1/service-records",
        {
            "category": str(item("elderly_care").public_id),
            "started_at": at(2).isoformat(),
            "minutes": 60,
            "description": "陪老人聊天",
            "community": str(cast.places.a1.public_id),
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR=MEMBER_ADDRESS,
    )
    record = ServiceRecord.objects.get(public_id=logged.json()["id"])
    code = logged.json()["confirmation_code"]
    from_account = dispute_on_the_page(cast.login(Client(), "member"), record, code)
    assert from_account.status_code == 403
    from_address = dispute_on_the_page(Client(), record, code, address=MEMBER_ADDRESS)
    assert from_address.status_code == 403
    assert "cannot confirm it from the browser or the network" in from_address.content.decode()
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED and not record.events.filter(action="dispute").exists()


# --- disputes through the API ---------------------------------------------------------------------------


def test_the_api_disputes_in_the_account_and_with_the_code(cast, api_post):
    mine = log(cast, 2, beneficiary_resident=cast.r_a)
    response = api_post("resident", f"service-records/{mine.public_id}/dispute", {"reason": "没来过"})
    assert response.status_code == 200
    assert response.json()["state"] == "flagged" and "disputed" in response.json()["flags"]
    other = log(cast, 3, beneficiary_name="周大爷")
    wrong = "000000" if codes.confirmation_code(other) != "000000" else "111111"
    refused_code = api_post(
        "unit", f"service-records/{other.public_id}/dispute", {"reason": "没来", "code": wrong}
    )
    assert refused_code.status_code == 422 and refused_code.json() == {"detail": "The code does not match."}
    assert other.events.filter(action="code_failed").count() == 1
    right = api_post(
        "unit",
        f"service-records/{other.public_id}/dispute",
        {"reason": "没来", "code": codes.confirmation_code(other)},
    )
    assert right.status_code == 200 and right.json()["state"] == "flagged"
    assert not PointEntry.objects.filter(record__in=[mine, other]).exists()


def test_the_api_refuses_the_loggers_dispute_and_a_long_reason(cast, api_post):
    record = log(cast, 2, beneficiary_resident=cast.r_a)
    own = api_post("member", f"service-records/{record.public_id}/dispute", {"reason": "试试"})
    assert own.status_code == 403 and own.json() == {"detail": "You cannot dispute your own service record."}
    long = api_post("resident", f"service-records/{record.public_id}/dispute", {"reason": "长" * 201})
    assert long.status_code == 422
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED
