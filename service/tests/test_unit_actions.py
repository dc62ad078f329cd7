"""Resources and co-building projects: who may do what, each transition, and refusals that change nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from checkin.models import UnitPairing
from notifications.models import Notification
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
from service.projects import actions as ua
from service.projects import state as project_state
from service.resources import actions as resource_actions

pytestmark = pytest.mark.django_db

ALL_STATES = list(ProjectState.values)


def offer(cast, user=None, **kw):
    args = {
        "acting_user": user or cast.unit,
        "unit": cast.places.unit_a,
        "kind": ResourceKind.PEOPLE_HOURS,
        "title": "律师志愿服务",
        "quantity": 40,
        "measure": "小时",
    }
    args.update(kw)
    return resource_actions.add_resource(**args)


def propose(cast, user=None, **kw):
    args = {"acting_user": user or cast.community, "community": cast.places.a1, "title": "居家养老服务中心"}
    args.update(kw)
    return ua.propose_project(**args)


def project_in(cast, state: str, *, unit=True) -> Project:
    """A project of A1 (with unit A taking part) put straight into ``state``."""
    project = propose(cast, unit=cast.places.unit_a if unit else None)
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    return project


# --- resources ------------------------------------------------------------------------------------


def test_unit_admin_offers_a_resource_with_audit_and_notice(cast):
    legal = ServiceCategory.objects.get(code="legal_aid")
    resource = offer(cast, category=legal, community=cast.places.a1, note="每周六上午")
    assert resource.unit == cast.places.unit_a
    assert resource.quantity == Decimal("40.00")
    assert resource.community_path == cast.places.a1.path
    assert resource.available_from == timezone.localdate()
    assert AuditEvent.objects.filter(
        action="service.resource_added", target_id=str(resource.public_id)
    ).exists()
    assert Notification.objects.filter(recipient=cast.community, kind="service.resource_offered").exists()
    assert Resource.objects.available().filter(pk=resource.pk).exists()


@pytest.mark.parametrize("who", ["unit2", "community", "street", "inspector", "member"])
def test_only_the_units_admin_offers_its_resources(cast, who):
    with pytest.raises(PermissionDenied):
        offer(cast, user=getattr(cast, who))
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"quantity": 0}, "more than zero"),
        ({"quantity": -3}, "more than zero"),
        ({"quantity": "lots"}, "number"),
        ({"title": "  "}, "what the unit offers"),
        ({"measure": ""}, "quantity counts"),
        ({"kind": "gold"}, "Unknown kind"),
        ({"available_until": timezone.localdate() - timedelta(days=1)}, "cannot end before"),
    ],
)
def test_bad_offers_are_refused(cast, change, message):
    with pytest.raises(ValidationError) as exc:
        offer(cast, **change)
    assert message in " ".join(exc.value.messages)
    assert not Resource.objects.exists()


def test_a_big_category_is_not_an_item(cast):
    with pytest.raises(ValidationError):
        offer(cast, category=ServiceCategory.objects.get(code="livelihood"))


def test_offered_only_to_communities_the_unit_works_with(cast):
    with pytest.raises(ValidationError) as exc:
        offer(cast, community=cast.places.b1)
    assert "西安社区" in exc.value.messages[0]
    assert offer(cast, community=cast.places.a2).community == cast.places.a2  # same street
    UnitPairing.objects.create(
        unit=cast.places.unit_a, community=cast.places.b1, started_on=timezone.localdate() - timedelta(days=5)
    )
    assert offer(cast, community=cast.places.b1).community == cast.places.b1  # paired


def test_update_and_withdraw(cast):
    resource = offer(cast)
    today = timezone.localdate()
    resource_actions.update_resource(
        acting_user=cast.unit,
        resource=resource,
        title="律师咨询",
        quantity=30,
        measure="小时",
        available_from=today,
        available_until=today + timedelta(days=90),
    )
    resource.refresh_from_db()
    assert (resource.title, resource.quantity) == ("律师咨询", Decimal("30.00"))
    with pytest.raises(PermissionDenied):
        resource_actions.withdraw_resource(acting_user=cast.unit2, resource=resource)
    resource_actions.withdraw_resource(acting_user=cast.unit, resource=resource, reason="人手不足")
    resource.refresh_from_db()
    assert resource.withdrawn_at is not None
    assert not Resource.objects.available().filter(pk=resource.pk).exists()
    with pytest.raises(ValidationError):
        resource_actions.withdraw_resource(acting_user=cast.unit, resource=resource)
    with pytest.raises(ValidationError):
        resource_actions.update_resource(
            acting_user=cast.unit,
            resource=resource,
            title="x",
            quantity=1,
            measure="小时",
            available_from=today,
        )


def test_update_by_another_unit_is_refused(cast):
    resource = offer(cast)
    with pytest.raises(PermissionDenied):
        resource_actions.update_resource(
            acting_user=cast.unit2,
            resource=resource,
            title="x",
            quantity=1,
            measure="小时",
            available_from=timezone.localdate(),
        )
    resource.refresh_from_db()
    assert resource.title == "律师志愿服务"


def test_quantity_cannot_drop_below_what_is_committed(cast):
    resource = offer(cast)
    project = propose(cast, unit=cast.places.unit_a)
    ua.commit_to_project(
        acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=resource, quantity=25
    )
    with pytest.raises(ValidationError) as exc:
        resource_actions.update_resource(
            acting_user=cast.unit,
            resource=resource,
            title=resource.title,
            quantity=20,
            measure="小时",
            available_from=resource.available_from,
        )
    assert "25" in exc.value.messages[0]
    resource.refresh_from_db()
    assert resource.quantity == Decimal("40.00")


# --- proposing and joining ------------------------------------------------------------------------


def test_community_proposes_with_event_and_audit(cast):
    project = propose(cast, budget="120000", description="4200平方米")
    assert project.state == ProjectState.PROPOSED
    assert project.community_path == cast.places.a1.path
    assert project.budget == Decimal("120000.00")
    event = ProjectEvent.objects.get(project=project)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "",
        "proposed",
        "propose",
        cast.community,
    )
    assert AuditEvent.objects.filter(action="service.project_proposed").exists()


def test_street_proposes_for_its_communities_and_invites_a_unit(cast):
    project = propose(cast, user=cast.street, community=cast.places.a2, unit=cast.places.unit_a)
    assert list(project.units.all()) == [cast.places.unit_a]
    assert Notification.objects.filter(recipient=cast.unit, kind="service.project_proposed").exists()


def test_a_unit_admin_proposes_and_the_unit_joins(cast):
    project = propose(cast, user=cast.unit, unit=cast.places.unit_a)
    assert ProjectUnit.objects.filter(project=project, unit=cast.places.unit_a).exists()
    assert Notification.objects.filter(recipient=cast.community, kind="service.project_proposed").exists()
    assert list(ProjectEvent.objects.filter(project=project).values_list("action", flat=True)) == [
        "propose",
        "add_unit",
    ]


@pytest.mark.parametrize(
    "who, unit, error",
    [
        ("community2", None, PermissionDenied),
        ("unit", None, PermissionDenied),  # a unit admin proposes for their unit
        ("unit2", "unit_a", PermissionDenied),  # not their unit
        ("unit2", "unit_b", ValidationError),  # unit B is in street B and not paired with A1
        ("member", None, PermissionDenied),
        ("resident", None, PermissionDenied),
        ("inspector", "unit_a", PermissionDenied),
    ],
)
def test_who_may_not_propose(cast, who, unit, error):
    with pytest.raises(error):
        propose(cast, user=getattr(cast, who), unit=getattr(cast.places, unit) if unit else None)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "change", [{"title": " "}, {"budget": "-1"}, {"community": "street_a"}, {"ends_on": "past"}]
)
def test_bad_proposals_are_refused(cast, change):
    today = timezone.localdate()
    if "community" in change:
        change = {"community": cast.places.street_a}
    if "ends_on" in change:
        change = {"starts_on": today, "ends_on": today - timedelta(days=1)}
    with pytest.raises(ValidationError):
        propose(cast, **change)
    assert not Project.objects.exists()


def test_units_join(cast):
    project = propose(cast)
    ua.add_project_unit(
        acting_user=cast.community, project=project, unit=cast.places.unit_b
    )  # the community invites
    ua.add_project_unit(acting_user=cast.unit, project=project, unit=cast.places.unit_a)  # a unit joins
    assert set(project.units.all()) == {cast.places.unit_a, cast.places.unit_b}
    with pytest.raises(ValidationError):
        ua.add_project_unit(acting_user=cast.unit, project=project, unit=cast.places.unit_a)
    assert ProjectUnit.objects.filter(project=project).count() == 2


def test_who_may_not_add_units(cast):
    project = propose(cast)
    with pytest.raises(PermissionDenied):
        ua.add_project_unit(acting_user=cast.unit, project=project, unit=cast.places.unit_b)
    with pytest.raises(ValidationError):  # unit B does not work with A1
        ua.add_project_unit(acting_user=cast.unit2, project=project, unit=cast.places.unit_b)
    with pytest.raises(PermissionDenied):
        ua.add_project_unit(acting_user=cast.community2, project=project, unit=cast.places.unit_b)
    assert not ProjectUnit.objects.filter(project=project).exists()


@pytest.mark.parametrize("state", [ProjectState.COMPLETED, ProjectState.EVALUATED, ProjectState.DROPPED])
def test_closed_projects_take_no_units(cast, state):
    project = project_in(cast, state, unit=False)
    with pytest.raises(ValidationError):
        ua.add_project_unit(acting_user=cast.community, project=project, unit=cast.places.unit_a)


# --- commitments ----------------------------------------------------------------------------------


def test_commit_part_of_a_resource_and_a_described_contribution(cast):
    resource = offer(cast)
    project = propose(cast, unit=cast.places.unit_a)
    first = ua.commit_to_project(
        acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=resource, quantity=30
    )
    assert (first.description, first.measure, first.quantity) == ("律师志愿服务", "小时", Decimal("30.00"))
    with pytest.raises(ValidationError) as exc:  # 10 left
        ua.commit_to_project(
            acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=resource, quantity=11
        )
    assert "10" in exc.value.messages[0]
    funds = ua.commit_to_project(
        acting_user=cast.unit,
        project=project,
        unit=cast.places.unit_a,
        description="装修资金",
        quantity="50000",
        measure="元",
    )
    assert funds.resource is None
    assert ProjectCommitment.objects.filter(project=project).count() == 2
    assert ProjectEvent.objects.filter(project=project, action="commit").count() == 2
    assert (
        Notification.objects.filter(recipient=cast.community, kind="service.project_commitment").count() == 2
    )


def test_only_participating_units_commit(cast):
    project = propose(cast)
    with pytest.raises(ValidationError) as exc:
        ua.commit_to_project(
            acting_user=cast.unit,
            project=project,
            unit=cast.places.unit_a,
            description="场地",
            quantity=1,
            measure="间",
        )
    assert "join it first" in exc.value.messages[0]
    assert not ProjectCommitment.objects.exists()


def test_commitments_refused(cast):
    project = propose(cast, unit=cast.places.unit_a)
    ua.add_project_unit(acting_user=cast.community, project=project, unit=cast.places.unit_b)
    resource_b = offer(cast, user=cast.unit2, unit=cast.places.unit_b)
    with pytest.raises(PermissionDenied):  # community staff do not commit for a unit
        ua.commit_to_project(
            acting_user=cast.community,
            project=project,
            unit=cast.places.unit_a,
            description="x",
            quantity=1,
            measure="个",
        )
    with pytest.raises(PermissionDenied):  # another unit's admin
        ua.commit_to_project(
            acting_user=cast.unit2,
            project=project,
            unit=cast.places.unit_a,
            description="x",
            quantity=1,
            measure="个",
        )
    with pytest.raises(ValidationError):  # another unit's resource
        ua.commit_to_project(
            acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=resource_b, quantity=1
        )
    withdrawn = offer(cast)
    resource_actions.withdraw_resource(acting_user=cast.unit, resource=withdrawn)
    with pytest.raises(ValidationError):
        ua.commit_to_project(
            acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=withdrawn, quantity=1
        )
    elsewhere = offer(cast, community=cast.places.a2)
    with pytest.raises(ValidationError):  # offered to another community only
        ua.commit_to_project(
            acting_user=cast.unit, project=project, unit=cast.places.unit_a, resource=elsewhere, quantity=1
        )
    with pytest.raises(ValidationError):
        ua.commit_to_project(
            acting_user=cast.unit,
            project=project,
            unit=cast.places.unit_a,
            description="x",
            quantity=0,
            measure="个",
        )
    with pytest.raises(ValidationError):
        ua.commit_to_project(
            acting_user=cast.unit,
            project=project,
            unit=cast.places.unit_a,
            description=" ",
            quantity=1,
            measure="个",
        )
    assert not ProjectCommitment.objects.exists()


# --- transitions ----------------------------------------------------------------------------------

MOVE_ARGS = {
    "agree": {},
    "start": {},
    "complete": {"beneficiaries_served": 120},
    "evaluate": {"evaluation": "居民满意，持续运营"},
    "drop": {"reason": "选址未落实"},
}


def test_the_full_path_with_events(cast):
    project = propose(cast, unit=cast.places.unit_a)
    for action in ("agree", "start", "complete", "evaluate"):
        ua.MOVES[action](acting_user=cast.community, project=project, **MOVE_ARGS[action])
        project.refresh_from_db()
        assert project.state == ua.TRANSITIONS[action][1]
    assert project.beneficiaries_served == 120
    assert project.evaluation == "居民满意，持续运营"
    assert project.starts_on == project.ends_on == timezone.localdate()
    moves = list(
        ProjectEvent.objects.filter(project=project)
        .exclude(action__in=["propose", "add_unit"])
        .values_list("from_state", "to_state", "action", "actor")
    )
    assert moves == [
        ("proposed", "agreed", "agree", cast.community.pk),
        ("agreed", "in_progress", "start", cast.community.pk),
        ("in_progress", "completed", "complete", cast.community.pk),
        ("completed", "evaluated", "evaluate", cast.community.pk),
    ]
    assert AuditEvent.objects.filter(action="service.project_evaluate").exists()
    assert Notification.objects.filter(recipient=cast.unit, kind="service.project_moved").count() == 4


@pytest.mark.parametrize("action", list(ua.TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_transition_table(cast, action, state):
    """Every move from every state: allowed exactly where TRANSITIONS says, refused elsewhere unchanged."""
    project = project_in(cast, state)
    sources, target = ua.TRANSITIONS[action]
    if state in sources:
        ua.MOVES[action](acting_user=cast.street, project=project, **MOVE_ARGS[action])
        project.refresh_from_db()
        assert project.state == target
        assert ProjectEvent.objects.filter(
            project=project, action=action, from_state=state, to_state=target
        ).exists()
    else:
        with pytest.raises(ValidationError):
            ua.MOVES[action](acting_user=cast.street, project=project, **MOVE_ARGS[action])
        project.refresh_from_db()
        assert project.state == state
        assert not ProjectEvent.objects.filter(project=project, action=action).exists()


@pytest.mark.parametrize("who", ["unit", "community2", "street2", "member", "resident", "inspector"])
@pytest.mark.parametrize("action", list(ua.TRANSITIONS))
def test_only_the_community_or_street_moves_a_project(cast, who, action):
    state = next(iter(ua.TRANSITIONS[action][0]))
    project = project_in(cast, state)
    with pytest.raises(PermissionDenied):
        ua.MOVES[action](acting_user=getattr(cast, who), project=project, **MOVE_ARGS[action])
    project.refresh_from_db()
    assert project.state == state


def test_agreeing_needs_a_unit(cast):
    project = propose(cast)
    with pytest.raises(ValidationError) as exc:
        ua.agree_project(acting_user=cast.community, project=project)
    assert "add a unit" in exc.value.messages[0]
    project.refresh_from_db()
    assert project.state == ProjectState.PROPOSED


@pytest.mark.parametrize("served", [None, "", "many", 0, -4])
def test_completing_needs_the_people_served(cast, served):
    project = project_in(cast, ProjectState.IN_PROGRESS)
    with pytest.raises(ValidationError):
        ua.complete_project(acting_user=cast.community, project=project, beneficiaries_served=served)
    project.refresh_from_db()
    assert (project.state, project.beneficiaries_served) == (ProjectState.IN_PROGRESS, 0)


def test_evaluating_needs_the_text_and_dropping_a_reason(cast):
    done = project_in(cast, ProjectState.COMPLETED)
    with pytest.raises(ValidationError):
        ua.evaluate_project(acting_user=cast.community, project=done, evaluation="  ")
    running = project_in(cast, ProjectState.AGREED)
    with pytest.raises(ValidationError):
        ua.drop_project(acting_user=cast.community, project=running, reason="")
    done.refresh_from_db()
    running.refresh_from_db()
    assert (done.state, running.state) == (ProjectState.COMPLETED, ProjectState.AGREED)


def test_allowed_moves(cast):
    project = project_in(cast, ProjectState.IN_PROGRESS)
    assert project_state.allowed_moves(cast.community, project) == ["complete", "drop"]
    assert project_state.allowed_moves(cast.unit, project) == []
    project.state = ProjectState.EVALUATED
    assert project_state.allowed_moves(cast.street, project) == []


# --- milestones -----------------------------------------------------------------------------------


def test_milestones(cast):
    project = project_in(cast, ProjectState.IN_PROGRESS)
    milestone = ua.add_milestone(
        acting_user=cast.community,
        project=project,
        title="完成装修",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    with pytest.raises(PermissionDenied):  # units mark milestones done; the community adds them
        ua.add_milestone(acting_user=cast.unit, project=project, title="x")
    with pytest.raises(ValidationError):
        ua.add_milestone(acting_user=cast.community, project=project, title=" ")
    with pytest.raises(PermissionDenied):  # unit B takes no part
        ua.complete_milestone(acting_user=cast.unit2, milestone=milestone)
    with pytest.raises(ValidationError):
        ua.complete_milestone(
            acting_user=cast.unit, milestone=milestone, done_on=timezone.localdate() + timedelta(days=1)
        )
    ua.complete_milestone(acting_user=cast.unit, milestone=milestone)  # a participating unit's admin
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    assert Notification.objects.filter(recipient=cast.community, kind="service.milestone_done").exists()
    with pytest.raises(ValidationError):
        ua.complete_milestone(acting_user=cast.community, milestone=milestone)
    assert list(
        ProjectEvent.objects.filter(project=project, action__contains="milestone").values_list(
            "action", flat=True
        )
    ) == ["add_milestone", "complete_milestone"]


def test_milestones_wait_for_a_running_project(cast):
    project = project_in(cast, ProjectState.PROPOSED)
    milestone = ua.add_milestone(acting_user=cast.community, project=project, title="签订协议")
    with pytest.raises(ValidationError):
        ua.complete_milestone(acting_user=cast.community, milestone=milestone)
    Project.objects.filter(pk=project.pk).update(state=ProjectState.DROPPED)
    with pytest.raises(ValidationError):
        ua.add_milestone(acting_user=cast.community, project=project, title="x")
    assert Milestone.objects.filter(project=project, done_on__isnull=True).count() == 1
