"""转出 → 转入 (issue 10): the member's party organisation starts a transfer, the receiving side accepts
(only then does the member's organisation change) or declines with a reason; refusals; the to-do item
on the receiving side's home; pages and API; scope and roles; the list's queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.scope import scope_for
from audit.models import AuditEvent
from gongjian.testing import refusals
from gongjian.work import items_for
from people import transfers
from people.models import Member, MemberTransfer, TransferEvent, TransferState

pytestmark = pytest.mark.django_db
refused = refusals([MemberTransfer, TransferEvent, AuditEvent])


@pytest.fixture
def transfer(cast):
    """Unit A's admin transfers 张三丰 from the unit's branch to 龙津社区党委 (kept by the community)."""
    return transfers.start_transfer(
        acting_user=cast.unit, member=cast.m_member, to_org=cast.places.org_a1, note="退休回社区"
    )


def test_accepting_moves_the_member(cast, transfer):
    assert transfer.state == TransferState.OPEN
    assert Member.objects.get(pk=cast.m_member.pk).party_org == cast.places.org_unit_a  # not yet
    transfers.accept_transfer(acting_user=cast.community, transfer=transfer)
    assert Member.objects.get(pk=cast.m_member.pk).party_org == cast.places.org_a1
    done = MemberTransfer.objects.get(pk=transfer.pk)
    assert done.state == TransferState.ACCEPTED and done.decided_at is not None
    assert [e.to_state for e in done.events.all()] == ["open", "accepted"]
    assert {"member.transfer_start", "member.transfer_accept"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_refusals_change_nothing(cast, transfer):
    p = cast.places
    with refused(ValidationError, "belongs to"):
        transfers.start_transfer(acting_user=cast.unit2, member=cast.m_b, to_org=p.org_unit_b)
    with refused(ValidationError, "waiting already"):
        transfers.start_transfer(acting_user=cast.unit, member=cast.m_member, to_org=p.org_street_a)
    with refused(PermissionDenied, "own party organisation"):
        transfers.start_transfer(acting_user=cast.community, member=cast.m_a2, to_org=p.org_a1)
    with refused(PermissionDenied, "receiving party organisation", transfer):
        transfers.accept_transfer(acting_user=cast.unit, transfer=transfer)
    with refused(ValidationError, "Say why", transfer):
        transfers.decline_transfer(acting_user=cast.community, transfer=transfer, reason=" ")
    transfers.decline_transfer(acting_user=cast.community, transfer=transfer, reason="未在本社区居住")
    with refused(ValidationError, "no longer waiting"):
        transfers.accept_transfer(acting_user=cast.community, transfer=transfer)
    assert Member.objects.get(pk=cast.m_member.pk).party_org == p.org_unit_a
    # declined: a new transfer may start, and the sender may cancel it
    again = transfers.start_transfer(acting_user=cast.unit, member=cast.m_member, to_org=p.org_street_a)
    transfers.cancel_transfer(acting_user=cast.unit, transfer=again)
    assert MemberTransfer.objects.get(pk=again.pk).state == TransferState.CANCELLED


def test_the_receiving_side_sees_it_on_its_home(cast, transfer):
    keys = {item.key: item.count for item in items_for(cast.community, scope_for(cast.community))}
    assert keys.get("people.transfer_in") == 1
    assert "people.transfer_in" not in {i.key for i in items_for(cast.unit, scope_for(cast.unit))}
    assert "people.transfer_in" not in {i.key for i in items_for(cast.community2, scope_for(cast.community2))}


def test_pages(client, cast, transfer):
    detail = reverse("people:transfer_detail", args=[transfer.public_id])
    cast.login(client, "community")
    assert "Accept the member" in client.get(detail).content.decode()
    listing = client.get(
        reverse("people:transfer_list"), {"side": "incoming", "state": "open"}
    ).content.decode()
    assert (
        "张三丰" in listing and f'href="{reverse("jobs:export_start", args=["member_transfers"])}' in listing
    )
    assert client.post(reverse("people:transfer_accept", args=[transfer.public_id])).status_code == 302
    assert Member.objects.get(pk=cast.m_member.pk).party_org == cast.places.org_a1
    cast.login(client, "community2")
    assert client.get(detail).status_code == 404
    for who in ("grid", "member", "resident", "dept"):
        cast.login(client, who)
        assert client.get(reverse("people:transfer_list")).status_code == 403
        assert client.get(detail).status_code == 403


def test_the_start_page(client, cast):
    url = reverse("people:transfer_start", args=[cast.m_member.public_id])
    cast.login(client, "unit")
    assert client.get(url).status_code == 200
    same = client.post(url, {"to_org": cast.places.org_unit_a.public_id})
    assert same.status_code == 400  # the member's own organisation is not offered
    started = client.post(url, {"to_org": cast.places.org_a1.public_id, "note": "退休"})
    assert started.status_code == 302 and MemberTransfer.objects.open().filter(member=cast.m_member).exists()
    cast.login(client, "unit2")
    assert client.get(url).status_code == 404
    cast.login(client, "orgdept")
    assert client.get(url).status_code == 403


def test_api(api_post, api_get, cast):
    p = cast.places
    started = api_post(
        "unit", f"members/{cast.m_member.public_id}/transfers", {"to_org": str(p.org_a1.public_id)}
    )
    assert started.status_code == 201, started.content
    tid = started.json()["id"]
    second = api_post(
        "unit", f"members/{cast.m_member.public_id}/transfers", {"to_org": str(p.org_street_a.public_id)}
    )
    assert second.status_code == 422 and "waiting already" in second.json()["detail"]
    assert api_post("unit2", f"transfers/{tid}/accept").status_code == 404
    assert api_post("grid", f"transfers/{tid}/accept").status_code == 403
    assert api_post("unit", f"transfers/{tid}/accept").status_code == 403  # the sender may not accept
    incoming = api_get("community", "transfers", side="incoming", state="open")
    assert incoming.status_code == 200 and incoming.json()["count"] == 1
    accepted = api_post("community", f"transfers/{tid}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert [e["to_state"] for e in accepted.json()["events"]] == ["open", "accepted"]


def test_transfer_list_query_count(client, cast, django_assert_max_num_queries):
    p = cast.places
    for member in (cast.m_member, cast.m_a2):
        transfers.start_transfer(acting_user=cast.unit, member=member, to_org=p.org_a1)
    cast.login(client, "community")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:transfer_list")).status_code == 200


def test_declining_and_cancelling_on_the_pages(client, cast, transfer):
    cast.login(client, "community")
    decline = reverse("people:transfer_decline", args=[transfer.public_id])
    client.post(decline, {"reason": ""})  # refused: no reason; shown as a message
    assert MemberTransfer.objects.get(pk=transfer.pk).state == TransferState.OPEN
    client.post(decline, {"reason": "未在本社区居住"})
    assert MemberTransfer.objects.get(pk=transfer.pk).decline_reason == "未在本社区居住"
    again = transfers.start_transfer(acting_user=cast.unit, member=cast.m_member, to_org=cast.places.org_a1)
    cast.login(client, "community")
    client.post(reverse("people:transfer_cancel", args=[again.public_id]))  # not theirs to cancel
    assert MemberTransfer.objects.get(pk=again.pk).state == TransferState.OPEN
    cast.login(client, "unit")
    client.post(reverse("people:transfer_cancel", args=[again.public_id]))
    assert MemberTransfer.objects.get(pk=again.pk).state == TransferState.CANCELLED
