"""Rules of service records: logging, plausibility flags, the three ways to confirm, rejection and
ratings (service/record_actions.py). Refusals change nothing; every change has its event and audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.actions import create_user, grant_role, revoke_role
from accounts.models import Role, RoleGrant
from accounts.scope import forget_scope
from audit.models import AuditEvent, Outcome
from gongjian.testing import item, refusals
from people.actions import save_resident
from points.models import PointEntry
from service.models import (
    AssignmentState,
    ConfirmedVia,
    Flag,
    Need,
    NeedEvent,
    NeedState,
    PostClaim,
    Project,
    ProjectState,
    Rating,
    RecordPhoto,
    RecordState,
    ServiceRecord,
    ServiceRecordEvent,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.projects import actions as project_actions
from service.records import actions as record_actions
from service.records import codes
from service.tests.pictures import picture

pytestmark = pytest.mark.django_db

WATCHED = (ServiceRecord, ServiceRecordEvent, RecordPhoto, Rating, PointEntry, NeedEvent, AuditEvent)
refused = refusals(WATCHED)


def at(days_ago: int, hour: int):
    """A local time ``days_ago`` days back at ``hour`` o'clock."""
    day = timezone.localtime() - timedelta(days=days_ago)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def log(cast, *, user=None, started_at=None, minutes=60, **kwargs) -> ServiceRecord:
    kwargs.setdefault("category", item("elderly_care"))
    kwargs.setdefault("description", "陪老人聊天、打扫卫生")
    if not any(k in kwargs for k in ("need", "post", "pairing", "project")):
        kwargs.setdefault("community", cast.places.a1)
    return record_actions.log_service_record(
        acting_user=user or cast.member,
        started_at=started_at or at(2, 9),
        minutes=minutes,
        **kwargs,
    )


def events(record) -> list[tuple]:
    return list(
        ServiceRecordEvent.objects.filter(record=record).values_list(
            "from_state", "to_state", "action", "actor"
        )
    )


def audited(action: str, target) -> AuditEvent:
    rows = AuditEvent.objects.filter(action=action, target_id=str(target.public_id))
    assert rows.count() == 1
    return rows.get()


def community_user(cast, username: str, area=None):
    user = create_user(acting_user=None, username=username, password=None)
    grant_role(acting_user=None, user=user, role=Role.COMMUNITY, area=area or cast.places.a1)
    return user


# --- logging --------------------------------------------------------------------------------------


