"""Every change to what units bring (资源清单): a unit's party admin offers the unit's resources
(people-hours, skills, funds, goods, venues), corrects and withdraws them. Projects commit parts of them
(service/projects/actions.py).

Each action checks who is acting and the rule, writes the change and an audit row in one transaction,
and queues notifications in that transaction (the outbox). A refused action changes nothing and raises
ValidationError or PermissionDenied with a message.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access import administers_unit, community_staff, unit_reaches
from audit.actions import record_event
from notifications.actions import notify
from places.models import AreaLevel
from service.checks import check_category, check_period, clean_quantity, plain_number
from service.models import Resource, ResourceKind, ServiceCategory


def lock_resource(resource: Resource) -> Resource:
    """Re-read the resource under a row lock (an update, or a commitment counting what is left)."""
    return Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=resource.pk)


def _check_offer(unit, community) -> None:
    """A resource is offered to any community, or to one the unit works with."""
    if community is None:
        return
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    if not unit_reaches(unit, community):
        raise ValidationError(
            _(
                "%(unit)s offers resources to communities of its street or paired with it, not to %(community)s."
            )
            % {"unit": unit.name, "community": community.name}
        )


# --- resources ------------------------------------------------------------------------------------


@transaction.atomic
def add_resource(
    *,
    acting_user,
    unit,
    kind: str,
    title: str,
    quantity,
    measure: str,
    available_from=None,
    available_until=None,
    category: ServiceCategory | None = None,
    community=None,
    note: str = "",
    request=None,
) -> Resource:
    """A unit's party admin offers something the unit brings: to any community, or to one."""
    if not administers_unit(acting_user, unit):
        raise PermissionDenied(_("Only the unit's party admin can offer its resources."))
    if kind not in ResourceKind.values:
        raise ValidationError(_("Unknown kind of resource."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Say in a few words what the unit offers."))
    measure = (measure or "").strip()
    if not measure:
        raise ValidationError(_("Say what the quantity counts (hours, yuan, items, m²…)."))
    value = clean_quantity(quantity)
    available_from = available_from or timezone.localdate()
    check_period(available_from, available_until, _("A resource cannot end before it is available."))
    check_category(category)
    _check_offer(unit, community)
    resource = Resource.objects.create(
        unit=unit,
        kind=kind,
        title=title[:80],
        category=category,
        quantity=value,
        measure=measure[:16],
        available_from=available_from,
        available_until=available_until,
        community=community,
        community_path=community.path if community is not None else "",
        note=(note or "").strip()[:300],
        created_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action="service.resource_added",
        request=request,
        target=resource,
        detail={
            "unit": str(unit.public_id),
            "kind": kind,
            "quantity": str(value),
            "measure": resource.measure,
        },
    )
    if community is not None:
        notify(
            recipients=community_staff(community),
            kind="service.resource_offered",
            title=_("%(unit)s offers %(community)s: %(title)s")
            % {"unit": unit.name, "community": community.name, "title": resource.title},
            url=reverse("service:resource_list"),
        )
    return resource


def committed_quantity(resource: Resource) -> Decimal:
    """How much of the resource projects have been promised."""
    return resource.commitments.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


@transaction.atomic
def update_resource(
    *,
    acting_user,
    resource: Resource,
    title: str,
    quantity,
    measure: str,
    available_from,
    available_until=None,
    category: ServiceCategory | None = None,
    community=None,
    note: str = "",
    request=None,
) -> Resource:
    """The unit's party admin corrects an offer (its kind stays: offer another resource instead)."""
    resource = lock_resource(resource)
    if not administers_unit(acting_user, resource.unit):
        raise PermissionDenied(_("Only the unit's party admin can change its resources."))
    if resource.withdrawn_at is not None:
        raise ValidationError(_("This resource has been withdrawn."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Say in a few words what the unit offers."))
    measure = (measure or "").strip()
    if not measure:
        raise ValidationError(_("Say what the quantity counts (hours, yuan, items, m²…)."))
    value = clean_quantity(quantity)
    if available_from is None:
        raise ValidationError(_("Say from when the resource is offered."))
    check_period(available_from, available_until, _("A resource cannot end before it is available."))
    check_category(category)
    _check_offer(resource.unit, community)
    committed = committed_quantity(resource)
    if value < committed:
        raise ValidationError(
            _("%(committed)s %(measure)s of this resource are already committed to projects.")
            % {"committed": plain_number(committed), "measure": resource.measure}
        )
    if committed and measure != resource.measure:
        raise ValidationError(_("The measure cannot change once part of the resource is committed."))
    before = {"quantity": str(resource.quantity), "until": str(resource.available_until or "")}
    resource.title = title[:80]
    resource.quantity = value
    resource.measure = measure[:16]
    resource.available_from = available_from
    resource.available_until = available_until
    resource.category = category
    resource.community = community
    resource.community_path = community.path if community is not None else ""
    resource.note = (note or "").strip()[:300]
    resource.save()
    record_event(
        actor=acting_user,
        action="service.resource_updated",
        request=request,
        target=resource,
        detail={"before": before, "quantity": str(value), "until": str(available_until or "")},
    )
    return resource


@transaction.atomic
def withdraw_resource(*, acting_user, resource: Resource, reason: str = "", request=None) -> Resource:
    """The unit's party admin takes an offer back; commitments already made stay on their projects."""
    resource = lock_resource(resource)
    if not administers_unit(acting_user, resource.unit):
        raise PermissionDenied(_("Only the unit's party admin can withdraw its resources."))
    if resource.withdrawn_at is not None:
        raise ValidationError(_("This resource has already been withdrawn."))
    resource.withdrawn_at = timezone.now()
    resource.save(update_fields=["withdrawn_at"])
    record_event(
        actor=acting_user,
        action="service.resource_withdrawn",
        request=request,
        target=resource,
        detail={"reason": (reason or "").strip()[:200]},
    )
    return resource
