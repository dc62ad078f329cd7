"""gongjian.bulk: COPY (PostgreSQL) or multi-row INSERTs (SQLite) write what bulk_create would."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from gongjian import bulk
from gongjian.testing import id_number
from people.actions import derive_place_paths, seal_numbers
from people.models import Member

pytestmark = pytest.mark.django_db


def _new_member(cast, n: int) -> Member:
    person = Member(
        name=f"批量{n}",
        name_initials="pl",
        unit=cast.places.unit_a,
        party_org=cast.places.org_unit_a,
        residence_area=cast.places.a1,
        in_service=True,
        gender="F",
        birth_date=date(1980, 1, 2),
    )
    seal_numbers(person, id_number=id_number(n), phone=f"1390000{n:04d}")
    derive_place_paths(person)
    return person


def test_insert_writes_instances_and_sets_their_keys(cast):
    people = [_new_member(cast, n) for n in range(501, 508)]
    written = bulk.insert(Member, people)
    assert all(p.pk for p in written) and len({p.pk for p in written}) == 7
    stored = Member.objects.get(pk=written[3].pk)
    assert stored.name == "批量504" and stored.public_id == written[3].public_id
    assert stored.residence_path == cast.places.a1.path and stored.in_service is True
    assert stored.created_at is not None  # auto_now_add applied, as bulk_create does
    assert stored.masked_phone == "139****0504"
    assert not stored._state.adding
    # a later ordinary save takes a fresh key past the ones taken here
    later = _new_member(cast, 599)
    later.save()
    assert later.pk > max(p.pk for p in written)


def test_json_and_foreign_keys_go_through(cast):
    event = AuditEvent(actor=cast.community, actor_label="x", action="bulk.test", detail={"行": [1, 2]})
    bulk.insert(AuditEvent, [event])
    assert AuditEvent.objects.get(pk=event.pk).detail == {"行": [1, 2]}


def test_copy_rows_writes_tuples_and_counts_them(cast):
    before = AuditEvent.objects.count()
    columns = ["public_id", "at", "actor_label", "action", "target_type", "target_id", "target_label"]
    columns += ["user_agent", "outcome", "detail"]
    now = timezone.now()
    rows = [
        (uuid.uuid4().hex, now, "u", "bulk.rows", "people.member", str(n), "", "", "success", '{"n": 1}')
        for n in range(5)
    ]
    assert bulk.copy_rows(AuditEvent, columns, rows) == 5
    assert AuditEvent.objects.count() == before + 5
    assert AuditEvent.objects.filter(action="bulk.rows", target_id="3", detail={"n": 1}).exists()


def test_a_failing_row_leaves_nothing_behind(cast):
    people = [_new_member(cast, n) for n in range(520, 524)]
    people[2].id_number_hash = people[1].id_number_hash  # unique hash clash
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Member, people)
    assert not Member.objects.filter(name__startswith="批量52").exists()
