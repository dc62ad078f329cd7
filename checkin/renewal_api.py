"""API of the check-in renewal period (a city's policy) and of the member's renewal. The writes call
checkin/renewal_actions.py; a city the caller does not keep answers 404, a wrong role 403."""

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from accounts import roles as R
from accounts.api import require_roles
from accounts.models import Role
from checkin.access import kept_cities
from checkin.api import CheckInOut
from checkin.models import CheckIn, CheckInPolicy, RenewalPeriod
from checkin.renewal_actions import renew_checkin, set_renewal_period
from gongjian.api_shapes import ErrorOut, Ref

router = Router(tags=["checkin"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CheckInPolicyOut(Schema):
    city: Ref
    renewal_months: RenewalPeriod = Field(
        description="Members report again this many months after their confirmation; 0: never."
    )
    updated_at: datetime | None


class CheckInPolicyIn(Schema):
    renewal_months: RenewalPeriod = Field(description="0 (never), 3, 6, 12 or 24.")


def _policy_out(city, policy: CheckInPolicy | None) -> dict:
    return {
        "city": city,
        "renewal_months": policy.renewal_months if policy else RenewalPeriod.NONE,
        "updated_at": policy.updated_at if policy else None,
    }


@router.get("/checkin-policies", response={200: list[CheckInPolicyOut], 403: ErrorOut})
def list_policies(request: HttpRequest):
    """The check-in policy (renewal period) of each city the caller keeps.
    Roles: the city's organisation department, platform administrators; else 403."""
    require_roles(request, R.CITY_RULE_ROLES)
    cities = list(kept_cities(request.auth).order_by("code")[:100])
    policies = {p.city_id: p for p in CheckInPolicy.objects.filter(city__in=cities)}
    return [_policy_out(city, policies.get(city.pk)) for city in cities]


@router.put("/checkin-policies/{city_id}", response={200: CheckInPolicyOut, **REFUSALS})
def set_policy(request: HttpRequest, city_id: UUID, payload: CheckInPolicyIn):
    """Set how often the city's in-service members report again; it applies at once to every confirmed
    check-in of the city (the rates and the lists of whom to chase count a lapsed one as not reported).
    Roles: the city's organisation department, platform administrators; else 403. Another city: 404."""
    require_roles(request, R.CITY_RULE_ROLES)
    city = get_object_or_404(kept_cities(request.auth), public_id=city_id)
    policy = set_renewal_period(
        acting_user=request.auth, city=city, months=int(payload.renewal_months), request=request
    )
    return _policy_out(city, policy)


@router.post("/checkins/{checkin_id}/renew", response={200: CheckInOut, **REFUSALS})
def renew(request: HttpRequest, checkin_id: UUID):
    """The member reports again when the city's renewal period is up: the confirmed check-in is checked
    out and a new one submitted to the same community (answered: the new one). Role: the member; else 403."""
    require_roles(request, (Role.MEMBER,))
    checkin = get_object_or_404(
        CheckIn.objects.visible_to(request.auth).select_related("community", "compound", "building"),
        public_id=checkin_id,
    )
    return renew_checkin(acting_user=request.auth, checkin=checkin, request=request)
