"""API of service records (服务记实) and their confirmation (服务确认), rejection, ratings and photos.
Conventions as in service/api_lookups.py; shapes in service/records/schemas.py. Operation ids keep the
names the API published before the service app was split by noun (clients generate code from them)."""

from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from access import is_member_themself, is_resident_themself
from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from people.models import Resident
from service.api_lookups import REFUSALS, category_of, community_of
from service.models import (
    HouseholdPairing,
    Need,
    Project,
    RecordState,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
)
from service.records import actions, codes, disputes
from service.records.imaging import DEFAULT_SIZE, PhotoSize
from service.records.photos import photo_response
from service.records.schemas import ConfirmIn, DisputeIn, RecordDetailOut, RecordIn, RecordOut, RecordQuery
from service.schemas import RateIn, ReasonIn

router = Router(tags=["service"])

STAFF = roles.SERVICE_STAFF_ROLES


def _public_id_of(model, field: str) -> Subquery:
    """The public id of the row ``field`` points to, as a sub-select run for the rows fetched."""
    return Subquery(model.objects.filter(pk=OuterRef(field)).values("public_id")[:1])


def _records(request: HttpRequest) -> QuerySet[ServiceRecord]:
    """The records the caller may see with what a record's answer names. Four tables joined, the
    rest fetched beside them: joined all at once (twelve tables), PostgreSQL spent 20–30 ms planning
    a page that runs in 1 ms (EXPLAIN's planning time on the 200,000-member tier)."""
    return (
        ServiceRecord.objects.visible_to(request.auth)
        .select_related("member", "unit", "community", "category")
        .prefetch_related("beneficiary_resident", "rating", "post")
        .annotate(
            need_uuid=_public_id_of(Need, "need_id"),
            post_uuid=_public_id_of(ServicePost, "post_id"),
            pairing_uuid=_public_id_of(HouseholdPairing, "pairing_id"),
            project_uuid=_public_id_of(Project, "project_id"),
        )
    )


def _record(request: HttpRequest, record_id: UUID) -> ServiceRecord:
    return get_object_or_404(_records(request), public_id=record_id)


def _record_detail(request: HttpRequest, record_id: UUID) -> ServiceRecord:
    records = _records(request).prefetch_related(
        "photos", Prefetch("events", queryset=ServiceRecordEvent.objects.select_related("actor"))
    )
    record = get_object_or_404(records, public_id=record_id)
    # The member shows this code to the person served (typed, or as the QR code of the record page).
    own = is_member_themself(request.auth, record.member)
    record.confirmation_code = (
        codes.confirmation_code(record) if own and record.state == RecordState.SUBMITTED else None
    )
    return record


@router.get("/service-records", response=list[RecordOut], operation_id="service_record_api_list_records")
@paginate(ListPage)
def list_records(request: HttpRequest, filters: Query[RecordQuery]):
    """服务记实: service records, latest service first: the areas theirs, units their members', the
    member their own, residents those they were served by. Roles: areas, unit admin, inspector,
    member, resident; else 403."""
    require_roles(request, roles.RECORD_READ_ROLES)
    records = _records(request)
    if filters.state:
        records = records.filter(state=filters.state)
    if filters.member:
        records = records.filter(member__public_id=filters.member)
    if filters.community:
        records = records.filter(community__public_id=filters.community)
    start, end = filters.bounds()
    if start:
        records = records.filter(started_at__gte=start)
    if end:
        records = records.filter(started_at__lt=end)
    return records


@router.post(
    "/service-records",
    response={201: RecordDetailOut, **REFUSALS},
    operation_id="service_record_api_log_record",
)
def log_record(request: HttpRequest, payload: RecordIn):
    """A member logs service they gave (photos: on the record page). Against a need they took, the
    need becomes served. Implausible records are flagged for the community. Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    user = request.auth
    record = actions.log_service_record(
        acting_user=user,
        category=category_of(request, payload.category),
        started_at=payload.started_at,
        minutes=payload.minutes,
        description=payload.description,
        community=community_of(payload.community),
        need=one_of(Need.objects.visible_to(user), payload.need, _("Unknown need.")),
        post=one_of(ServicePost.objects.visible_to(user), payload.post, _("Unknown service post.")),
        pairing=one_of(HouseholdPairing.objects.visible_to(user), payload.pairing, _("Unknown pairing.")),
        project=one_of(Project.objects.visible_to(user), payload.project, _("Unknown project.")),
        beneficiary_resident=one_of(
            Resident.objects.visible_to(user), payload.beneficiary, _("Unknown resident.")
        ),
        beneficiary_name=payload.beneficiary_name,
        request=request,
    )
    return Status(201, _record_detail(request, record.public_id))


@router.get(
    "/service-records/{record_id}",
    response={200: RecordDetailOut, 404: ErrorOut},
    operation_id="service_record_api_get_record",
)
def get_record(request: HttpRequest, record_id: UUID):
    """One record with its photos and history; its member also gets the confirmation code while it
    waits. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.RECORD_READ_ROLES)
    return _record_detail(request, record_id)


