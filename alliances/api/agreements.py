"""The agreements' API: /api/v1/agreements (list, one, draft, sign, end, renew). Reads go through
``Agreement.objects.visible_to`` (a unit sees its own only; outside: 404 like missing); writes call
alliances/agreements.py, whose refusals answer 403/422 with the action's words."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from alliances import agreements as actions
from alliances.models import Agreement, Alliance
from alliances.pages.agreements import AGREEMENT_ROLES, DRAFT_ROLES, filter_state
from alliances.schemas_agree import (
    AgreementDetailOut,
    AgreementEndIn,
    AgreementIn,
    AgreementOut,
    AgreementQuery,
    AgreementRenewIn,
)
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from orgs.models import Unit
from places.models import Area, AreaLevel
from service.models import Project, Resource

router = Router(tags=["alliances"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _agreements(request: HttpRequest) -> QuerySet[Agreement]:
    return Agreement.objects.visible_to(request.auth).select_related("alliance", "unit", "community")


def _detail(request: HttpRequest, agreement_id: UUID) -> dict:
    agreement = get_object_or_404(_agreements(request).select_related("previous"), public_id=agreement_id)
    out = {
        f: getattr(agreement, f)
        for f in (
            "public_id",
            "alliance",
            "unit",
            "community",
            "title",
            "state",
            "starts_on",
            "ends_on",
            "unit_signed_at",
            "lead_signed_at",
            "terms",
            "ended_on",
            "end_reason",
        )
    }
    out["previous"] = agreement.previous.public_id if agreement.previous else None
    out["commitments"] = [
        {
            "public_id": c.public_id,
            "kind": c.kind,
            "description": c.description,
            "quantity": c.quantity,
            "measure": c.measure,
            "resource": c.resource.public_id if c.resource else None,
            "project": c.project.public_id if c.project else None,
        }
        for c in agreement.commitments.select_related("resource", "project")
    ]
    return out


@router.get(
    "/agreements",
    response=list[AgreementOut],
    operation_id="list_agreements",
    description="The agreements the caller may see (the alliance's area staff all of them; a unit its "
    "own), the ones ending first first. Roles: the areas, unit admins, departments, inspectors; else 403.",
)
@paginate(ListPage)
def list_agreements(request: HttpRequest, filters: Query[AgreementQuery]):
    require_roles(request, AGREEMENT_ROLES)
    agreements = _agreements(request)
    if filters.alliance:
        agreements = agreements.filter(alliance__public_id=filters.alliance)
    if filters.unit:
        agreements = agreements.filter(unit__public_id=filters.unit)
    return filter_state(agreements, filters.state or "", timezone.localdate()).order_by("ends_on", "id")


@router.get(
    "/agreements/{agreement_id}",
    response={200: AgreementDetailOut, 404: ErrorOut},
    operation_id="get_agreement",
    description="One agreement with its terms and responsibility list. Outside the caller's scope: 404.",
)
def get_agreement(request: HttpRequest, agreement_id: UUID):
    require_roles(request, AGREEMENT_ROLES)
    return _detail(request, agreement_id)


@router.post(
    "/agreements",
    response={201: AgreementDetailOut, **REFUSALS},
    operation_id="draft_agreement",
    description="The alliance's lead or the unit drafts the unit's agreement with its responsibility "
    "list (a member unit; ends on or after it starts; a paired community in the alliance's area). Roles: "
    "street, community, unit admin, department; else 403.",
)
def draft_agreement(request: HttpRequest, payload: AgreementIn):
    require_roles(request, DRAFT_ROLES)
    alliance = get_object_or_404(Alliance.objects.visible_to(request.auth), public_id=payload.alliance)
    agreement = actions.draft_agreement(
        acting_user=request.auth,
        alliance=alliance,
        unit=one_of(Unit.objects.all(), payload.unit, _("Unknown unit.")),
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        terms=payload.terms,
        community=one_of(
            Area.objects.filter(level=AreaLevel.COMMUNITY), payload.community, _("Unknown community.")
        ),
        commitments=[
            {
                **c.model_dump(exclude={"resource", "project"}),
                "resource": one_of(Resource.objects.all(), c.resource, _("Unknown resource.")),
                "project": one_of(Project.objects.all(), c.project, _("Unknown project.")),
            }
            for c in payload.commitments
        ],
        request=request,
    )
    return Status(201, _detail(request, agreement.public_id))


def _one(request: HttpRequest, agreement_id: UUID) -> Agreement:
    return get_object_or_404(_agreements(request), public_id=agreement_id)


@router.post(
    "/agreements/{agreement_id}/sign",
    response={200: AgreementDetailOut, **REFUSALS},
    operation_id="sign_agreement",
    description="The caller signs their side (the unit's admin for the unit, the lead for the alliance); "
    "with both signatures it is in force, and a renewal replaces the agreement it renews.",
)
def sign_agreement(request: HttpRequest, agreement_id: UUID):
    require_roles(request, DRAFT_ROLES)
    actions.sign_agreement(acting_user=request.auth, agreement=_one(request, agreement_id), request=request)
    return _detail(request, agreement_id)


@router.post(
    "/agreements/{agreement_id}/end",
    response={200: AgreementDetailOut, **REFUSALS},
    operation_id="end_agreement",
    description="Either side ends the agreement early with a reason; its pairing ends the same day.",
)
def end_agreement(request: HttpRequest, agreement_id: UUID, payload: AgreementEndIn):
    require_roles(request, DRAFT_ROLES)
    actions.end_agreement(
        acting_user=request.auth,
        agreement=_one(request, agreement_id),
        reason=payload.reason,
        request=request,
    )
    return _detail(request, agreement_id)


@router.post(
    "/agreements/{agreement_id}/renew",
    response={201: AgreementDetailOut, **REFUSALS},
    operation_id="renew_agreement",
    description="A new draft carrying on a signed agreement (terms and commitments copied), starting the "
    "day after it ends unless told otherwise.",
)
def renew_agreement(request: HttpRequest, agreement_id: UUID, payload: AgreementRenewIn):
    require_roles(request, DRAFT_ROLES)
    renewal = actions.renew_agreement(
        acting_user=request.auth,
        agreement=_one(request, agreement_id),
        ends_on=payload.ends_on,
        starts_on=payload.starts_on,
        request=request,
    )
    return Status(201, _detail(request, renewal.public_id))