def test_log_a_record(cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    assert record.state == RecordState.SUBMITTED and record.flags == []
    assert record.member == cast.m_member and record.unit == cast.places.unit_a
    assert record.community_path == cast.places.a1.path and record.beneficiary_name == "孙大妈"
    [(from_state, to_state, action, actor)] = events(record)
    assert (from_state, to_state, action, actor) == ("", "submitted", "log", cast.member.pk)
    assert ServiceRecordEvent.objects.get(record=record).at is not None
    assert audited("service.record_logged", record).actor == cast.member
    assert cast.resident.notifications.filter(kind="service.record_to_confirm").exists()


def test_log_with_photos(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photos = [SimpleUploadedFile(f"p{i}.png", picture(fmt="PNG"), content_type="image/png") for i in range(2)]
    record = log(cast, photos=photos)
    assert record.photos.count() == 2
    assert all(p.image.name.endswith(".png") and p.phone and p.thumb for p in record.photos.all())


def test_logging_against_a_need_marks_it_served(cast):
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    record = log(cast, need=need, category=item("home_repair"))
    need.refresh_from_db()
    assert need.state == NeedState.DONE
    assert need.assignments.get().state == AssignmentState.DONE
    assert record.beneficiary_resident == cast.r_a and record.community == cast.places.a1
    serve = NeedEvent.objects.filter(need=need).order_by("-id").first()
    assert (serve.from_state, serve.to_state, serve.action, serve.actor) == (
        "taken",
        "done",
        "serve",
        cast.member,
    )


def test_logging_on_a_post_pairing_and_project(cast):
    post = post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="矛盾调解岗",
        category=item("mediation"),
        schedule="每周三",
        capacity=3,
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    with refused(ValidationError, "You can log service on a post you hold."):
        log(cast, post=post, category=item("mediation"))
    post_actions.claim_post(acting_user=cast.member, post=post)
    assert log(cast, post=post, category=item("mediation")).post == post

    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    on_visit = log(cast, pairing=pairing, started_at=at(3, 9))
    assert on_visit.beneficiary_resident == cast.r_a

    project = Project.objects.create(
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        title="养老中心",
        state=ProjectState.PROPOSED,
    )
    with refused(ValidationError, "The project is not running."):
        log(cast, project=project, started_at=at(4, 9))
    Project.objects.filter(pk=project.pk).update(state=ProjectState.IN_PROGRESS)
    project.refresh_from_db()
    assert log(cast, project=project, started_at=at(4, 9)).community == cast.places.a1


def test_a_member_who_left_a_post_logs_no_new_service_on_it(cast):
    post = post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="矛盾调解岗",
        category=item("mediation"),
        schedule="每周三",
        capacity=3,
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    claim = post_actions.claim_post(acting_user=cast.member, post=post)
    post_actions.leave_post(acting_user=cast.member, claim=claim)
    PostClaim.objects.filter(pk=claim.pk).update(claimed_at=at(9, 8), left_at=at(5, 8))
    # service while holding the post is fine; service after leaving it is not
    assert log(cast, post=post, category=item("mediation"), started_at=at(6, 9)).post == post
    with refused(ValidationError, "You can log service on a post you hold."):
        log(cast, post=post, category=item("mediation"), started_at=at(2, 9))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("future", "Service cannot be logged before it has happened."),
        ("ends_in_future", "Service cannot be logged before it has happened."),
        ("too_old", "Service older than 30 days cannot be logged; ask the community."),
        ("too_short", "A service lasts between 5 minutes and 24 hours."),
        ("too_long", "A service lasts between 5 minutes and 24 hours."),
        ("big_category", "Choose an item of the service menu."),
        ("no_description", "Say what you did."),
        ("not_served", "You serve the community you live in or report to, not 中山社区."),
        ("no_community", "Choose the community you served."),
        ("seven_photos", "At most 6 photos per record."),
        ("not_a_photo", "notes.txt is not a photo"),
    ],
)
def test_log_refusals(cast, case, message):
    kwargs: dict = {}
    now = timezone.now()
    if case == "future":
        kwargs["started_at"] = now + timedelta(hours=1)
    elif case == "ends_in_future":
        kwargs["started_at"], kwargs["minutes"] = now - timedelta(minutes=30), 60
    elif case == "too_old":
        kwargs["started_at"] = now - timedelta(days=31)
    elif case == "too_short":
        kwargs["minutes"] = 4
    elif case == "too_long":
        kwargs["minutes"] = 24 * 60 + 1
    elif case == "big_category":
        kwargs["category"] = item("livelihood")
    elif case == "no_description":
        kwargs["description"] = "  "
    elif case == "not_served":
        kwargs["community"] = cast.places.a2
    elif case == "no_community":
        kwargs["community"] = None
    elif case == "seven_photos":
        kwargs["photos"] = [SimpleUploadedFile(f"{i}.jpg", b"x", content_type="image/jpeg") for i in range(7)]
    elif case == "not_a_photo":
        kwargs["photos"] = [SimpleUploadedFile("notes.txt", b"x", content_type="text/plain")]
    with refused(ValidationError, message):
        log(cast, **kwargs)


def test_only_members_log(cast):
    with refused(PermissionDenied, "Only members log their own service."):
        log(cast, user=cast.resident)
    with refused(PermissionDenied, "Only members log their own service."):
        log(cast, user=cast.community)


def test_a_need_taken_by_somebody_else_cannot_be_logged(cast):
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    message = "You can log service against a need you have taken and not yet served."
    with refused(ValidationError, message, need):
        log(cast, need=need)
    actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_a)
    with refused(ValidationError, message, need):
        log(cast, need=need)


# --- plausibility flags ---------------------------------------------------------------------------


