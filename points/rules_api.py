"""API of the point rules (积分规则): their dated versions, for every signed-in user (members should know
how points are earned), and their changes for the city's organisation department and platform
administrators, through points/rule_actions.py. A change takes effect from a coming day; a version in
force is never changed, so points booked under it stay explained."""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from access import kept_cities
from accounts import roles as R
from accounts.api import require_roles
from accounts.scope import scope_for
from gongjian.api_shapes import ANY_SIGNED_IN_USER, ErrorOut, ListPage, Ref
from places.models import Area, AreaLevel
from points import rule_actions
from points.models import PointRule
from points.rules import rule_for
from service.models import ServiceCategory

router = Router(tags=["points"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PointRuleOut(Schema):
    id: UUID = Field(alias="public_id")
    city: Ref | None = Field(description="null: shared by every city.")
    category: Ref | None = Field(description="null: the default rule.")
    points_per_hour: int
    urgent_bonus: int
    daily_cap: int | None = Field(description="null: no cap.")
    in_force: bool = Field(
        alias="active",
        description="false: from effective_from the city keeps no rule of its own for the category.",
    )
    effective_from: date
    created_at: datetime


class PointRuleQuery(Schema):
    city: UUID | None = Field(
        None, description="The versions that apply in this city (its own and the shared ones)."
    )
    category: UUID | None = None


class PointRuleIn(Schema):
    city: UUID | None = Field(
        None, description="null: the rules every city shares (platform administrators)."
    )
    category: UUID | None = Field(
        None, description="An item or big category of the city's menu; null: the default rule."
    )
    points_per_hour: int = Field(ge=0, le=rule_actions.MAX_PER_HOUR)
    urgent_bonus: int = Field(0, ge=0, le=rule_actions.MAX_BONUS)
    daily_cap: int | None = Field(None, ge=1, le=rule_actions.MAX_CAP, description="null: no cap.")
    effective_from: date = Field(description="Tomorrow or a later day.")


class PointRuleEndIn(Schema):
    city: UUID
    category: UUID
    effective_from: date = Field(description="Tomorrow or a later day.")


class PointRuleInForceQuery(Schema):
    city: UUID | None = None
    category: UUID
    on: date | None = Field(None, description="The day of the service (default: today).")


def _city(request: HttpRequest, city_id: UUID | None) -> Area | None:
    """A city the caller keeps (404 otherwise); None for the shared rules."""
    if city_id is None:
        return None
    return get_object_or_404(kept_cities(request.auth), public_id=city_id)


def _category(city: Area | None, category_id: UUID | None) -> ServiceCategory | None:
    if category_id is None:
        return None
    found = ServiceCategory.objects.for_city(city).filter(public_id=category_id).first()
    if found is None:
        raise ValidationError(_("This category is not on the city's service menu."))
    return found


def _versions(request: HttpRequest):
    return PointRule.objects.visible_to(request.auth).select_related("city", "category")


@router.get("/point-rules", response=list[PointRuleOut], openapi_extra=ANY_SIGNED_IN_USER)
@paginate(ListPage)
def list_rules(request: HttpRequest, filters: Query[PointRuleQuery]):
    """Every version of the point rules, oldest first per key (city, category). Any signed-in user."""
    rules = _versions(request)
    if filters.city:
        rules = rules.filter(Q(city__public_id=filters.city) | Q(city__isnull=True))
    if filters.category:
        rules = rules.filter(category__public_id=filters.category)
    return rules.order_by("city_id", "category_id", "effective_from", "id")


@router.get(
    "/point-rules/in-force",
    response={200: PointRuleOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=ANY_SIGNED_IN_USER,
)
def rule_in_force(request: HttpRequest, filters: Query[PointRuleInForceQuery]):
    """The rule a service in the category earns by in the city on a day (the item's, else its big
    category's, else the default; the city's before the shared). Any signed-in user. With no rule at
    all configured: 404."""
    city = None
    if filters.city:
        city = get_object_or_404(Area.objects.filter(level=AreaLevel.CITY), public_id=filters.city)
    category = get_object_or_404(ServiceCategory.objects.visible_to(request.auth), public_id=filters.category)
    rule = rule_for(category, city=city, on=filters.on)
    if rule.pk is None:
        return Status(404, {"detail": _("No point rule is configured.")})
    return _versions(request).get(pk=rule.pk)


@router.post("/point-rules", response={201: PointRuleOut, **REFUSALS})
def set_rule(request: HttpRequest, payload: PointRuleIn):
    """Record a new version of a rule from a coming day (service done from that day earns by it; points
    booked never change). Roles: the city's organisation department, platform administrators (the shared
    rules: platform administrators only); else 403. A city the caller does not keep: 404."""
    require_roles(request, R.CITY_RULE_ROLES)
    city = _city(request, payload.city)
    rule = rule_actions.set_point_rule(
        acting_user=request.auth,
        city=city,
        category=_category(city, payload.category),
        points_per_hour=payload.points_per_hour,
        urgent_bonus=payload.urgent_bonus,
        daily_cap=payload.daily_cap,
        effective_from=payload.effective_from,
        request=request,
    )
    return Status(201, _versions(request).get(pk=rule.pk))


@router.post("/point-rules/end", response={201: PointRuleOut, **REFUSALS})
def end_rule(request: HttpRequest, payload: PointRuleEndIn):
    """From a coming day the city keeps no rule of its own for the category (the next rule down applies).
    Roles as for a change."""
    require_roles(request, R.CITY_RULE_ROLES)
    city = _city(request, payload.city)
    category = _category(city, payload.category)
    rule = rule_actions.end_point_rule(
        acting_user=request.auth,
        city=city,
        category=category,
        effective_from=payload.effective_from,
        request=request,
    )
    return Status(201, _versions(request).get(pk=rule.pk))


@router.delete("/point-rules/{rule_id}", response={204: None, **REFUSALS})
def withdraw_rule(request: HttpRequest, rule_id: UUID):
    """Withdraw a version that has not taken effect yet; one in force stays (422). Roles as for a change;
    another city's version: 404."""
    require_roles(request, R.CITY_RULE_ROLES)
    versions = _versions(request)
    if not scope_for(request.auth).everything:
        versions = versions.filter(city__in=kept_cities(request.auth))
    rule = get_object_or_404(versions, public_id=rule_id)
    rule_actions.withdraw_point_rule(acting_user=request.auth, rule=rule, request=request)
    return Status(204, None)
