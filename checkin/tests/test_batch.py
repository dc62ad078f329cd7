"""Batch work on check-ins: the community confirms several members at once (page and API), each its own
audited action, a refusal in the middle reported by name while the others go through; and the unit
prints all its valid certificates as one PDF, one certificate a page."""

from __future__ import annotations

import subprocess

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from checkin import actions, documents
from checkin.models import CheckInEvent, CheckInState
from gongjian.testing import id_number
from people.actions import MemberData, save_member

pytestmark = pytest.mark.django_db

CONFIRM_BATCH = "checkin:community_confirm_batch"


def newcomer(cast, n: int, name: str):
    """Another in-service member of unit A who lives in 龙津社区 (A1)."""
    p = cast.places
    return save_member(
        acting_user=None,
        data=MemberData(
            name=name,
            id_number=id_number(n),
            phone=f"1380000{n:04d}",
            party_org=p.org_unit_a,
            unit=p.unit_a,
            residence_area=p.a1,
            residence_compound=p.compound_a1,
            residence_building=p.building_a1,
            in_service=True,
        ),
    )


def certified(cast, member, unit_admin=None):
    checkin = actions.submit_checkin(acting_user=unit_admin or cast.unit, member=member)
    actions.issue_certificate(acting_user=unit_admin or cast.unit, checkin=checkin)
    checkin.refresh_from_db()
    return checkin


@pytest.fixture
def three(cast):
    """Three certified check-ins waiting in A1; the middle one is then returned by its unit (withdrawn
    while the community had the page open)."""
    first = certified(cast, cast.m_member)
    middle = certified(cast, newcomer(cast, 21, "陈一"))
    last = certified(cast, newcomer(cast, 22, "林二"))
    actions.return_checkin(acting_user=cast.unit, checkin=middle, reason="地址填错了")
    return first, middle, last


def confirmations(checkin) -> tuple[int, int]:
    """(audit rows, ledger events) of confirming this check-in."""
    return (
        AuditEvent.objects.filter(action="checkin.confirm", target_id=str(checkin.public_id)).count(),
        CheckInEvent.objects.filter(checkin=checkin, to_state=CheckInState.CONFIRMED).count(),
    )


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the page ---------------------------------------------------------------------------------------


def test_the_community_confirms_the_ticked_and_hears_of_the_refusal_in_the_middle(client, cast, three):
    first, middle, last = three
    cast.login(client, "community")
    response = client.post(
        reverse(CONFIRM_BATCH),
        {
            "community": str(cast.places.a1.public_id),
            "checkins": [str(first.public_id), str(middle.public_id), str(last.public_id)],
        },
    )
    assert response.status_code == 302
    for checkin in (first, last):
        checkin.refresh_from_db()
        assert checkin.state == CheckInState.CONFIRMED
        assert confirmations(checkin) == (1, 1)  # its own audit row and its own event
    middle.refresh_from_db()
    assert middle.state == CheckInState.RETURNED
    assert confirmations(middle) == (0, 0)
    [message] = flashed(response)
    assert message.startswith("2 confirmed, 1 refused: 陈一: ")
    assert "cannot be confirmed" in message