def test_overlap_is_flagged(cast):
    log(cast, started_at=at(2, 9), minutes=60)
    record = log(cast, started_at=at(2, 9) + timedelta(minutes=30), minutes=60)
    assert record.state == RecordState.FLAGGED and record.flags == [Flag.OVERLAP]
    assert record.flag_labels() == ["Overlaps another record of the member"]
    assert cast.community.notifications.filter(kind="service.record_flagged").exists()
    # back to back is fine
    assert log(cast, started_at=at(2, 10) + timedelta(minutes=30), minutes=30).state == RecordState.SUBMITTED


def test_more_hours_a_day_than_allowed_is_flagged(cast):
    log(cast, started_at=at(2, 8), minutes=5 * 60)
    fine = log(cast, started_at=at(2, 13), minutes=3 * 60)  # exactly 8 h
    assert fine.state == RecordState.SUBMITTED
    record = log(cast, started_at=at(2, 17), minutes=5)
    assert record.state == RecordState.FLAGGED and record.flags == [Flag.LONG_DAY]


@override_settings(SERVICE_MAX_HOURS_PER_DAY=2)
def test_the_daily_limit_follows_the_setting(cast):
    log(cast, started_at=at(2, 8), minutes=90)
    assert log(cast, started_at=at(2, 10), minutes=31).flags == [Flag.LONG_DAY]


def test_the_same_beneficiary_more_than_n_times_a_week_is_flagged(cast):
    for days_ago in (6, 5, 4):
        assert (
            log(cast, started_at=at(days_ago, 9), beneficiary_resident=cast.r_a).state
            == RecordState.SUBMITTED
        )
    fourth = log(cast, started_at=at(3, 9), beneficiary_resident=cast.r_a)
    assert fourth.state == RecordState.FLAGGED and fourth.flags == [Flag.SAME_BENEFICIARY]
    # by name, too, when the beneficiary has no resident record
    for days_ago in (6, 5, 4):
        log(cast, started_at=at(days_ago, 14), beneficiary_name="王奶奶")
    assert log(cast, started_at=at(3, 14), beneficiary_name="王奶奶").flags == [Flag.SAME_BENEFICIARY]
    # a week earlier does not count
    assert log(cast, started_at=at(12, 9), beneficiary_resident=cast.r_a).state == RecordState.SUBMITTED


def test_the_same_beneficiary_is_flagged_whatever_order_the_records_are_logged_in(cast):
    """Records logged late (the older service logged last) are held just the same."""
    for days_ago in (3, 4, 5):
        log(cast, started_at=at(days_ago, 9), beneficiary_resident=cast.r_a)
    fourth = log(cast, started_at=at(6, 9), beneficiary_resident=cast.r_a)
    assert fourth.flags == [Flag.SAME_BENEFICIARY]


def test_a_flagged_record_is_confirmed_only_by_the_community_with_a_note(cast):
    log(cast, started_at=at(2, 9), minutes=60, beneficiary_resident=cast.r_a)
    record = log(cast, started_at=at(2, 9), minutes=30, beneficiary_resident=cast.r_a)
    assert record.state == RecordState.FLAGGED
    held = "This record is held for the community's review; the community will confirm it."
    with refused(ValidationError, held, record):
        record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record))
    with refused(ValidationError, held, record):
        record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    with refused(ValidationError, "Say what you checked before confirming a flagged record.", record):
        record_actions.confirm_as_organiser(acting_user=cast.community, record=record, note=" ")
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record, note="电话核实")
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == ConfirmedVia.COMMUNITY
    assert events(record)[-1] == ("flagged", "confirmed", "confirm", cast.community.pk)
    assert ServiceRecordEvent.objects.filter(record=record, action="confirm").get().reason == "电话核实"


# --- confirmation by code ---------------------------------------------------------------------------


def test_confirm_with_the_code_without_an_account(cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    done = record_actions.confirm_with_code(record=record, code=f" {codes.confirmation_code(record)} ")
    assert done.state == RecordState.CONFIRMED and done.confirmed_via == ConfirmedVia.CODE
    assert done.confirmed_by is None and done.code_used_at is not None
    assert events(record)[-1] == ("submitted", "confirmed", "confirm", None)
    row = audited("service.record_confirmed", record)
    assert row.actor is None and row.actor_label == "beneficiary (code)"
    assert row.detail == {"via": "code", "points": 10}
    assert PointEntry.objects.filter(record=record).count() == 1
    assert cast.member.notifications.filter(kind="service.record_confirmed").exists()
    with refused(ValidationError, "This record is already confirmed.", record):
        record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record))


