"""A co-building project's life: its states and the moves between them (``TRANSITIONS``), who may make
which move or mark milestones done, and the steps every project action takes inside its transaction
(lock the row, require an open project, write the ProjectEvent)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import staffs
from accounts.models import Role
from accounts.scope import scope_for
from service.models import Project, ProjectEvent, ProjectState, ProjectUnit

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
DOING = {
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


def participating_units(project: Project) -> set[int]:
    return set(ProjectUnit.objects.filter(project=project).values_list("unit_id", flat=True))


def allowed_moves(user, project: Project) -> list[str]:
    """The moves this user may make on the project now (the page's buttons)."""
    if not staffs(user, project.community):
        return []
    return [action for action, (sources, _target) in TRANSITIONS.items() if project.state in sources]


def may_complete_milestones(user, project: Project, units: set[int] | None = None) -> bool:
    """The community or street, and party admins of the participating units."""
    if staffs(user, project.community):
        return True
    units = participating_units(project) if units is None else units
    return bool(units & scope_for(user).units_for(Role.UNIT_ADMIN))


def project_url(project: Project) -> str:
    return reverse("service:project_detail", args=[project.public_id])


def project_event(project: Project, previous: str, action: str, actor, reason: str = "") -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        from_state=previous,
        to_state=project.state,
        action=action,
        actor=actor,
        reason=(reason or "")[:200],
    )


def lock_project(project: Project) -> Project:
    """Re-read the project under a row lock, so two people cannot move it at once."""
    return Project.objects.select_for_update(of=("self",)).select_related("community").get(pk=project.pk)


def require_open(project: Project, doing: str) -> None:
    if project.state not in OPEN_STATES:
        raise ValidationError(
            _("This project is %(state)s; it cannot be %(doing)s.")
            % {"state": project.get_state_display(), "doing": doing}
        )
