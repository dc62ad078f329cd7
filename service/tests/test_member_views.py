"""The member's service pages, the shared record page and the public confirmation page.
Roles (403), scope (404), refusals shown with what was typed, confirmation by code, pinned query counts."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from checkin import actions as checkin_actions
from gongjian.privacy import id_check_char
from gongjian.testing import item
from people.actions import MemberData, save_member
from points.actions import balance_of
from points.models import PointEntry
from service.models import (
    AssignmentState,
    NeedState,
    PostClaim,
    Rating,
    RecordState,
    ServiceRecord,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions
from service.records import codes
from service.tests.pictures import body, opened

pytestmark = pytest.mark.django_db

HOME = reverse("service:member_home")
TASKS = reverse("service:my_tasks")
LOG = reverse("service:log_service")
RECORDS = reverse("service:my_records")
# a 1×1 PNG (whole: its checksums hold, or the upload refuses it as damaged)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _seed_rows(db):
    """The shared menu and default points rule come from data migrations; a transactional (browser)
    test flushes them, and --reuse-db keeps that empty database for the next run: put them back."""
    for migration in ("service.migrations.0002_default_menu", "points.migrations.0003_default_rule"):
        importlib.import_module(migration).forwards(django_apps, None)


def url(name, obj, *more):
    return reverse(f"service:{name}", args=[obj.public_id, *more])


def text(response) -> str:
    return response.content.decode()


def need(cast, title="修水龙头", *, community=None, building=None, compound=None, **kwargs):
    p = cast.places
    community = community or p.a1
    staff = cast.community if community == p.a1 else cast.community2 if community == p.b1 else cast.street
    if building is not None:
        compound = building.compound
    return actions.post_need(
        acting_user=staff,
        title=title,
        category=kwargs.pop("category", item()),
        community=community,
        compound=compound,
        building=building,
        **kwargs,
    )


def taken(cast, title="修水龙头", **kwargs):
    n = need(cast, title, **kwargs)
    actions.take_need(acting_user=cast.member, need=n)
    n.refresh_from_db()
    return n


def log(cast, *, hours_ago=3, minutes=60, who=None, **kwargs):
    kwargs.setdefault("category", item())
    if not any(k in kwargs for k in ("need", "post", "pairing", "project")):
        kwargs.setdefault("community", cast.places.a1)
    return record_actions.log_service_record(
        acting_user=who or cast.member,
        started_at=timezone.now() - timedelta(hours=hours_ago),
        minutes=minutes,
        description=kwargs.pop("description", "换了水龙头垫圈"),
        **kwargs,
    )


def post(cast, title="政策宣讲岗", capacity=3, community=None):
    community = community or cast.places.a1
    staff = cast.community if community == cast.places.a1 else cast.community2
    return post_actions.publish_post(
        acting_user=staff,
        community=community,
        title=title,
        category=item("policy_outreach"),
        schedule="每周六 9:00–11:00",
        capacity=capacity,
        starts_on=timezone.localdate(),
        place="社区党群服务中心",
    )


def member_user(cast, n, *, area=None, building=None, username=None):
    """Another member with an account (the cast has one member user)."""
    first17 = f"3508021986{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
    m = save_member(
        acting_user=None,
        data=MemberData(
            name=f"党员{n}",
            id_number=first17 + id_check_char(first17),
            phone=f"1370000{n:04d}",
            party_org=cast.places.org_unit_a,
            unit=cast.places.unit_a,
            residence_area=area,
            residence_compound=building.compound if building else None,
            residence_building=building,
            in_service=True,
        ),
    )
    user = create_user(acting_user=None, username=username or f"m{n}", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    m.user = user
    m.save(update_fields=["user"])
    return m, user


# --- roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [HOME, TASKS, LOG, RECORDS])
def test_member_pages_admit_members_only(client, cast, page):
    assert cast.login(client, "member").get(page).status_code == 200
    for who in ("community", "street", "unit", "resident", "grid", "nobody"):
        assert cast.login(client, who).get(page).status_code == 403, who
    client.logout()
    assert client.get(page).status_code == 302  # to sign in


def test_changes_are_post_only(client, cast):
    cast.login(client, "member")
    p = post(cast)
    record = log(cast)
    for target in (
        url("post_claim", p),
        url("post_leave", p),
        url("record_confirm", record),
        url("record_reject", record),
        url("record_confirm_mine", record),
        url("record_rate", record),
    ):
        assert client.get(target).status_code == 405, target


# --- what I can do near me -----------------------------------------------------------------------


def test_home_lists_open_needs_nearest_and_urgent_first(client, cast):
    p = cast.places
    far = need(cast, "社区花坛补种", category=item("environment"))
    urgent_far = need(cast, "楼道灯坏了", urgency="urgent")
    same_building = need(cast, "帮忙搬米", building=p.building_a1)
    wish = need(cast, "想要一本字典", kind="wish", category=item("tutoring"), budget=30)
    overdue = need(cast, "清理楼道杂物", compound=p.compound_a1)
    from service.models import Need

    Need.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=2))
    outside = need(cast, "西安社区的需求", community=p.b1)
    gone = need(cast, "已被人接走")
    actions.take_need(acting_user=cast.member, need=gone)

    page = text(cast.login(client, "member").get(HOME))
    order = [same_building.title, overdue.title, urgent_far.title]
    positions = [page.index(t) for t in order]
    assert positions == sorted(positions)  # building, then compound, then the urgent one of the community
    assert page.index(urgent_far.title) < page.index(far.title)
    assert "Same building" in page and "Same compound" in page and "Same community" in page
    assert "Urgent" in page and "Overdue" in page and "Micro-wish" in page
    assert wish.title in page
    assert outside.title not in page  # another street's community
    assert gone.title not in page  # no longer open
    assert f'action="{url("need_take", same_building)}"' in page

    wishes_only = text(client.get(HOME + "?kind=wish"))
    assert wish.title in wishes_only and far.title not in wishes_only


def test_home_without_a_community_says_to_check_in(client, cast):
    _, user = member_user(cast, 40, area=None)
    client.force_login(user)
    page = text(client.get(HOME))
    assert 'data-empty="no-community"' in page
    assert reverse("checkin:my_checkin") in page


def test_a_member_who_checked_in_elsewhere_sees_that_community_too(client, cast):
    other = need(cast, "中山社区需要宣讲", community=cast.places.a2)
    page = text(cast.login(client, "member").get(HOME))
    assert other.title not in page
    assert 'data-hint="check-in"' in page  # in service, not reported anywhere yet
    checkin_actions.submit_checkin(
        acting_user=cast.member,
        member=cast.m_member,
        community=cast.places.a2,
        override_reason="单位结对社区",
    )
    page = text(client.get(HOME))
    assert other.title in page and "中山社区" in page
    assert 'data-hint="check-in"' not in page


def test_home_lists_posts_with_places_left_and_member_claims_one(client, cast):
    open_post = post(cast, "矛盾调解岗", capacity=2)
    full = post(cast, "满员岗位", capacity=1)
    other, other_user = member_user(cast, 41, area=cast.places.a1)
    post_actions.claim_post(acting_user=other_user, post=full)
    foreign = post(cast, "西城岗位", community=cast.places.b1)

    page = text(cast.login(client, "member").get(HOME))
    assert open_post.title in page and "2 places left of 2" in page
    assert full.title not in page and foreign.title not in page

    response = client.post(url("post_claim", open_post), follow=True)
    assert response.redirect_chain[-1][0] == TASKS
    assert PostClaim.objects.filter(post=open_post, member=cast.m_member, left_at__isnull=True).exists()
    assert open_post.title in text(response) and "You hold the post" in text(response)
    assert open_post.title not in text(client.get(HOME))  # held: under my tasks now

    refused = client.post(url("post_claim", full), follow=True)
    assert "This post is full (1 of 1 places taken)." in text(refused)
    assert not PostClaim.objects.filter(post=full, member=cast.m_member).exists()


def test_member_gives_a_post_up(client, cast):
    p = post(cast)
    post_actions.claim_post(acting_user=cast.member, post=p)
    cast.login(client, "member")
    assert f'action="{url("post_leave", p)}"' in text(client.get(TASKS))
    response = client.post(url("post_leave", p), follow=True)
    assert "You gave up the post" in text(response)
    assert not PostClaim.objects.filter(post=p, left_at__isnull=True).exists()
    # nothing left to give up
    assert client.post(url("post_leave", p)).status_code == 404


def test_posts_of_another_street_are_missing(client, cast):
    foreign = post(cast, "西城岗位", community=cast.places.b1)
    cast.login(client, "member")
    assert client.post(url("post_claim", foreign)).status_code == 404
    assert client.post(url("post_leave", foreign)).status_code == 404


# --- my tasks --------------------------------------------------------------------------------------


def test_my_tasks_lists_offers_taken_posts_and_pairings(client, cast):
    offered = need(cast, "请帮忙代购药品", beneficiary_name="孙大妈", beneficiary_address="阳光小区1号楼302")
    offer = actions.dispatch_need(
        acting_user=cast.community, need=offered, member=cast.m_member, note="老人行动不便"
    )
    mine = taken(cast, "修理晾衣架")
    held = post(cast, "文明劝导岗")
    post_actions.claim_post(acting_user=cast.member, post=held)
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居老人"
    )

    page = text(cast.login(client, "member").get(TASKS))
    assert offered.title in page and "孙大妈" in page and "阳光小区1号楼302" in page  # they serve her
    assert "老人行动不便" in page
    assert f'action="{url("assignment_accept", offer)}"' in page
    assert f'action="{url("assignment_decline", offer)}"' in page and 'name="reason"' in page
    assert mine.title in page and f"{LOG}?need={mine.public_id}" in page
    assert held.title in page and f"{LOG}?post={held.public_id}" in page
    assert f'action="{url("post_leave", held)}"' in page
    assert "独居老人" in page and url("pairing_detail", pairing) in page
    assert f"{LOG}?pairing={pairing.public_id}" in page


def test_my_tasks_when_there_is_nothing(client, cast):
    page = text(cast.login(client, "member").get(TASKS))
    assert 'data-empty="no-tasks"' in page and HOME in page


# --- logging service -------------------------------------------------------------------------------


def test_log_service_for_a_taken_need(client, cast):
    n = taken(cast, "修理水管", beneficiary_name="孙大妈")
    cast.login(client, "member")
    page = text(client.get(f"{LOG}?need={n.public_id}"))
    assert 'data-link="need"' in page and n.title in page and "孙大妈" in page
    assert f'<option value="{item().public_id}" selected>' in page  # the need's item, chosen
    assert (
        "<optgroup" in page
        and 'type="datetime-local"' in page
        and 'accept="image/jpeg,image/png,image/webp"' in page
    )
    assert 'name="beneficiary_name"' not in page  # the need says whom

    started = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        f"{LOG}?need={n.public_id}",
        {
            "category": str(item().public_id),
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "90",
            "description": "更换了水管接头",
        },
    )
    record = ServiceRecord.objects.get(need=n)
    assert response.status_code == 302
    assert response["Location"] == url("record_detail", record)
    assert record.minutes == 90 and record.member == cast.m_member and record.beneficiary_name == "孙大妈"
    n.refresh_from_db()
    assert n.state == NeedState.DONE


def test_log_service_refusal_keeps_what_was_typed(client, cast):
    cast.login(client, "member")
    future = timezone.localtime() + timedelta(hours=2)
    response = client.post(
        LOG,
        {
            "community": str(cast.places.a1.public_id),
            "category": str(item().public_id),
            "started_at": future.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "60",
            "description": "帮邻居修好了门锁",
            "beneficiary_name": "王阿姨",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Service cannot be logged before it has happened." in page
    assert "帮邻居修好了门锁" in page and 'value="王阿姨"' in page
    assert future.strftime("%Y-%m-%dT%H:%M") in page
    assert not ServiceRecord.objects.exists()


def test_log_service_form_errors_keep_input(client, cast):
    cast.login(client, "member")
    response = client.post(LOG, {"community": str(cast.places.a1.public_id), "description": "打扫楼道"})
    page = text(response)
    assert response.status_code == 400
    assert "打扫楼道" in page and "This field is required." in page
    assert not ServiceRecord.objects.exists()


def test_log_service_against_a_need_not_taken_is_refused(client, cast):
    n = need(cast, "无人接单的需求")
    cast.login(client, "member")
    response = client.post(
        f"{LOG}?need={n.public_id}",
        {
            "category": str(item().public_id),
            "started_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "60",
            "description": "去看了看",
        },
    )
    assert response.status_code == 400
    assert "You can log service against a need you have taken" in text(response)


def test_log_service_links_outside_the_scope_are_missing(client, cast):
    foreign_need = need(cast, "西城需求", community=cast.places.b1)
    foreign_post = post(cast, "西城岗位", community=cast.places.b1)
    cast.login(client, "member")
    assert client.get(f"{LOG}?need={foreign_need.public_id}").status_code == 404
    assert client.get(f"{LOG}?post={foreign_post.public_id}").status_code == 404
    assert client.get(f"{LOG}?need=not-a-uuid").status_code == 404


def test_log_service_with_photos_served_through_the_scope(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cast.login(client, "member")
    response = client.post(
        LOG,
        {
            "community": str(cast.places.a1.public_id),
            "category": str(item("environment").public_id),
            "started_at": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "45",
            "description": "清理了小区垃圾",
            "photos": [
                SimpleUploadedFile("a.png", PNG, content_type="image/png"),
                SimpleUploadedFile("b.png", PNG, content_type="image/png"),
            ],
        },
    )
    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert record.photos.count() == 2
    page = text(client.get(url("record_detail", record)))
    assert url("record_photo", record, 2) in page and "/media/" not in page
    assert f'src="{url("record_photo", record, 2)}?size=thumb"' in page  # the tiles are thumbnails
    photo = client.get(url("record_photo", record, 1))  # the phone size unless asked
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    original = client.get(url("record_photo", record, 1) + "?size=original")
    assert original["Content-Type"] == "image/png" and opened(body(original)).size == (1, 1)
    assert client.get(url("record_photo", record, 1) + "?size=huge").status_code == 404
    assert client.get(url("record_photo", record, 3)).status_code == 404
    cast.login(client, "community2")
    assert client.get(url("record_photo", record, 1)).status_code == 404


def test_a_photo_that_is_not_one_is_refused(client, cast):
    cast.login(client, "member")
    response = client.post(
        LOG,
        {
            "community": str(cast.places.a1.public_id),
            "category": str(item().public_id),
            "started_at": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "30",
            "description": "修门",
            "photos": [SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")],
        },
    )
    assert response.status_code == 400
    assert "notes.txt is not a photo" in text(response)
    assert "Choose the photos again" in text(response)


# --- my records ------------------------------------------------------------------------------------


def test_my_records_show_state_flags_reason_and_points(client, cast):
    confirmed = log(cast, hours_ago=30, description="陪老人看病")
    record_actions.confirm_with_code(record=confirmed, code=codes.confirmation_code(confirmed), score=4)
    rejected = log(cast, hours_ago=60, description="重复登记的记录")
    record_actions.reject_service_record(acting_user=cast.community, record=rejected, reason="重复登记")
    flagged = log(cast, hours_ago=30, minutes=30, description="与另一条重叠")  # overlaps the first
    someone_else = log(cast, who=cast.member, hours_ago=100, description="我的另一条")

    page = text(cast.login(client, "member").get(RECORDS))
    assert all(r.description in page for r in (confirmed, rejected, flagged, someone_else))
    assert "Confirmed" in page and "Rejected" in page and "Flagged for review" in page
    assert "重复登记" in page
    assert "Overlaps another record of the member" in page
    assert "+10 points" in page
    assert "★★★★☆" in page
    pending = text(client.get(RECORDS + "?state=pending"))
    assert flagged.description in pending and confirmed.description not in pending


def test_my_records_shows_only_my_own(client, cast):
    other, other_user = member_user(cast, 42, area=cast.places.a1)
    theirs = log(cast, who=other_user, description="别人的记录")
    page = text(cast.login(client, "member").get(RECORDS))
    assert theirs.description not in page and 'data-empty="no-records"' in page


# --- the record page -------------------------------------------------------------------------------


def test_member_sees_code_and_qr_while_pending(client, cast):
    record = log(cast)
    cast.login(client, "member")
    page = text(client.get(url("record_detail", record)))
    assert codes.confirmation_code(record) in page
    assert url("record_qr", record) in page
    qr = client.get(url("record_qr", record))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    # no confirm/reject for the member's own record
    assert url("record_confirm", record) not in page and url("record_reject", record) not in page


def test_record_page_scope_and_roles(client, cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    for outsider in ("community2", "street2", "unit2"):
        cast.login(client, outsider)
        assert client.get(url("record_detail", record)).status_code == 404, outsider
        assert client.get(url("record_qr", record)).status_code == 404, outsider
    _, stranger = member_user(cast, 43, area=cast.places.a1)
    client.force_login(stranger)
    assert client.get(url("record_detail", record)).status_code == 404
    cast.login(client, "grid")
    assert client.get(url("record_detail", record)).status_code == 403  # not a role that reads records

    # the member's unit sees the record, but not the code, nor for whom
    cast.login(client, "unit")
    page = text(client.get(url("record_detail", record)))
    assert codes.confirmation_code(record) not in page
    assert "孙大妈" not in page and "Visible to those who serve" in page
    assert client.get(url("record_qr", record)).status_code == 403

    cast.login(client, "community")
    page = text(client.get(url("record_detail", record)))
    assert "孙大妈" in page and codes.confirmation_code(record) not in page
    assert url("record_confirm", record) in page and url("record_reject", record) in page


def test_community_confirms_and_points_are_booked(client, cast):
    record = log(cast)
    cast.login(client, "community")
    response = client.post(url("record_confirm", record), {"note": "电话核实"}, follow=True)
    assert "Confirmed" in text(response)
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == "community"
    assert balance_of(cast.m_member) == 10
    # twice: refused, with the message
    again = client.post(url("record_confirm", record), {"note": ""})
    assert again.status_code == 400 and "This record is already confirmed." in text(again)
    assert PointEntry.objects.filter(record=record).count() == 1


def test_flagged_record_needs_a_note_and_keeps_it(client, cast):
    log(cast, hours_ago=5, minutes=120)
    flagged = log(cast, hours_ago=4, minutes=60)  # overlaps
    assert flagged.state == RecordState.FLAGGED
    cast.login(client, "community")
    response = client.post(url("record_confirm", flagged), {"note": "  "})
    assert response.status_code == 400
    assert "Say what you checked before confirming a flagged record." in text(response)
    response = client.post(url("record_confirm", flagged), {"note": "与居民电话核实"})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.state == RecordState.CONFIRMED


def test_community_rejects_with_a_reason(client, cast):
    record = log(cast)
    cast.login(client, "community")
    response = client.post(url("record_reject", record), {"reason": ""})
    assert response.status_code == 400 and "Say why the record is rejected." in text(response)
    response = client.post(url("record_reject", record), {"reason": "服务时间不符"}, follow=True)
    record.refresh_from_db()
    assert record.state == RecordState.REJECTED and record.reject_reason == "服务时间不符"
    assert "服务时间不符" in text(response)


def test_wrong_roles_cannot_confirm_or_reject(client, cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    for who in ("member", "resident", "unit"):
        cast.login(client, who)
        assert client.post(url("record_confirm", record)).status_code == 403, who
        assert client.post(url("record_reject", record), {"reason": "x"}).status_code == 403, who
    cast.login(client, "community2")
    assert client.post(url("record_confirm", record)).status_code == 404
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_beneficiary_confirms_in_their_account_then_cannot_rate_twice(client, cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    cast.login(client, "resident")
    page = text(client.get(url("record_detail", record)))
    assert url("record_confirm_mine", record) in page and codes.confirmation_code(record) not in page
    response = client.post(url("record_confirm_mine", record), {"mine-score": "5", "mine-comment": "很细心"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == "beneficiary"
    assert record.rating.score == 5
    page = text(client.get(url("record_detail", record)))
    assert "很细心" in page and url("record_rate", record) not in page
    again = client.post(url("record_rate", record), {"rate-score": "3"})
    assert again.status_code == 400 and "already been rated" in text(again)


def test_beneficiary_rates_after_the_community_confirmed(client, cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    cast.login(client, "resident")
    assert url("record_rate", record) in text(client.get(url("record_detail", record)))
    missing = client.post(url("record_rate", record), {"rate-comment": "还行"})
    assert missing.status_code == 400 and "还行" in text(missing)
    assert client.post(url("record_rate", record), {"rate-score": "4"}).status_code == 302
    assert Rating.objects.get(record=record).score == 4


def test_a_resident_who_was_not_served_cannot_confirm(client, cast):
    record = log(cast)  # for nobody in particular
    cast.login(client, "resident")
    assert client.get(url("record_detail", record)).status_code == 404
    assert client.post(url("record_confirm_mine", record), {"mine-score": "5"}).status_code == 404


# --- confirming by code ----------------------------------------------------------------------------


def test_code_page_confirms_books_points_and_refuses_twice(cast):
    record = log(cast, beneficiary_resident=cast.r_a, beneficiary_name="孙大妈")
    code = codes.confirmation_code(record)
    browser = Client(enforce_csrf_checks=True)  # anonymous, on the beneficiary's phone
    page = browser.get(url("confirm_by_code", record) + f"?code={code}")
    body = text(page)
    assert page.status_code == 200
    assert "张三丰" in body and "换了水龙头垫圈" in body and "1 h" in body
    assert "孙大妈" not in body  # never the beneficiary's data
    assert f'value="{code}"' in body
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        url("confirm_by_code", record),
        {"code": code, "score": "5", "comment": "谢谢", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert response.status_code == 200
    assert "Thank you! The service is confirmed." in text(response)
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == "code"
    assert record.rating.score == 5 and record.rating.rated_by is None
    assert balance_of(cast.m_member) == 10

    # the link again: says so, no form; a second POST is refused
    again = text(browser.get(url("confirm_by_code", record) + f"?code={code}"))
    assert 'data-state="confirmed"' in again and 'id="code-form"' not in again
    twice = browser.post(url("confirm_by_code", record), {"code": code, "csrfmiddlewaretoken": token})
    assert twice.status_code == 400 and "This record is already confirmed." in text(twice)
    assert balance_of(cast.m_member) == 10


def test_code_page_needs_the_csrf_token(cast):
    record = log(cast)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url("confirm_by_code", record), {"code": codes.confirmation_code(record)})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_wrong_codes_are_refused_then_the_community_takes_over(client, cast, settings):
    settings.SERVICE_CODE_ATTEMPTS = 3
    record = log(cast)
    target = url("confirm_by_code", record)
    wrong = "000000" if codes.confirmation_code(record) != "000000" else "111111"
    response = client.post(target, {"code": wrong, "score": "5", "comment": "好"})
    assert response.status_code == 400
    assert "That code is not right." in text(response)
    assert f'value="{wrong}"' in text(response) and "好" in text(response)
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED
    client.post(target, {"code": wrong})
    last = client.post(target, {"code": wrong})
    assert "Too many wrong codes" in text(last)
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED
    # now even the right code does not work
    right = client.post(target, {"code": codes.confirmation_code(record)})
    assert right.status_code == 400 and 'data-state="flagged"' in text(right)
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED


def test_the_member_cannot_confirm_their_own_record_by_code(client, cast):
    record = log(cast)
    code = codes.confirmation_code(record)
    cast.login(client, "member")
    page = client.get(url("confirm_by_code", record) + f"?code={code}")
    assert page.status_code == 403
    assert "You cannot confirm your own service record." in text(page)
    assert client.post(url("confirm_by_code", record), {"code": code}).status_code == 403
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_a_signed_in_beneficiary_confirms_by_code_too(client, cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    cast.login(client, "resident")
    response = client.post(url("confirm_by_code", record), {"code": codes.confirmation_code(record)})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_by == cast.resident


def test_unknown_record_is_missing(client, cast):
    import uuid

    assert client.get(reverse("service:confirm_by_code", args=[uuid.uuid4()])).status_code == 404


# --- query counts ----------------------------------------------------------------------------------


def _home_scene(cast, n: int) -> None:
    p = cast.places
    for i in range(n):
        need(
            cast,
            f"需求{i}",
            building=p.building_a1 if i % 2 else None,
            urgency="urgent" if i % 3 else "normal",
        )
        post(cast, f"岗位{i}", capacity=2)


HOME_QUERIES = 13


def test_member_home_queries_do_not_grow_with_rows(client, cast, django_assert_num_queries):
    cast.login(client, "member")
    _home_scene(cast, 2)
    client.get(HOME)  # warm the session
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(HOME).status_code == 200
    _home_scene(cast, 8)
    with django_assert_num_queries(HOME_QUERIES):
        page = text(client.get(HOME))
    assert "需求7" in page and "岗位7" in page


RECORDS_QUERIES = 10


def test_my_records_queries_do_not_grow_with_rows(client, cast, django_assert_num_queries):
    cast.login(client, "member")

    def scene(start: int, n: int) -> None:
        for i in range(start, start + n):
            record = log(cast, hours_ago=24 * i + 3, beneficiary_resident=cast.r_a if i % 2 else None)
            if i % 3 == 0:
                record_actions.confirm_as_organiser(acting_user=cast.community, record=record, note="ok")

    scene(0, 2)
    client.get(RECORDS)
    with django_assert_num_queries(RECORDS_QUERIES):
        assert client.get(RECORDS).status_code == 200
    scene(2, 8)
    with django_assert_num_queries(RECORDS_QUERIES):
        assert client.get(RECORDS).status_code == 200


def test_offer_accept_and_decline_post_to_the_assignment_pages(client, cast):
    """The reply forms on my tasks reach the workbench's assignment actions."""
    n = need(cast, "请帮忙")
    offer = actions.dispatch_need(acting_user=cast.community, need=n, member=cast.m_member)
    cast.login(client, "member")
    client.post(url("assignment_decline", offer), {"reason": "出差"})
    offer.refresh_from_db()
    assert offer.state == AssignmentState.DECLINED and offer.decline_reason == "出差"


@pytest.mark.parametrize("n", [0, 7, 99999999999999999999])
def test_a_photo_number_no_record_has_is_missing_before_any_lookup(client, cast, n):
    """A record holds at most PHOTOS_PER_RECORD photos; a number past them is 404 without asking the
    database (past SQLite's integers it would overflow the query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record = log(cast)
    cast.login(client, "member")
    client.get(RECORDS)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("record_photo", record, n)).status_code == 404
    assert not [q for q in queries.captured_queries if "service_" in q["sql"]]