def test_the_member_cannot_confirm_their_own_record_with_the_code(cast):
    record = log(cast)
    with refused(PermissionDenied, "You cannot confirm your own service record.", record):
        record_actions.confirm_with_code(
            record=record, code=codes.confirmation_code(record), acting_user=cast.member
        )


def test_wrong_codes_are_counted_then_the_record_goes_to_the_community(cast, settings):
    assert settings.SERVICE_CODE_ATTEMPTS == 5
    record = log(cast)
    right = codes.confirmation_code(record)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in range(1, 5):
        assert record_actions.confirm_with_code(record=record, code=wrong) is None
        record.refresh_from_db()
        assert record.state == RecordState.SUBMITTED
        assert ServiceRecordEvent.objects.filter(record=record, action="code_failed").count() == attempt
    assert (
        AuditEvent.objects.filter(
            action="service.record_code_failed", target_id=str(record.public_id), outcome=Outcome.FAILURE
        ).count()
        == 4
    )
    assert record_actions.confirm_with_code(record=record, code=wrong) is None
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED and "code_attempts" in record.flags
    assert events(record)[-1][:3] == ("submitted", "flagged", "flag")
    with refused(ValidationError, "held for the community's review", record):
        record_actions.confirm_with_code(record=record, code=right)
    assert not PointEntry.objects.filter(record=record).exists()


def test_a_record_flagged_for_wrong_codes_says_why(cast):
    record = log(cast)
    for _ in range(5):
        record_actions.confirm_with_code(
            record=record, code="000000" if codes.confirmation_code(record) != "000000" else "111111"
        )
    record.refresh_from_db()
    assert record.state == RecordState.FLAGGED
    assert record.flag_labels(), "the workbench shows why the record is held"


def test_a_right_code_after_some_wrong_ones_still_works(cast):
    record = log(cast)
    right = codes.confirmation_code(record)
    for _ in range(4):
        record_actions.confirm_with_code(record=record, code="x")
    assert record_actions.confirm_with_code(record=record, code=right).state == RecordState.CONFIRMED


def test_a_bad_score_with_the_code_changes_nothing(cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    with refused(ValidationError, "Rate from 1 to 5 stars.", record):
        record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record), score=9)


# --- confirmation by the beneficiary and the organiser --------------------------------------------


def test_the_beneficiary_confirms_in_their_account_and_rates(cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    with refused(PermissionDenied, "Only the person served can confirm this way.", record):
        record_actions.confirm_as_beneficiary(acting_user=cast.community, record=record)
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record, score=4, comment="很耐心")
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == ConfirmedVia.BENEFICIARY
    assert record.confirmed_by == cast.resident
    assert record.rating.score == 4 and record.rating.rated_by == cast.resident
    assert events(record)[-1] == ("submitted", "confirmed", "confirm", cast.resident.pk)
    assert audited("service.record_confirmed", record).actor == cast.resident
    with refused(ValidationError, "This record is already confirmed.", record):
        record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    with refused(ValidationError, "This record is already confirmed.", record):
        record_actions.confirm_as_organiser(acting_user=cast.community, record=record)


def test_a_member_cannot_confirm_their_own_record_as_its_beneficiary(cast):
    grant_role(acting_user=None, user=cast.member, role=Role.RESIDENT)
    me = save_resident(acting_user=None, name="张三丰", residence_area=cast.places.a1, phone="13900003333")
    me.user = cast.member
    me.save(update_fields=["user"])
    record = log(cast, beneficiary_resident=me)
    with refused(PermissionDenied, "You cannot confirm your own service record.", record):
        record_actions.confirm_as_beneficiary(acting_user=cast.member, record=record)


def test_a_member_cannot_confirm_their_own_record_as_the_community(cast):
    grant_role(acting_user=None, user=cast.member, role=Role.COMMUNITY, area=cast.places.a1)
    record = log(cast)
    with refused(PermissionDenied, "You cannot confirm your own service record.", record):
        record_actions.confirm_as_organiser(acting_user=cast.member, record=record)
    with refused(PermissionDenied, "You cannot confirm your own service record.", record):
        record_actions.reject_service_record(acting_user=cast.member, record=record, reason="x")


