"""Every change to co-building projects (项目清单).

A community (or its street) proposes a project, or a unit admin proposes one to a community near the
unit, which the unit then joins; units join and commit resources; the community moves the project
proposed → agreed → in progress → completed → evaluated (or drops it with a reason); milestones mark the
way; residents of the community rate it once it is completed.

Each action checks who is acting and the rule, writes the change, a ProjectEvent row and an audit row in
one transaction, and queues notifications in that transaction (the outbox). A refused action changes
nothing and raises ValidationError or PermissionDenied with a message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import (
    administers_unit,
    admins_of_units,
    community_staff,
    own_resident,
    staffs,
    unit_admins,
    unit_reaches,
)
from audit.actions import record_event
from notifications.actions import notify
from places.models import AreaLevel
from service.checks import check_category, check_period, clean_amount, clean_quantity, plain_number
from service.models import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectState,
    ProjectUnit,
    Rating,
    Resource,
    ServiceCategory,
)
from service.projects.state import (
    DOING,
    MAX_BENEFICIARIES,
    RUNNING_STATES,
    TRANSITIONS,
    lock_project,
    may_complete_milestones,
    project_event,
    project_url,
    require_open,
)
from service.records.checks import clean_score
from service.resources.actions import committed_quantity, lock_resource

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
    staff = staffs(acting_user, community)
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
    check_category(category)
    value = clean_amount(budget, _("The budget must be a number of yuan, not negative."))
    check_period(starts_on, ends_on, _("A project cannot end before it starts."))
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
    project_event(project, "", "propose", acting_user)
    if unit is not None:
        ProjectUnit.objects.create(project=project, unit=unit)
        project_event(project, project.state, "add_unit", acting_user, reason=unit.name)
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
                url=project_url(project),
            )
    else:
        notify(
            recipients=community_staff(community),
            kind="service.project_proposed",
            title=_("%(unit)s proposes a project to %(community)s: %(title)s")
            % {"unit": unit.name, "community": community.name, "title": project.title},
            url=project_url(project),
        )
    return project


@transaction.atomic
def add_project_unit(*, acting_user, project: Project, unit, request=None) -> ProjectUnit:
    """A unit joins a project: the community (or street) adds it, or the unit's party admin joins a
    project of a community the unit may work with."""
    project = lock_project(project)
    staff = staffs(acting_user, project.community)
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
    require_open(project, _("joined"))
    try:
        with transaction.atomic():
            participant = ProjectUnit.objects.create(project=project, unit=unit)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(unit)s already takes part in this project.") % {"unit": unit.name}
        ) from exc
    project_event(project, project.state, "add_unit", acting_user, reason=unit.name)
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
        url=project_url(project),
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
    project = lock_project(project)
    if not administers_unit(acting_user, unit):
        raise PermissionDenied(_("Only the unit's party admin can commit what the unit brings."))
    if not ProjectUnit.objects.filter(project=project, unit=unit).exists():
        raise ValidationError(
            _("%(unit)s does not take part in this project: join it first.") % {"unit": unit.name}
        )
    require_open(project, _("given commitments"))
    value = clean_quantity(quantity)
    if resource is not None:
        resource = lock_resource(resource)
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
        left = resource.quantity - committed_quantity(resource)
        if value > left:
            raise ValidationError(
                _("Only %(left)s %(measure)s of %(title)s are left to commit.")
                % {"left": plain_number(left), "measure": resource.measure, "title": resource.title}
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
    project_event(
        project,
        project.state,
        "commit",
        acting_user,
        reason=f"{unit.name}: {commitment.description} {plain_number(value)} {commitment.measure}",
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
        url=project_url(project),
    )
    return commitment


def _move(project: Project, action: str, *, actor, reason: str = "", request=None, detail=None) -> Project:
    """Check the move against TRANSITIONS, change the state, write the event and the audit row, and tell
    the participating units."""
    sources, target = TRANSITIONS[action]
    if project.state not in sources:
        raise ValidationError(
            _("This project is %(state)s; it cannot be %(doing)s.")
            % {"state": project.get_state_display(), "doing": DOING[action]}
        )
    previous = project.state
    project.state = target
    project.save()
    project_event(project, previous, action, actor, reason=reason)
    record_event(
        actor=actor,
        action=f"service.project_{action}",
        request=request,
        target=project,
        detail={"from": previous, "to": target, **(detail or {})},
    )
    notify(
        recipients=admins_of_units(ProjectUnit.objects.filter(project=project).values("unit")),
        kind="service.project_moved",
        title=_("The project %(title)s is now %(state)s")
        % {"title": project.title, "state": project.get_state_display()},
        body=reason,
        url=project_url(project),
    )
    return project


def _staff_project(acting_user, project: Project) -> Project:
    project = lock_project(project)
    if not staffs(acting_user, project.community):
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
    project = lock_project(project)
    if not staffs(acting_user, project.community):
        raise PermissionDenied(_("Only the community or its street can add milestones."))
    require_open(project, _("given milestones"))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Name the milestone."))
    milestone = Milestone.objects.create(project=project, title=title[:100], due_on=due_on)
    project_event(project, project.state, "add_milestone", acting_user, reason=milestone.title)
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
    project = lock_project(milestone.project)
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
    project_event(project, project.state, "complete_milestone", acting_user, reason=milestone.title)
    record_event(
        actor=acting_user,
        action="service.milestone_done",
        request=request,
        target=project,
        detail={"milestone": milestone.title, "done_on": str(done_on)},
    )
    if not staffs(acting_user, project.community):
        notify(
            recipients=community_staff(project.community),
            kind="service.milestone_done",
            title=_("Milestone done in %(title)s: %(milestone)s")
            % {"title": project.title, "milestone": milestone.title},
            url=project_url(project),
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


# --- satisfaction ---------------------------------------------------------------------------------


@transaction.atomic
def rate_project(*, acting_user, project: Project, score, comment: str = "", request=None) -> Rating:
    """A resident of the project's community rates a completed project (once)."""
    resident = own_resident(acting_user)
    if resident is None or resident.residence_area_id != project.community_id:
        raise PermissionDenied(
            _("Residents of %(community)s rate its projects.") % {"community": project.community.name}
        )
    if project.state not in (ProjectState.COMPLETED, ProjectState.EVALUATED):
        raise ValidationError(_("A project is rated once it is completed."))
    if Rating.objects.filter(project=project, rated_by=acting_user).exists():
        raise ValidationError(_("You have already rated this project."))
    rating = Rating.objects.create(
        project=project, score=clean_score(score), comment=(comment or "")[:300], rated_by=acting_user
    )
    record_event(
        actor=acting_user,
        action="service.project_rated",
        request=request,
        target=project,
        detail={"score": rating.score},
    )
    return rating
