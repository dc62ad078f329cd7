"""The member unit's view and the inspector's view (alliances/pages/units.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances.models import AgreementState, BoardRead, ChairTurn, InspectionNote
from alliances.tests.desk_fixtures import desk_alliance

pytestmark = pytest.mark.django_db


def test_the_unit_sees_its_commitments_tasks_posts_chair_months_and_notes(
    client, cast, django_assert_max_num_queries
):
    a = desk_alliance(cast)
    p = cast.places
    today = timezone.localdate()
    ChairTurn.objects.create(alliance=a.alliance, month=today.replace(day=1), unit=p.unit_a)
    note = InspectionNote.objects.create(
        alliance=a.alliance, unit=p.unit_a, author=cast.inspector, note="台账不全"
    )
    InspectionNote.objects.create(alliance=a.alliance, unit=p.dept_a, author=cast.inspector, note="别的单位")
    draft = a.make_agreement(
        p.unit_a,
        title="续签协议",
        state=AgreementState.DRAFT,
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    cast.login(client, "unit")
    with django_assert_max_num_queries(25):
        response = client.get(reverse("alliances:my_unit"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-commitment="{a.c_hours.public_id}"' in body
    assert f'data-task="{a.task_overdue.public_id}"' in body
    assert f'data-task="{a.task_open.public_id}"' not in body  # the department's
    assert f'data-post="{a.board_task.public_id}"' in body
    assert 'data-chair="' in body
    assert f'data-note="{note.public_id}"' in body and "别的单位" not in body
    assert f'data-agreement="{draft.public_id}"' in body
    assert f'data-agreement="{a.agreement_dept.public_id}"' not in body  # another unit's agreement


def test_a_read_post_and_an_answered_note_are_gone(client, cast):
    a = desk_alliance(cast)
    BoardRead.objects.create(post=a.board_task, unit=cast.places.unit_a)
    InspectionNote.objects.create(
        alliance=a.alliance,
        unit=cast.places.unit_a,
        note="已答复",
        answer="已整改",
        answered_at=timezone.now(),
    )
    cast.login(client, "unit")
    body = client.get(reverse("alliances:my_unit")).content.decode()
    assert f'data-post="{a.board_task.public_id}"' not in body
    assert "已答复" not in body


def test_a_unit_in_no_alliance_is_told_who_adds_it(client, cast):
    cast.login(client, "unit2")
    body = client.get(reverse("alliances:my_unit")).content.decode()
    assert 'data-empty="alliances"' in body


def test_the_department_speaks_for_its_unit(client, cast):
    a = desk_alliance(cast)
    cast.login(client, "dept")
    body = client.get(reverse("alliances:my_unit")).content.decode()
    assert f'data-task="{a.task_open.public_id}"' in body
    assert f'data-task="{a.task_overdue.public_id}"' not in body


def test_the_inspector_reads_the_units_followed(client, cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    cast.login(client, "inspector")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("alliances:inspector"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-commitment="{a.c_hours.public_id}"' in body
    assert f'data-task="{a.task_overdue.public_id}"' in body
    assert f'data-attendance="{cast.places.unit_a.pk}"' in body and "100%" in body
    assert "data-note=" not in body  # read-only: nothing to answer here


def test_only_their_roles_open_the_views(client, cast):
    cast.login(client, "street")
    assert client.get(reverse("alliances:my_unit")).status_code == 403
    assert client.get(reverse("alliances:inspector")).status_code == 403
    cast.login(client, "unit")
    assert client.get(reverse("alliances:inspector")).status_code == 403