def test_the_community_confirms(cast):
    record = log(cast)
    with refused(PermissionDenied, "Only the community or the organiser can confirm this record.", record):
        record_actions.confirm_as_organiser(acting_user=cast.community2, record=record)
    with refused(PermissionDenied, "Only the community or the organiser can confirm this record.", record):
        record_actions.confirm_as_organiser(acting_user=cast.resident, record=record)
    record_actions.confirm_as_organiser(acting_user=cast.street, record=record)
    record.refresh_from_db()
    assert record.confirmed_via == ConfirmedVia.COMMUNITY and record.confirmed_by == cast.street


def test_the_organiser_of_a_post_confirms_but_does_not_review(cast):
    organiser = community_user(cast, "organiser")
    post = post_actions.publish_post(
        acting_user=organiser,
        community=cast.places.a1,
        title="文明劝导岗",
        category=item("civility"),
        schedule="每天 7:00–9:00",
        capacity=5,
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    revoke_role(acting_user=None, grant=RoleGrant.objects.get(user=organiser, role=Role.COMMUNITY))
    forget_scope(organiser)
    post_actions.claim_post(acting_user=cast.member, post=post)
    record = log(cast, post=post, category=item("civility"))
    record_actions.confirm_as_organiser(acting_user=organiser, record=record)
    record.refresh_from_db()
    assert record.confirmed_via == ConfirmedVia.ORGANISER and record.confirmed_by == organiser

    log(cast, post=post, category=item("civility"), started_at=at(1, 9))
    flagged = log(cast, post=post, category=item("civility"), started_at=at(1, 9))
    assert flagged.state == RecordState.FLAGGED
    with refused(PermissionDenied, "A flagged record is reviewed by the community.", flagged):
        record_actions.confirm_as_organiser(acting_user=organiser, record=flagged, note="checked")


# --- rejection -------------------------------------------------------------------------------------


def test_reject_with_a_reason(cast):
    record = log(cast)
    with refused(ValidationError, "Say why the record is rejected.", record):
        record_actions.reject_service_record(acting_user=cast.community, record=record, reason=" ")
    with refused(PermissionDenied, "Only the community can reject a service record.", record):
        record_actions.reject_service_record(acting_user=cast.resident, record=record, reason="x")
    with refused(PermissionDenied, "Only the community can reject a service record.", record):
        record_actions.reject_service_record(acting_user=cast.community2, record=record, reason="x")
    record_actions.reject_service_record(acting_user=cast.community, record=record, reason="当天未见到")
    record.refresh_from_db()
    assert record.state == RecordState.REJECTED and record.reject_reason == "当天未见到"
    assert events(record)[-1] == ("submitted", "rejected", "reject", cast.community.pk)
    assert audited("service.record_rejected", record).detail == {"reason": "当天未见到"}
    assert cast.member.notifications.filter(kind="service.record_rejected").exists()
    with refused(ValidationError, "This record is Rejected; it cannot be rejected.", record):
        record_actions.reject_service_record(acting_user=cast.community, record=record, reason="x")
    with refused(ValidationError, "This record was rejected; it cannot be confirmed.", record):
        record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    with refused(ValidationError, "This record was rejected; it cannot be confirmed.", record):
        record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record))
    # a rejected record does not count against the next one
    assert log(cast).state == RecordState.SUBMITTED


def test_a_confirmed_record_cannot_be_rejected(cast):
    record = log(cast)
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    with refused(ValidationError, "This record is Confirmed; it cannot be rejected.", record):
        record_actions.reject_service_record(acting_user=cast.community, record=record, reason="x")


def test_rejecting_a_record_of_a_need_sends_the_need_back_to_the_taker(cast):
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    record = log(cast, need=need, category=item("home_repair"))
    record_actions.reject_service_record(acting_user=cast.community, record=record, reason="灯还是不亮")
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN
    assert need.assignments.get().state == AssignmentState.ACCEPTED
    # the need's move back is in its history, with who and why
    back = NeedEvent.objects.filter(need=need).order_by("-id").first()
    assert (back.from_state, back.to_state, back.actor) == ("done", "taken", cast.community)
    # the taker can log again
    again = log(cast, need=need, category=item("home_repair"), started_at=at(1, 9))
    assert again.state == RecordState.SUBMITTED


