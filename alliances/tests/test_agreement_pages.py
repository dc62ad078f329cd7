from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances import leaders
from alliances.members import add_member_unit
from alliances.models import Agreement, AgreementState, Alliance, AlliancePost, InspectionNote, LeaderLink
from alliances.tests.fixtures import street_alliance

pytestmark = pytest.mark.django_db


def signed_in(cast, who):
    return cast.login(Client(raise_request_exception=False), who)


def test_the_list_shows_each_viewer_their_agreements_with_pinned_queries(cast, django_assert_max_num_queries):
    a = street_alliance(cast)
    today = timezone.localdate()
    for n in range(6):
        a.make_agreement(cast.places.unit_a, title=f"旧协议{n}", state=AgreementState.RENEWED)
    url = reverse("alliances:agreement_list")
    street = signed_in(cast, "street")
    with django_assert_max_num_queries(12):
        body = street.get(url).content.decode()
    assert body.count("data-agreement=") == 8
    unit = signed_in(cast, "unit").get(url).content.decode()
    assert "新罗区城市管理局共建协议" not in unit and "龙岩市烟草公司共建协议" in unit
    assert "data-agreement=" not in signed_in(cast, "street2").get(url).content.decode()
    Agreement.objects.filter(pk=a.agreement_a.pk).update(ends_on=today + timedelta(days=10))
    Agreement.objects.filter(pk=a.agreement_dept.pk).update(ends_on=today - timedelta(days=1))
    expiring = street.get(url, {"state": "expiring"}).content.decode()
    assert str(a.agreement_a.public_id) in expiring and str(a.agreement_dept.public_id) not in expiring
    expired = street.get(url, {"state": "expired"}).content.decode()
    assert str(a.agreement_dept.public_id) in expired and str(a.agreement_a.public_id) not in expired
    assert street.get(url, {"state": "nonsense", "alliance": "x"}).status_code == 200


def test_a_unit_drafts_lists_commitments_and_both_sides_sign_on_the_page(cast):
    a = street_alliance(cast)
    add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_b)
    unit2 = signed_in(cast, "unit2")
    today = timezone.localdate()
    new = reverse("alliances:agreement_create", args=[a.alliance.public_id])
    bad = unit2.post(
        new,
        {
            "unit": str(cast.places.unit_b.public_id),
            "title": "西城商贸共建协议",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=3)).isoformat(),
        },
    )
    assert bad.status_code == 200 and "cannot end before it starts" in bad.content.decode()
    assert "西城商贸共建协议" in bad.content.decode()  # what was typed stays
    response = unit2.post(
        new,
        {
            "unit": str(cast.places.unit_b.public_id),
            "title": "西城商贸共建协议",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "community": str(cast.places.a2.public_id),
        },
    )
    agreement = Agreement.objects.get(title="西城商贸共建协议")
    assert response.status_code == 302 and response["Location"] == reverse(
        "alliances:agreement_detail", args=[agreement.public_id]
    )
    act = reverse("alliances:agreement_act", args=[agreement.public_id])
    assert (
        unit2.post(
            act, {"op": "commit", "c-kind": "hours", "c-description": "", "c-quantity": "10"}
        ).status_code
        == 400
    )
    unit2.post(
        act,
        {
            "op": "commit",
            "c-kind": "hours",
            "c-description": "志愿服务",
            "c-quantity": "100",
            "c-measure": "小时",
        },
    )
    assert agreement.commitments.get().description == "志愿服务"
    page = unit2.get(reverse("alliances:agreement_detail", args=[agreement.public_id])).content.decode()
    assert "志愿服务" in page and 'value="sign"' in page
    unit2.post(act, {"op": "sign"})
    signed_in(cast, "street").post(act, {"op": "sign"})
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED and agreement.pairing is not None
    # others see nothing of it
    for who in ("unit", "street2", "community2"):
        assert (
            signed_in(cast, who)
            .get(reverse("alliances:agreement_detail", args=[agreement.public_id]))
            .status_code
            == 404
        ), who
        assert signed_in(cast, who).post(act, {"op": "sign"}).status_code == 404, who


def test_end_needs_a_reason_and_renew_opens_the_new_draft(cast):
    a = street_alliance(cast)
    street = signed_in(cast, "street")
    act = reverse("alliances:agreement_act", args=[a.agreement_a.public_id])
    refused = street.post(act, {"op": "end", "end-reason": "   "})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    ends = (a.agreement_a.ends_on + timedelta(days=365)).isoformat()
    renewed = street.post(act, {"op": "renew", "renew-ends_on": ends})
    renewal = Agreement.objects.get(previous=a.agreement_a)
    assert renewed["Location"] == reverse("alliances:agreement_detail", args=[renewal.public_id])
    street.post(act, {"op": "end", "end-reason": "单位撤并"})
    a.agreement_a.refresh_from_db()
    assert a.agreement_a.state == AgreementState.ENDED and a.agreement_a.end_reason == "单位撤并"


