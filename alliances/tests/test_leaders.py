from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alliances import leaders
from alliances.models import InspectionNote, LeaderLink
from alliances.tests.fixtures import street_alliance
from cases.tests.fixtures import grid_case

pytestmark = pytest.mark.django_db


def a_link(cast, who="orgdept", **fields):
    values = {
        "community": cast.places.a1,
        "leader_name": "陈副区长",
        "leader_title": "新罗区副区长",
        "leader": cast.member,
        "started_on": timezone.localdate() - timedelta(days=30),
    }
    values.update(fields)
    return leaders.link_leader(acting_user=getattr(cast, who), **values)


def test_the_org_department_or_street_links_leaders_once(cast):
    link = a_link(cast)
    assert link.community_path == cast.places.a1.path
    with pytest.raises(ValidationError, match="already linked"):
        a_link(cast, who="street")
    for who in ("community", "street2", "unit"):
        with pytest.raises(PermissionDenied):
            a_link(cast, who=who, leader_name="王局长")
    with pytest.raises(ValidationError, match="community"):
        a_link(cast, community=cast.places.street_a)
    with pytest.raises(ValidationError, match="empty"):
        a_link(cast, leader_name=" ")
    leaders.end_link(acting_user=cast.street, link=link)
    assert a_link(cast).pk != link.pk


def test_visits_by_the_leader_or_staff_with_cases_of_the_community(cast):
    link = a_link(cast)
    case = grid_case(cast)
    today = timezone.localdate()
    visit = leaders.log_visit(
        acting_user=cast.community,
        link=link,
        visited_on=today,
        note="走访困难群众",
        problems="楼道堆物",
        cases=[case],
    )
    assert list(visit.cases.all()) == [case]
    leaders.log_visit(
        acting_user=cast.member, link=link, visited_on=today, note="座谈"
    )  # the leader themself
    with pytest.raises(PermissionDenied):
        leaders.log_visit(acting_user=cast.community2, link=link, visited_on=today, note="x")
    with pytest.raises(ValidationError, match="happened"):
        leaders.log_visit(
            acting_user=cast.community, link=link, visited_on=today + timedelta(days=1), note="x"
        )
    with pytest.raises(ValidationError, match="empty"):
        leaders.log_visit(acting_user=cast.community, link=link, visited_on=today, note="")
    other = a_link(cast, community=cast.places.a2, leader_name="李书记", leader=None)
    with pytest.raises(ValidationError, match="Only cases of"):
        leaders.log_visit(acting_user=cast.street, link=other, visited_on=today, note="x", cases=[case])
    assert link.visits.count() == 2
    assert list(LeaderLink.objects.visible_to(cast.street2)) == []
    assert set(LeaderLink.objects.visible_to(cast.member)) == {link}


def test_inspection_notes_by_the_inspector_answered_by_the_unit(cast):
    a = street_alliance(cast)
    p = cast.places
    note = leaders.write_inspection_note(
        acting_user=cast.inspector, alliance=a.alliance, unit=p.unit_a, note="协议承诺的志愿服务时长未达标"
    )
    with pytest.raises(PermissionDenied):
        leaders.write_inspection_note(
            acting_user=cast.inspector, alliance=a.alliance, unit=p.dept_a, note="x"
        )
    with pytest.raises(PermissionDenied):
        leaders.answer_inspection_note(acting_user=cast.dept, note=note, answer="x")
    leaders.answer_inspection_note(acting_user=cast.unit, note=note, answer="已安排下月补足")
    note.refresh_from_db()
    assert note.answered_by == cast.unit and note.answer == "已安排下月补足"
    with pytest.raises(ValidationError, match="already been answered"):
        leaders.answer_inspection_note(acting_user=cast.unit, note=note, answer="again")
    assert list(InspectionNote.objects.visible_to(cast.unit)) == [note]
    assert list(InspectionNote.objects.visible_to(cast.dept)) == []