def test_confirming_a_record_closes_its_need(cast):
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    record = log(cast, need=need, category=item("home_repair"))
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    need.refresh_from_db()
    assert need.state == NeedState.CLOSED and need.closed_at is not None
    close = NeedEvent.objects.filter(need=need).order_by("-id").first()
    assert (close.from_state, close.to_state, close.action, close.actor) == (
        "done",
        "closed",
        "close",
        cast.resident,
    )


# --- ratings --------------------------------------------------------------------------------------


def test_rate_service(cast):
    record = log(cast, beneficiary_resident=cast.r_a)
    with refused(ValidationError, "A service is rated once it is confirmed.", record):
        record_actions.rate_service(acting_user=cast.resident, record=record, score=5)
    record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record))
    with refused(PermissionDenied, "Only the person served can rate this service.", record):
        record_actions.rate_service(acting_user=cast.member, record=record, score=5)
    with refused(ValidationError, "Rate from 1 to 5 stars.", record):
        record_actions.rate_service(acting_user=cast.resident, record=record, score=0)
    with refused(ValidationError, "Rate from 1 to 5 stars.", record):
        record_actions.rate_service(acting_user=cast.resident, record=record, score="five")
    rating = record_actions.rate_service(acting_user=cast.resident, record=record, score="5", comment="好")
    assert rating.score == 5 and rating.rated_by == cast.resident
    assert audited("service.record_rated", record).detail == {"score": 5}
    with refused(ValidationError, "This service has already been rated.", record):
        record_actions.rate_service(acting_user=cast.resident, record=record, score=3)


def test_rate_project(cast):
    project = Project.objects.create(
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        title="养老中心",
        state=ProjectState.IN_PROGRESS,
    )
    with refused(ValidationError, "A project is rated once it is completed.", project):
        project_actions.rate_project(acting_user=cast.resident, project=project, score=5)
    Project.objects.filter(pk=project.pk).update(state=ProjectState.COMPLETED)
    project.refresh_from_db()
    with refused(PermissionDenied, "Residents of 龙津社区 rate its projects.", project):
        project_actions.rate_project(acting_user=cast.member, project=project, score=5)
    outsider = create_user(acting_user=None, username="zhou", password=None)
    grant_role(acting_user=None, user=outsider, role=Role.RESIDENT)
    cast.r_b.user = outsider
    cast.r_b.save(update_fields=["user"])
    with refused(PermissionDenied, "Residents of 龙津社区 rate its projects.", project):
        project_actions.rate_project(acting_user=outsider, project=project, score=5)
    rating = project_actions.rate_project(acting_user=cast.resident, project=project, score=4)
    assert rating.project == project
    assert audited("service.project_rated", project).actor == cast.resident
    with refused(ValidationError, "You have already rated this project.", project):
        project_actions.rate_project(acting_user=cast.resident, project=project, score=5)


def test_logging_reads_the_need_as_it_is_now(cast):
    """The need object a caller holds may be older than the database (the page was opened before the
    member took it): the action re-reads (and locks) the need rather than trust the copy."""
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    actions.take_need(acting_user=cast.member, need=need)
    assert need.state == NeedState.OPEN  # the caller's copy
    record = log(cast, need=need, category=item("home_repair"))
    assert Need.objects.get(pk=need.pk).state == NeedState.DONE
    assert record.need_id == need.pk


def test_the_record_of_a_need_must_be_on_a_taken_need(cast):
    need = actions.post_need(acting_user=cast.resident, title="换灯泡", category=item("home_repair"))
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    log(cast, need=need, category=item("home_repair"))
    stale = Need.objects.get(pk=need.pk)
    stale.state = NeedState.TAKEN  # an old copy of the need, as a form posted twice would carry
    with refused(ValidationError, "You can log service against a need you have taken and not yet served."):
        log(cast, need=stale, category=item("home_repair"), started_at=at(1, 9))
