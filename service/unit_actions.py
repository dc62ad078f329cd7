"""Every change to what units bring (资源清单) and to co-building projects (项目清单).

A unit's party admin offers the unit's resources (people-hours, skills, funds, goods, venues) and
withdraws them. A community (or its street) proposes a project, or a unit admin proposes one to a
community near the unit, which the unit then joins; units join and commit resources; the community
moves the project proposed → agreed → in progress → completed → evaluated (or drops it with a
reason); milestones mark the way.

Each action checks who is acting and the rule, writes the change, a ProjectEvent row (for projects)
and an audit row in one transaction, and queues notifications in that transaction (the outbox). A
refused action changes nothing and raises ValidationError or PermissionDenied with a message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from audit.actions import record_event
from checkin.actions import administers_unit
from checkin.models import UnitPairing
from notifications.actions import notify
from places.models import Area, AreaLevel
from places.paths import subtree_q
from service.actions import community_staff, staffs_community
from service.models import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectEvent,
    ProjectState,
    ProjectUnit,
    Resource,
    ResourceKind,
    ServiceCategory,
)

# action → (states it may start from, state it leads to). Only the community or its street moves a project.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "agree": (frozenset({ProjectState.PROPOSED}), ProjectState.AGREED),
    "start": (frozenset({ProjectState.AGREED}), ProjectState.IN_PROGRESS),
    "complete": (frozenset({ProjectState.IN_PROGRESS}), ProjectState.COMPLETED),
    "evaluate": (frozenset({ProjectState.COMPLETED}), ProjectState.EVALUATED),
    "drop": (
        frozenset({ProjectState.PROPOSED, ProjectState.AGREED, ProjectState.IN_PROGRESS}),
        ProjectState.DROPPED,
    ),
}
ACTION_LABELS = {
    "agree": gettext_lazy("Agree"),
    "start": gettext_lazy("Start"),
    "complete": gettext_lazy("Complete"),
    "evaluate": gettext_lazy("Evaluate"),
    "drop": gettext_lazy("Drop"),
}
_DOING = {
    "agree": gettext_lazy("agreed"),
    "start": gettext_lazy("started"),
    "complete": gettext_lazy("completed"),
    "evaluate": gettext_lazy("evaluated"),
    "drop": gettext_lazy("dropped"),
}
# More people than a project can have served: a typing slip (and past what the column holds).
MAX_BENEFICIARIES = 10_000_000
# Units join, commit and log milestones while the project is still open.
OPEN_STATES = frozenset({ProjectState.PROPOSED, ProjectState.AGREED, ProjectState.IN_PROGRESS})
RUNNING_STATES = frozenset({ProjectState.AGREED, ProjectState.IN_PROGRESS})


# --- who may do what ------------------------------------------------------------------------------


def unit_admins(unit) -> list:
    return [g.user for g in RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=unit).select_related("user")]


def _street_path(area) -> str:
    """The path of the street an area lies in ('' above street level)."""
    codes = [c for c in area.path.split(".") if c]
    if area.level == AreaLevel.STREET:
        return area.path
    if area.level == AreaLevel.COMMUNITY and len(codes) >= 2:
        return ".".join(codes[:-1]) + "."
    return ""


def communities_for_unit(unit):
    """Communities a unit may propose projects to: those of the street it is located in, and those it
    is paired with (结对共建) now."""
    street = _street_path(unit.address_area)
    paired = UnitPairing.objects.active_on(timezone.localdate()).filter(unit=unit).values("community_id")
    near = subtree_q("path", street) if street else Q(pk__in=[])
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(near | Q(pk__in=paired))


def unit_reaches(unit, community) -> bool:
    return communities_for_unit(unit).filter(pk=community.pk).exists()


def participating_units(project: Project) -> set[int]:
    return set(ProjectUnit.objects.filter(project=project).values_list("unit_id", flat=True))


def allowed_moves(user, project: Project) -> list[str]:
    """The moves this user may make on the project now (the page's buttons)."""
    if not staffs_community(user, project.community):
        return []
    return [action for action, (sources, _target) in TRANSITIONS.items() if project.state in sources]


def may_complete_milestones(user, project: Project, units: set[int] | None = None) -> bool:
    """The community or street, and party admins of the participating units."""
    if staffs_community(user, project.community):
        return True
    units = participating_units(project) if units is None else units
    return bool(units & scope_for(user).units_for(Role.UNIT_ADMIN))


def _project_url(project: Project) -> str:
    return reverse("service:project_detail", args=[project.public_id])


def _event(project: Project, previous: str, action: str, actor, reason: str = "") -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        from_state=previous,
        to_state=project.state,
        action=action,
        actor=actor,
        reason=(reason or "")[:200],
    )


