"""The alliance board: who posts what, and one read receipt per member unit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alliances import board
from alliances.models import BoardPost, BoardPostKind, BoardRead
from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_lead_posts_any_kind_and_a_unit_posts_its_work_updates(cast):
    a = street_alliance(cast)
    task = board.publish_post(
        acting_user=cast.street,
        alliance=a.alliance,
        kind=BoardPostKind.TASK,
        title="上级任务",
        body="做好",
        due_on=None,
    )
    assert task.author_unit_id is None
    update = board.publish_post(
        acting_user=cast.unit,
        alliance=a.alliance,
        kind=BoardPostKind.UPDATE,
        title="工作动态",
        body="本月开展义诊",
    )
    assert update.author_unit_id == cast.places.unit_a.pk
    with pytest.raises(PermissionDenied):
        board.publish_post(
            acting_user=cast.unit, alliance=a.alliance, kind=BoardPostKind.PLAN, title="t", body="b"
        )
    with pytest.raises(PermissionDenied):
        board.publish_post(
            acting_user=cast.unit2, alliance=a.alliance, kind=BoardPostKind.UPDATE, title="t", body="b"
        )
    with pytest.raises(PermissionDenied):
        board.publish_post(
            acting_user=cast.member, alliance=a.alliance, kind=BoardPostKind.UPDATE, title="t", body="b"
        )
    with pytest.raises(ValidationError):
        board.publish_post(acting_user=cast.street, alliance=a.alliance, kind="gossip", title="t", body="b")
    with pytest.raises(ValidationError):
        board.publish_post(
            acting_user=cast.street, alliance=a.alliance, kind=BoardPostKind.PLAN, title=" ", body="b"
        )
    assert BoardPost.objects.count() == 2
    assert AuditEvent.objects.filter(action="alliances.board_posted").count() == 2


def test_the_first_of_a_units_people_records_its_receipt(cast):
    a = street_alliance(cast)
    post = board.publish_post(
        acting_user=cast.street, alliance=a.alliance, kind=BoardPostKind.PLAN, title="计划", body="全年计划"
    )
    assert board.mark_read(acting_user=cast.street, post=post) == []  # the lead is no member unit
    made = board.mark_read(acting_user=cast.unit, post=post)
    assert [r.unit_id for r in made] == [cast.places.unit_a.pk]
    assert board.mark_read(acting_user=cast.inspector, post=post) == []  # unit A has read it already
    board.mark_read(acting_user=cast.dept, post=post)
    assert set(BoardRead.objects.filter(post=post).values_list("unit_id", flat=True)) == {
        cast.places.unit_a.pk,
        cast.places.dept_a.pk,
    }
    assert AuditEvent.objects.filter(action="alliances.board_read").count() == 2