def test_another_communitys_check_ins_are_refused_and_never_confirmed(client, cast):
    ours = certified(cast, cast.m_member)
    theirs = certified(cast, cast.m_b, unit_admin=cast.unit2)  # 王五 reports to 西安社区 (B1)
    cast.login(client, "community")
    response = client.post(
        reverse(CONFIRM_BATCH),
        {
            "community": str(cast.places.a1.public_id),
            "checkins": [str(theirs.public_id), str(ours.public_id)],
        },
    )
    [message] = flashed(response)
    assert message == f"1 confirmed, 1 refused: {theirs.public_id}: Not found."  # the name is not told
    theirs.refresh_from_db()
    assert theirs.state == CheckInState.CERTIFIED and confirmations(theirs) == (0, 0)
    # naming the other community itself: 404, nothing confirmed
    response = client.post(
        reverse(CONFIRM_BATCH),
        {"community": str(cast.places.b1.public_id), "checkins": [str(theirs.public_id)]},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == CheckInState.CERTIFIED


@pytest.mark.parametrize(("who", "status"), [("unit", 403), ("member", 403), ("community2", 404)])
def test_others_cannot_batch_confirm(client, cast, who, status):
    checkin = certified(cast, cast.m_member)
    cast.login(client, who)
    response = client.post(
        reverse(CONFIRM_BATCH),
        {"community": str(cast.places.a1.public_id), "checkins": [str(checkin.public_id)]},
    )
    assert response.status_code == status
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED


def test_nothing_ticked_says_so(client, cast):
    cast.login(client, "community")
    response = client.post(reverse(CONFIRM_BATCH), {"community": str(cast.places.a1.public_id)})
    assert response.status_code == 302
    assert flashed(response) == ["Tick the members to confirm first."]


def test_the_page_offers_the_ticks_and_select_all(client, cast):
    checkin = certified(cast, cast.m_member)
    page = cast.login(client, "community").get(reverse("checkin:community_page")).content.decode()
    assert 'data-gj-all="confirm"' in page and "Select all on this page" in page
    assert f'name="checkins" value="{checkin.public_id}" form="batch-confirm"' in page


# --- the API ----------------------------------------------------------------------------------------


def test_the_api_confirms_several_with_one_result_each(cast, api_post, three):
    first, middle, last = three
    theirs = certified(cast, cast.m_b, unit_admin=cast.unit2)
    ids = [str(c.public_id) for c in (first, middle, theirs, last)]
    response = api_post("community", "checkins/confirm", {"checkins": ids})
    assert response.status_code == 200
    body = response.json()
    assert (body["confirmed"], body["refused"]) == (2, 2)
    assert [(r["checkin"], r["ok"]) for r in body["results"]] == [
        (ids[0], True),
        (ids[1], False),
        (ids[2], False),
        (ids[3], True),
    ]
    assert body["results"][1]["name"] == "陈一" and "cannot be confirmed" in body["results"][1]["message"]
    assert body["results"][2] == {"checkin": ids[2], "name": "", "ok": False, "message": "Not found."}
    assert [confirmations(c) for c in (first, last, theirs)] == [(1, 1), (1, 1), (0, 0)]


def test_the_api_batch_is_for_the_community_only_and_needs_ids(cast, api_post):
    checkin = certified(cast, cast.m_member)
    assert api_post("unit", "checkins/confirm", {"checkins": [str(checkin.public_id)]}).status_code == 403
    assert api_post("community", "checkins/confirm", {"checkins": []}).status_code == 422
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED


# --- all of a unit's certificates in one PDF ---------------------------------------------------------


def pages_of(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "all.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def print_url(cast, *checkins) -> str:
    query = f"?unit={cast.places.unit_a.public_id}"
    return (
        reverse("checkin:unit_certificates_pdf")
        + query
        + "".join(f"&checkins={c.public_id}" for c in checkins)
    )


def test_the_unit_prints_all_its_valid_certificates_one_a_page(client, cast, three, tmp_path):
    first, middle, last = three  # the middle one was returned: its certificate is withdrawn
    actions.confirm_checkin(acting_user=cast.community, checkin=first)  # confirmed keeps its certificate
    response = cast.login(client, "unit").get(print_url(cast))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pages_of(response.content, tmp_path) == 2
    text = pdf_text(response.content)
    assert "张三丰" in text and "林二" in text and "陈一" not in text
    for checkin in (first, last):
        serial = checkin.certificates.get(revoked_at__isnull=True).serial
        assert serial in text
        assert AuditEvent.objects.filter(
            action="checkin.certificate_pdf", target_id=str(checkin.public_id), detail__serial=serial
        ).exists()
    assert not AuditEvent.objects.filter(
        action="checkin.certificate_pdf", target_id=str(middle.public_id)
    ).exists()


def test_the_unit_prints_the_ticked_only(client, cast, three, tmp_path):
    _first, _middle, last = three
    response = cast.login(client, "unit").get(print_url(cast, last))
    assert pages_of(response.content, tmp_path) == 1
    assert "林二" in pdf_text(response.content)
    assert AuditEvent.objects.filter(action="checkin.certificate_pdf").count() == 1


def test_a_unit_with_no_valid_certificate_gets_a_message_not_an_empty_pdf(client, cast):
    actions.submit_checkin(acting_user=cast.unit, member=cast.m_member)  # submitted, no certificate yet
    response = cast.login(client, "unit").get(print_url(cast))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("checkin:unit_page"))
    assert flashed(response) == ["龙岩市烟草公司 has no valid certificate to print yet."]
    assert not AuditEvent.objects.filter(action="checkin.certificate_pdf").exists()


@pytest.mark.parametrize(("who", "status"), [("unit2", 404), ("community", 403), ("member", 403)])
def test_others_cannot_print_the_units_certificates(client, cast, who, status):
    certified(cast, cast.m_member)
    assert cast.login(client, who).get(print_url(cast)).status_code == status
    assert not AuditEvent.objects.filter(action="checkin.certificate_pdf").exists()


def test_printing_reads_a_fixed_number_of_queries(client, cast):
    """Reads do not grow with the certificates: one more certificate costs only its audit row."""
    certified(cast, cast.m_member)
    cast.login(client, "unit")
    client.get(print_url(cast))  # warm caches (fonts, session)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(print_url(cast)).status_code == 200
        return len(queries)

    one = counted()
    certified(cast, newcomer(cast, 23, "黄三"))
    certified(cast, newcomer(cast, 24, "吴四"))
    assert counted() == one + 2  # two more audit rows, no more reads


def test_more_certificates_than_one_pdf_holds_are_printed_in_parts(client, cast, monkeypatch):
    monkeypatch.setattr(documents, "PRINT_ALL_MAX", 1)
    first = certified(cast, cast.m_member)
    certified(cast, newcomer(cast, 25, "郑五"))
    cast.login(client, "unit")
    response = client.get(print_url(cast))
    assert response.status_code == 302
    assert flashed(response) == ["More than 1 certificates: tick the ones to print, 1 at most at a time."]
    assert client.get(print_url(cast, first))["Content-Type"] == "application/pdf"


def test_a_check_in_to_another_community_the_user_sees_is_refused_by_name(client, cast):
    """The platform administrator sees every check-in; on 龙津社区's page one to 中山社区 is refused."""
    ours = certified(cast, cast.m_member)
    other = certified(cast, cast.m_a2)  # 李四 lives in 中山社区 (A2)
    cast.login(client, "admin")
    response = client.post(
        reverse(CONFIRM_BATCH),
        {"community": str(cast.places.a1.public_id), "checkins": [str(other.public_id), str(ours.public_id)]},
    )
    assert flashed(response) == [
        "1 confirmed, 1 refused: 李四: This check-in is to 中山社区, not to 龙津社区."
    ]
    other.refresh_from_db()
    assert other.state == CheckInState.CERTIFIED and confirmations(other) == (0, 0)