def _locked_project(project: Project) -> Project:
    """Re-read the project under a row lock, so two people cannot move it at once."""
    return Project.objects.select_for_update(of=("self",)).select_related("community").get(pk=project.pk)


def _locked_resource(resource: Resource) -> Resource:
    return Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=resource.pk)


def _require_open(project: Project, doing: str) -> None:
    if project.state not in OPEN_STATES:
        raise ValidationError(
            _("This project is %(state)s; it cannot be %(doing)s.")
            % {"state": project.get_state_display(), "doing": doing}
        )


def _clean_quantity(quantity) -> Decimal:
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(_("Give the quantity as a number.")) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("The quantity must be more than zero."))
    if value >= Decimal("1e10"):
        raise ValidationError(_("The quantity is too large."))
    return value.quantize(Decimal("0.01"))


def _plain(value: Decimal) -> str:
    """12.50 → 12.5, 10.00 → 10 (never 1E+1)."""
    return format(value.normalize(), "f")


def _clean_amount(amount, message) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(message) from exc
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationError(message)
    return value.quantize(Decimal("0.01"))


def _check_category(category) -> None:
    if category is not None and (not category.active or not category.is_item):
        raise ValidationError(_("Choose an item of the service menu."))


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


def _check_period(start, end, message) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(message)


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
    value = _clean_quantity(quantity)
    available_from = available_from or timezone.localdate()
    _check_period(available_from, available_until, _("A resource cannot end before it is available."))
    _check_category(category)
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


