"""API of household pairings (结对帮扶): the community pairs a household with a member or a unit and ends
the pairing; the paired member or unit (or the community) logs visits. Conventions as in
service/api_lookups.py; shapes in service/pairings/schemas.py. Operation ids keep the names the API
published before the service app was split by noun (clients generate code from them)."""

from uuid import UUID

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from people.models import Resident
from service.api_lookups import REFUSALS
from service.models import HouseholdPairing
from service.pairings import actions
from service.pairings.schemas import PairingDetailOut, PairingIn, PairingOut, PairingQuery, VisitIn
from service.queries import serving_members, serving_units
from service.schemas import OptionalReasonIn

router = Router(tags=["service"])

STAFF = roles.SERVICE_STAFF_ROLES
VISIT_ROLES = (Role.MEMBER, Role.UNIT_ADMIN, *STAFF)


def _pairings(request: HttpRequest) -> QuerySet[HouseholdPairing]:
    return (
        HouseholdPairing.objects.visible_to(request.auth)
        .select_related("member", "unit", "household", "community")
        .annotate(visit_count=Count("visits"))
    )


def _pairing(request: HttpRequest, pairing_id: UUID) -> HouseholdPairing:
    return get_object_or_404(_pairings(request), public_id=pairing_id)


def _pairing_detail(request: HttpRequest, pairing_id: UUID) -> HouseholdPairing:
    pairings = _pairings(request).prefetch_related("visits__logged_by")
    return get_object_or_404(pairings, public_id=pairing_id)


@router.get("/household-pairings", response=list[PairingOut], operation_id="service_post_api_list_pairings")
@paginate(ListPage)
def list_pairings(request: HttpRequest, filters: Query[PairingQuery]):
    """结对帮扶: members and units paired with households, newest first: the areas and grid workers
    theirs, the member and unit their own, the household its own.
    Roles: areas, grid worker, unit admin, inspector, member, resident; else 403."""
    require_roles(request, roles.PAIRING_READ_ROLES)
    pairings = _pairings(request)
    if filters.community:
        pairings = pairings.filter(community__public_id=filters.community)
    if filters.member:
        pairings = pairings.filter(member__public_id=filters.member)
    if filters.unit:
        pairings = pairings.filter(unit__public_id=filters.unit)
    if filters.active is not None:
        pairings = pairings.filter(ended_on__isnull=filters.active)
    return pairings


@router.post(
    "/household-pairings",
    response={201: PairingDetailOut, **REFUSALS},
    operation_id="service_post_api_pair_household",
)
def pair_household(request: HttpRequest, payload: PairingIn):
    """Pair a household with one member who lives in or reports to its community, or one unit of its
    street or paired with it, saying why (anyone else answers as an unknown id, 422).
    Roles: community, street."""
    require_roles(request, STAFF)
    user = request.auth
    household = one_of(Resident.objects.visible_to(user), payload.household, _("Unknown resident."))
    # Helpers as the page offers them: those who serve the household's community (the action checks too).
    community = household.residence_area
    pairing = actions.pair_household(
        acting_user=user,
        household=household,
        member=one_of(serving_members(user, community), payload.member, _("Choose a member.")),
        unit=one_of(serving_units(user, community), payload.unit, _("Choose a unit.")),
        reason=payload.reason,
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, _pairing_detail(request, pairing.public_id))


@router.get(
    "/household-pairings/{pairing_id}",
    response={200: PairingDetailOut, 404: ErrorOut},
    operation_id="service_post_api_get_pairing",
)
def get_pairing(request: HttpRequest, pairing_id: UUID):
    """One pairing with its visits. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.PAIRING_READ_ROLES)
    return _pairing_detail(request, pairing_id)


@router.post(
    "/household-pairings/{pairing_id}/visits",
    response={201: PairingDetailOut, **REFUSALS},
    operation_id="service_post_api_log_visit",
)
def log_visit(request: HttpRequest, pairing_id: UUID, payload: VisitIn):
    """The paired member or unit (or the community) logs a visit. Roles: member, unit admin,
    community, street; else 403."""
    require_roles(request, VISIT_ROLES)
    actions.log_pairing_visit(
        acting_user=request.auth,
        pairing=_pairing(request, pairing_id),
        visited_on=payload.visited_on,
        note=payload.note,
        request=request,
    )
    return Status(201, _pairing_detail(request, pairing_id))


@router.post(
    "/household-pairings/{pairing_id}/end",
    response={200: PairingDetailOut, **REFUSALS},
    operation_id="service_post_api_end_pairing",
)
def end_pairing(request: HttpRequest, pairing_id: UUID, payload: OptionalReasonIn):
    """End the pairing (the visits stay). Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.end_household_pairing(
        acting_user=request.auth,
        pairing=_pairing(request, pairing_id),
        reason=payload.reason,
        request=request,
    )
    return _pairing_detail(request, pairing_id)
