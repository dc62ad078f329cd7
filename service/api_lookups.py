"""What the service API's routers share: the refusal responses, and how ids sent in a request become
objects (a community, an item of the menu; any other object through ``gongjian.api_shapes.one_of``).

Conventions of every service router: each write calls the noun's actions, where the rules live. A
refused action answers 422 (ValidationError) or 403 (PermissionDenied) with ``{"detail": message}`` and
changes nothing; an object outside the caller's scope answers 404 exactly like a missing one.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongjian.api_shapes import ErrorOut
from places.models import Area, AreaLevel
from service.models import ServiceCategory

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def community_of(public_id: UUID | None) -> Area | None:
    """Any community of the city: members serve where they report to, not only where they live; the
    action decides whether the caller may act there."""
    if public_id is None:
        return None
    community = Area.objects.filter(public_id=public_id, level=AreaLevel.COMMUNITY).first()
    if community is None:
        raise ValidationError(_("Choose a community."))
    return community


def category_of(request: HttpRequest, public_id: UUID) -> ServiceCategory:
    category = ServiceCategory.objects.visible_to(request.auth).filter(public_id=public_id).first()
    if category is None:
        raise ValidationError(_("Choose an item of the service menu."))
    return category


def by_category(queryset: QuerySet, public_id: UUID | None) -> QuerySet:
    """Filed under the item, or under any item of the big category."""
    if public_id is None:
        return queryset
    return queryset.filter(Q(category__public_id=public_id) | Q(category__parent__public_id=public_id))