def _committed(resource: Resource) -> Decimal:
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
    resource = _locked_resource(resource)
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
    value = _clean_quantity(quantity)
    if available_from is None:
        raise ValidationError(_("Say from when the resource is offered."))
    _check_period(available_from, available_until, _("A resource cannot end before it is available."))
    _check_category(category)
    _check_offer(resource.unit, community)
    committed = _committed(resource)
    if value < committed:
        raise ValidationError(
            _("%(committed)s %(measure)s of this resource are already committed to projects.")
            % {"committed": _plain(committed), "measure": resource.measure}
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
    resource = _locked_resource(resource)
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


# --- projects -------------------------------------------------------------------------------------


@transaction.atomic
def propose_project(
    *,
    acting_user,
    community,
    title: str,
    description: str = "",
    category: ServiceCategory | None = None,
    budget=None,
    starts_on=None,
    ends_on=None,
    unit=None,
    request=None,
) -> Project:
    """A community (or its street) proposes a co-building project, optionally with a unit; or a unit's
    party admin proposes one to a community of its street or one it is paired with, and the unit joins."""
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    staff = staffs_community(acting_user, community)
    if not staff:
        if unit is None or not administers_unit(acting_user, unit):
            raise PermissionDenied(
                _("Only the community, its street or a unit's party admin can propose projects here.")
            )
        if not unit_reaches(unit, community):
            raise ValidationError(
                _(
                    "%(unit)s can propose projects to communities of its street or paired with it, not to %(community)s."
                )
                % {"unit": unit.name, "community": community.name}
            )
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the project a title."))
    _check_category(category)
    value = _clean_amount(budget, _("The budget must be a number of yuan, not negative."))
    _check_period(starts_on, ends_on, _("A project cannot end before it starts."))
    project = Project.objects.create(
        community=community,
        community_path=community.path,
        title=title[:100],
        description=(description or "").strip()[:4000],
        category=category,
        budget=value,
        starts_on=starts_on,
        ends_on=ends_on,
        proposed_by=acting_user,
    )
    _event(project, "", "propose", acting_user)
    if unit is not None:
        ProjectUnit.objects.create(project=project, unit=unit)
        _event(project, project.state, "add_unit", acting_user, reason=unit.name)
    record_event(
        actor=acting_user,
        action="service.project_proposed",
        request=request,
        target=project,
        detail={"unit": str(unit.public_id) if unit is not None else ""},
    )
    title_text = _("New project proposed in %(community)s: %(title)s") % {
        "community": community.name,
        "title": project.title,
    }
    if staff:
        if unit is not None:
            notify(
                recipients=unit_admins(unit),
                kind="service.project_proposed",
                title=title_text,
                url=_project_url(project),
            )
    else:
        notify(
            recipients=community_staff(community),
            kind="service.project_proposed",
            title=_("%(unit)s proposes a project to %(community)s: %(title)s")
            % {"unit": unit.name, "community": community.name, "title": project.title},
            url=_project_url(project),
        )
    return project


@transaction.atomic
def add_project_unit(*, acting_user, project: Project, unit, request=None) -> ProjectUnit:
    """A unit joins a project: the community (or street) adds it, or the unit's party admin joins a
    project of a community the unit may work with."""
    project = _locked_project(project)
    staff = staffs_community(acting_user, project.community)
    if not staff:
        if not administers_unit(acting_user, unit):
            raise PermissionDenied(
                _("Only the community, its street or the unit's party admin can add a unit.")
            )
        if not unit_reaches(unit, project.community):
            raise ValidationError(
                _("%(unit)s works with communities of its street or paired with it, not with %(community)s.")
                % {"unit": unit.name, "community": project.community.name}
            )
    _require_open(project, _("joined"))
    try:
        with transaction.atomic():
            participant = ProjectUnit.objects.create(project=project, unit=unit)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(unit)s already takes part in this project.") % {"unit": unit.name}
        ) from exc
    _event(project, project.state, "add_unit", acting_user, reason=unit.name)
    record_event(
        actor=acting_user,
        action="service.project_unit_added",
        request=request,
        target=project,
        detail={"unit": str(unit.public_id)},
    )
    notify(
        recipients=unit_admins(unit) if staff else community_staff(project.community),
        kind="service.project_unit_added",
        title=_("%(unit)s joined the project %(title)s") % {"unit": unit.name, "title": project.title},
        url=_project_url(project),
    )
    return participant