def test_files_attach_and_download_in_scope(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = street_alliance(cast)
    unit = signed_in(cast, "unit")
    act = reverse("alliances:agreement_act", args=[a.agreement_a.public_id])
    bad = unit.post(act, {"op": "attach", "file-upload": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "PDF, JPEG" in bad.content.decode()
    unit.post(act, {"op": "attach", "file-upload": SimpleUploadedFile("盖章协议.pdf", b"%PDF-1.4 x")})
    attached = a.agreement_a.files.get()
    url = reverse("alliances:agreement_file", args=[attached.public_id])
    got = signed_in(cast, "street").get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 x"
    assert signed_in(cast, "dept").get(url).status_code == 404
    assert signed_in(cast, "street2").get(url).status_code == 404


def test_an_inspector_notes_and_the_unit_answers_on_the_agreement_page(cast):
    a = street_alliance(cast)
    act = reverse("alliances:agreement_act", args=[a.agreement_a.public_id])
    inspector = signed_in(cast, "inspector")
    page = inspector.get(
        reverse("alliances:agreement_detail", args=[a.agreement_a.public_id])
    ).content.decode()
    assert 'value="note"' in page and 'value="sign"' not in page
    inspector.post(act, {"op": "note", "note-note": "请补充本季度志愿服务记录"})
    note = InspectionNote.objects.get()
    signed_in(cast, "unit").post(act, {"op": "answer", "note_id": str(note.public_id), "answer": "已补充"})
    note.refresh_from_db()
    assert note.answer == "已补充"


def test_members_page_states_and_adding_a_unit(cast):
    a = street_alliance(cast)
    Agreement.objects.filter(pk=a.agreement_dept.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    street = signed_in(cast, "street")
    url = reverse("alliances:members", args=[a.alliance.public_id])
    body = street.get(url).content.decode()
    assert 'data-member="龙岩市烟草公司" data-state="active"' in body
    assert 'data-member="新罗区城市管理局" data-state="expired"' in body
    street.post(url, {"add-unit": str(cast.places.unit_b.public_id)})
    assert a.alliance.members.current().count() == 2  # unit B's address is in street B: not offered
    assert "alliance_members" not in body
    refused = signed_in(cast, "unit").post(url, {"add-unit": str(cast.places.unit_a.public_id)})
    assert refused.status_code == 403
    street.post(url, {"remove-member": str(a.member_dept.public_id), "remove-reason": "撤销"})
    a.member_dept.refresh_from_db()
    assert a.member_dept.left_on is not None
    assert signed_in(cast, "street2").get(url).status_code == 404


def test_posts_page_appoints_and_ends(cast):
    a = street_alliance(cast)
    url = reverse("alliances:posts", args=[a.alliance.public_id])
    street = signed_in(cast, "street")
    refused = street.post(url, {"appoint-role": "envoy", "appoint-user": str(cast.member.public_id)})
    assert "member unit" in refused.content.decode()
    street.post(
        url,
        {
            "appoint-role": "envoy",
            "appoint-user": str(cast.member.public_id),
            "appoint-unit": str(cast.places.unit_a.public_id),
        },
    )
    post = AlliancePost.objects.get()
    assert "member" in street.get(url).content.decode()
    street.post(url, {"post": str(post.public_id)})
    post.refresh_from_db()
    assert post.ended_on is not None
    assert signed_in(cast, "street2").get(url).status_code == 404


def test_founding_an_alliance_on_the_page(cast):
    community = signed_in(cast, "community")
    url = reverse("alliances:create")
    refused = community.post(url, {"name": "", "kind": "community", "area": str(cast.places.a1.public_id)})
    assert refused.status_code == 200
    response = community.post(
        url, {"name": "龙津社区联合党委", "kind": "community", "area": str(cast.places.a1.public_id)}
    )
    alliance = Alliance.objects.get(name="龙津社区联合党委")
    assert response["Location"] == reverse("alliances:members", args=[alliance.public_id])
    assert signed_in(cast, "unit").get(url).status_code == 403


def test_leader_pages(cast):
    orgdept = signed_in(cast, "orgdept")
    url = reverse("alliances:leader_list")
    orgdept.post(
        url,
        {
            "community": str(cast.places.a1.public_id),
            "leader_name": "陈副区长",
            "leader_title": "副区长",
            "leader": str(cast.member.public_id),
        },
    )
    link = LeaderLink.objects.get()
    detail = reverse("alliances:leader_detail", args=[link.public_id])
    member = signed_in(cast, "member")
    assert "陈副区长" in member.get(url).content.decode()
    bad = member.post(detail, {"visited_on": timezone.localdate().isoformat(), "note": ""})
    assert bad.status_code == 200 and link.visits.count() == 0
    member.post(
        detail, {"visited_on": timezone.localdate().isoformat(), "note": "入户走访", "problems": "停车难"}
    )
    assert link.visits.get().problems == "停车难"
    assert "入户走访" in signed_in(cast, "community").get(detail).content.decode()
    assert signed_in(cast, "street2").get(detail).status_code == 404
    assert (
        signed_in(cast, "community").post(reverse("alliances:leader_end", args=[link.public_id])).status_code
        == 403
    )
    leaders.end_link(acting_user=cast.street, link=link)


def test_members_posts_and_leader_lists_keep_their_query_counts(cast, django_assert_max_num_queries):
    from accounts.actions import create_user
    from alliances import posts
    from orgs.actions import create_unit
    from orgs.models import UnitKind

    a = street_alliance(cast)
    for n in range(5):
        unit = create_unit(
            acting_user=None, name=f"成员单位{n}", kind=UnitKind.STATE_FIRM, address_area=cast.places.a1
        )
        add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=unit)
        a.make_agreement(unit)
        holder = create_user(acting_user=None, username=f"envoy{n}", password="x-password-123")
        posts.appoint(acting_user=cast.street, alliance=a.alliance, role="envoy", user=holder, unit=unit)
        leaders.link_leader(
            acting_user=cast.street, community=cast.places.a1, leader_name=f"领导{n}", leader_title="处长"
        )
    street = signed_in(cast, "street")
    with django_assert_max_num_queries(12):
        body = street.get(reverse("alliances:members", args=[a.alliance.public_id])).content.decode()
    assert body.count("data-member=") == 7
    with django_assert_max_num_queries(11):
        body = street.get(reverse("alliances:posts", args=[a.alliance.public_id])).content.decode()
    assert body.count("data-post=") == 5
    with django_assert_max_num_queries(9):
        body = street.get(reverse("alliances:leader_list")).content.decode()
    assert body.count("data-link=") == 5


def test_the_lead_changes_an_inspectors_units_on_the_posts_page(cast):
    from accounts.models import Role, RoleGrant
    from alliances import posts

    a = street_alliance(cast)
    p = cast.places
    post = posts.appoint(
        acting_user=cast.street,
        alliance=a.alliance,
        role="inspector",
        user=cast.member,
        followed_units=[p.unit_a],
    )
    url = reverse("alliances:posts", args=[a.alliance.public_id])
    street = signed_in(cast, "street")
    assert "follow-units" in street.get(url).content.decode()
    street.post(url, {"follow-post": str(post.public_id), "follow-units": [str(p.dept_a.public_id), "junk"]})
    assert set(post.followed_units.all()) == {p.dept_a}
    assert set(
        RoleGrant.objects.filter(user=cast.member, role=Role.INSPECTOR).values_list("unit_id", flat=True)
    ) == {p.dept_a.pk}
    refused = street.post(url, {"follow-post": str(post.public_id)}, follow=True)
    assert "at least one" in refused.content.decode()
    assert street.post(url, {"follow-post": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_agreement_pages_fit_a_phone(live_server, browser):
    """The members page, an agreement's page, the posts and the public page at 360 px, within the CSP;
    screenshots in test-artifacts/alliances-agree-*.png."""
    from conftest import build_cast
    from gongjian.browser_testing import ARTIFACTS, PHONE, fits_the_phone
    from gongjian.browser_testing import signed_in as browser_signed_in

    cast = build_cast()
    a = street_alliance(cast)
    page = browser_signed_in(browser, live_server, "street", cast.password, PHONE)
    for name, url in (
        ("members", reverse("alliances:members", args=[a.alliance.public_id])),
        ("agreement", reverse("alliances:agreement_detail", args=[a.agreement_a.public_id])),
        ("list", reverse("alliances:agreement_list")),
        ("posts", reverse("alliances:posts", args=[a.alliance.public_id])),
        ("public", reverse("alliances:public", args=[a.alliance.public_id])),
    ):
        assert page.goto(f"{live_server.url}{url}").status == 200, name
        page.screenshot(path=str(ARTIFACTS / f"alliances-agree-{name}-360.png"), full_page=True)
        assert fits_the_phone(page), name
    page.context.close()