@router.get(
    "/service-records/{record_id}/photos/{n}",
    response={404: ErrorOut},
    operation_id="service_record_api_get_record_photo",
)
def get_record_photo(request: HttpRequest, record_id: UUID, n: int, size: PhotoSize = DEFAULT_SIZE):
    """The record's n-th photo (from 1) as an image file, for callers who may see the record: ``phone``
    (long edge 1280 px, the default), ``thumb`` (320 px, for lists) or ``original`` (every pixel); all
    upright and without metadata (no location)."""
    require_roles(request, roles.RECORD_READ_ROLES)
    if not 1 <= n <= settings.PHOTOS_PER_RECORD:
        return Status(404, {"detail": _("Not found.")})
    return photo_response(get_object_or_404(_records(request), public_id=record_id), n, size)


@router.post(
    "/service-records/{record_id}/confirm",
    response={200: RecordDetailOut, **REFUSALS},
    operation_id="service_record_api_confirm_record",
)
def confirm_record(request: HttpRequest, record_id: UUID, payload: ConfirmIn):
    """服务确认, decided by who calls: the person served (their resident account) confirms and may
    rate (``score``, ``comment``); the community or the post's organiser confirms (``note``, needed
    for a flagged record); anyone else who can see the record confirms with the member's ``code``
    (a wrong code answers 422 and counts towards the limit). One's own record, a record already
    confirmed or rejected, or a flagged one by code are refused. Confirmation books the points.
    Roles as for the list; else 403."""
    require_roles(request, roles.RECORD_READ_ROLES)
    user = request.auth
    record = _record(request, record_id)
    if is_resident_themself(user, record.beneficiary_resident):
        actions.confirm_as_beneficiary(
            acting_user=user, record=record, score=payload.score, comment=payload.comment, request=request
        )
    elif payload.code and not actions.organises(user, record):
        confirmed = actions.confirm_with_code(
            record=record,
            code=payload.code,
            acting_user=user,
            score=payload.score,
            comment=payload.comment,
            request=request,
        )
        if confirmed is None:
            raise ValidationError(_("The code does not match."))
    else:  # the organiser or the community; anyone else is refused with the action's message
        actions.confirm_as_organiser(acting_user=user, record=record, note=payload.note, request=request)
    return _record_detail(request, record_id)


@router.post(
    "/service-records/{record_id}/dispute",
    response={200: RecordDetailOut, **REFUSALS},
    operation_id="service_record_api_dispute_record",
)
def dispute_record(request: HttpRequest, record_id: UUID, payload: DisputeIn):
    """The person served says the service did not happen, with a ``reason``: in their resident account,
    or with the member's ``code`` (a wrong code answers 422 and counts towards the limit). The record
    is held for the community's review and books no points until the community decides. The member
    who logged it cannot dispute it (403). Roles as for the list; else 403."""
    require_roles(request, roles.RECORD_READ_ROLES)
    user = request.auth
    record = _record(request, record_id)
    if payload.code and not is_resident_themself(user, record.beneficiary_resident):
        disputed = disputes.dispute_with_code(
            record=record, code=payload.code, reason=payload.reason, acting_user=user, request=request
        )
        if disputed is None:
            raise ValidationError(_("The code does not match."))
    else:
        disputes.dispute_as_beneficiary(
            acting_user=user, record=record, reason=payload.reason, request=request
        )
    return _record_detail(request, record_id)


@router.post(
    "/service-records/{record_id}/reject",
    response={200: RecordDetailOut, **REFUSALS},
    operation_id="service_record_api_reject_record",
)
def reject_record(request: HttpRequest, record_id: UUID, payload: ReasonIn):
    """The community rejects a waiting record, with the reason the member sees.
    Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.reject_service_record(
        acting_user=request.auth, record=_record(request, record_id), reason=payload.reason, request=request
    )
    return _record_detail(request, record_id)


@router.post(
    "/service-records/{record_id}/rate",
    response={200: RecordDetailOut, **REFUSALS},
    operation_id="service_record_api_rate_record",
)
def rate_record(request: HttpRequest, record_id: UUID, payload: RateIn):
    """The person served rates a confirmed service, once (1–5). Role: resident; else 403."""
    require_roles(request, (Role.RESIDENT,))
    actions.rate_service(
        acting_user=request.auth,
        record=_record(request, record_id),
        score=payload.score,
        comment=payload.comment,
        request=request,
    )
    return _record_detail(request, record_id)