@transaction.atomic
def commit_to_project(
    *,
    acting_user,
    project: Project,
    unit,
    resource: Resource | None = None,
    description: str = "",
    quantity=None,
    measure: str = "",
    request=None,
) -> ProjectCommitment:
    """A participating unit's party admin commits part of one of the unit's resources, or a contribution
    described in words, with its quantity and measure."""
    project = _locked_project(project)
    if not administers_unit(acting_user, unit):
        raise PermissionDenied(_("Only the unit's party admin can commit what the unit brings."))
    if not ProjectUnit.objects.filter(project=project, unit=unit).exists():
        raise ValidationError(
            _("%(unit)s does not take part in this project: join it first.") % {"unit": unit.name}
        )
    _require_open(project, _("given commitments"))
    value = _clean_quantity(quantity)
    if resource is not None:
        resource = _locked_resource(resource)
        if resource.unit_id != unit.pk:
            raise ValidationError(_("This resource belongs to another unit."))
        today = timezone.localdate()
        if resource.withdrawn_at is not None or (
            resource.available_until is not None and resource.available_until < today
        ):
            raise ValidationError(_("This resource is no longer offered."))
        if resource.community_id and resource.community_id != project.community_id:
            raise ValidationError(
                _("This resource is offered to %(community)s only.") % {"community": resource.community}
            )
        left = resource.quantity - _committed(resource)
        if value > left:
            raise ValidationError(
                _("Only %(left)s %(measure)s of %(title)s are left to commit.")
                % {"left": _plain(left), "measure": resource.measure, "title": resource.title}
            )
        measure = resource.measure
        description = (description or "").strip() or resource.title
    description = (description or "").strip()
    measure = (measure or "").strip()
    if not description:
        raise ValidationError(_("Say what the unit commits."))
    if not measure:
        raise ValidationError(_("Say what the quantity counts (hours, yuan, items, m²…)."))
    commitment = ProjectCommitment.objects.create(
        project=project,
        unit=unit,
        resource=resource,
        description=description[:200],
        quantity=value,
        measure=measure[:16],
        committed_by=acting_user,
    )
    _event(
        project,
        project.state,
        "commit",
        acting_user,
        reason=f"{unit.name}: {commitment.description} {_plain(value)} {commitment.measure}",
    )
    record_event(
        actor=acting_user,
        action="service.project_commitment",
        request=request,
        target=project,
        detail={
            "unit": str(unit.public_id),
            "resource": str(resource.public_id) if resource is not None else "",
            "quantity": str(value),
            "measure": commitment.measure,
        },
    )
    notify(
        recipients=community_staff(project.community),
        kind="service.project_commitment",
        title=_("%(unit)s commits to %(title)s: %(what)s")
        % {"unit": unit.name, "title": project.title, "what": commitment.description},
        url=_project_url(project),
    )
    return commitment


def _move(project: Project, action: str, *, actor, reason: str = "", request=None, detail=None) -> Project:
    """Check the move against TRANSITIONS, change the state, write the event and the audit row, and tell
    the participating units."""
    sources, target = TRANSITIONS[action]
    if project.state not in sources:
        raise ValidationError(
            _("This project is %(state)s; it cannot be %(doing)s.")
            % {"state": project.get_state_display(), "doing": _DOING[action]}
        )
    previous = project.state
    project.state = target
    project.save()
    _event(project, previous, action, actor, reason=reason)
    record_event(
        actor=actor,
        action=f"service.project_{action}",
        request=request,
        target=project,
        detail={"from": previous, "to": target, **(detail or {})},
    )
    recipients = [
        g.user
        for g in RoleGrant.objects.filter(
            role=Role.UNIT_ADMIN, unit__in=ProjectUnit.objects.filter(project=project).values("unit")
        ).select_related("user")
    ]
    notify(
        recipients=recipients,
        kind="service.project_moved",
        title=_("The project %(title)s is now %(state)s")
        % {"title": project.title, "state": project.get_state_display()},
        body=reason,
        url=_project_url(project),
    )
    return project


def _staff_project(acting_user, project: Project) -> Project:
    project = _locked_project(project)
    if not staffs_community(acting_user, project.community):
        raise PermissionDenied(_("Only the community or its street can move this project."))
    return project


@transaction.atomic
def agree_project(*, acting_user, project: Project, request=None) -> Project:
    """The community and the units agree to go ahead (at least one unit must take part)."""
    project = _staff_project(acting_user, project)
    if project.state in TRANSITIONS["agree"][0] and not ProjectUnit.objects.filter(project=project).exists():
        raise ValidationError(_("A project is agreed with a unit: add a unit first."))
    return _move(project, "agree", actor=acting_user, request=request)


@transaction.atomic
def start_project(*, acting_user, project: Project, request=None) -> Project:
    project = _staff_project(acting_user, project)
    if project.state in TRANSITIONS["start"][0] and project.starts_on is None:
        project.starts_on = timezone.localdate()
    return _move(project, "start", actor=acting_user, request=request)


@transaction.atomic
def complete_project(*, acting_user, project: Project, beneficiaries_served, request=None) -> Project:
    """The work is done; the community says how many people it served."""
    project = _staff_project(acting_user, project)
    try:
        served = int(beneficiaries_served)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Say how many people the project served.")) from exc
    if served < 1:
        raise ValidationError(_("Say how many people the project served (at least one)."))
    if served > MAX_BENEFICIARIES:
        raise ValidationError(
            _("Say how many people the project served (at most %(max)d).") % {"max": MAX_BENEFICIARIES}
        )
    if project.state in TRANSITIONS["complete"][0]:
        project.beneficiaries_served = served
        if project.ends_on is None:
            project.ends_on = timezone.localdate()
    return _move(project, "complete", actor=acting_user, request=request, detail={"served": served})


@transaction.atomic
def evaluate_project(*, acting_user, project: Project, evaluation: str, request=None) -> Project:
    """The community writes its evaluation of a completed project."""
    project = _staff_project(acting_user, project)
    evaluation = (evaluation or "").strip()
    if not evaluation:
        raise ValidationError(_("Write the evaluation."))
    if project.state in TRANSITIONS["evaluate"][0]:
        project.evaluation = evaluation[:2000]
    return _move(project, "evaluate", actor=acting_user, request=request)


@transaction.atomic
def drop_project(*, acting_user, project: Project, reason: str, request=None) -> Project:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the project is dropped."))
    project = _staff_project(acting_user, project)
    return _move(project, "drop", actor=acting_user, reason=reason, request=request)


@transaction.atomic
def add_milestone(*, acting_user, project: Project, title: str, due_on=None, request=None) -> Milestone:
    """The community (or street) marks a step of the project."""
    project = _locked_project(project)
    if not staffs_community(acting_user, project.community):
        raise PermissionDenied(_("Only the community or its street can add milestones."))
    _require_open(project, _("given milestones"))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Name the milestone."))
    milestone = Milestone.objects.create(project=project, title=title[:100], due_on=due_on)
    _event(project, project.state, "add_milestone", acting_user, reason=milestone.title)
    record_event(
        actor=acting_user,
        action="service.milestone_added",
        request=request,
        target=project,
        detail={"milestone": milestone.title, "due_on": str(due_on or "")},
    )
    return milestone


@transaction.atomic
def complete_milestone(*, acting_user, milestone: Milestone, done_on=None, request=None) -> Milestone:
    """The community, or a participating unit's party admin, marks a milestone done."""
    project = _locked_project(milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if not may_complete_milestones(acting_user, project):
        raise PermissionDenied(
            _("Only the community, its street or a participating unit can mark milestones done.")
        )
    if project.state not in RUNNING_STATES:
        raise ValidationError(
            _("This project is %(state)s; its milestones cannot be marked done.")
            % {"state": project.get_state_display()}
        )
    if milestone.done_on is not None:
        raise ValidationError(_("This milestone is already done."))
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("A milestone cannot be done in the future."))
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    _event(project, project.state, "complete_milestone", acting_user, reason=milestone.title)
    record_event(
        actor=acting_user,
        action="service.milestone_done",
        request=request,
        target=project,
        detail={"milestone": milestone.title, "done_on": str(done_on)},
    )
    if not staffs_community(acting_user, project.community):
        notify(
            recipients=community_staff(project.community),
            kind="service.milestone_done",
            title=_("Milestone done in %(title)s: %(milestone)s")
            % {"title": project.title, "milestone": milestone.title},
            url=_project_url(project),
        )
    return milestone


# The page's move buttons, by action name.
MOVES = {
    "agree": agree_project,
    "start": start_project,
    "complete": complete_project,
    "evaluate": evaluate_project,
    "drop": drop_project,
}
