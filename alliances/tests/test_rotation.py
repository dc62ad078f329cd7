"""The rotating chair: a year drawn up fairly from the active member units, swaps, plans and reports."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from alliances import rotation
from alliances.models import AllianceEvent, ChairTurn
from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def units(turns):
    return [turn.unit_id for turn in turns]


@pytest.fixture
def world(cast):
    a = street_alliance(cast)
    a.year = date.today().year + 1
    # both agreements in force over the whole of next year
    for agreement in (a.agreement_a, a.agreement_dept):
        agreement.ends_on = date(a.year + 1, 6, 30)
        agreement.save(update_fields=["ends_on"])
    return a


def test_a_year_goes_round_the_units_in_the_order_they_joined(cast, world):
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    a, d = cast.places.unit_a.pk, cast.places.dept_a.pk
    assert [t.month for t in turns] == [date(world.year, m, 1) for m in range(1, 13)]
    assert units(turns) == [a, d] * 6
    assert AllianceEvent.objects.filter(subject_type="alliance", action="rotation").count() == 1
    assert AuditEvent.objects.filter(action="alliances.rotation_generated").count() == 1


def test_the_year_continues_after_last_years_last_chair(cast, world):
    ChairTurn.objects.create(
        alliance=world.alliance, month=date(world.year - 1, 12, 1), unit=cast.places.unit_a
    )
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    assert turns[0].unit_id == cast.places.dept_a.pk


def test_a_unit_inactive_for_a_month_is_skipped(cast, world):
    world.agreement_dept.ends_on = date(world.year, 4, 15)  # expired from May
    world.agreement_dept.save(update_fields=["ends_on"])
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    a, d = cast.places.unit_a.pk, cast.places.dept_a.pk
    assert units(turns) == [a, d, a, d] + [a] * 8


def test_a_month_with_no_active_unit_has_no_chair(cast, world):
    for agreement in (world.agreement_a, world.agreement_dept):
        agreement.ends_on = date(world.year, 2, 10)
        agreement.save(update_fields=["ends_on"])
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    assert [t.month.month for t in turns] == [1, 2]


def test_redrawing_keeps_planned_months_and_swaps(cast, world):
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    march = turns[2]
    rotation.plan_turn(acting_user=cast.unit, turn=march, theme="植树护绿", plan="三月植树")
    first, second = rotation.swap_turns(
        acting_user=cast.street, first=turns[0], second=turns[3], reason="单位年初有检查"
    )
    first.refresh_from_db()
    assert first.unit_id == cast.places.dept_a.pk and first.scheduled_unit_id == cast.places.unit_a.pk
    assert second.unit_id == cast.places.unit_a.pk and second.scheduled_unit_id == cast.places.dept_a.pk
    assert AllianceEvent.objects.filter(subject_type="chair", action="swap").count() == 2
    again = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    march_again = next(t for t in again if t.month.month == 3)
    assert march_again.pk == march.pk and march_again.theme == "植树护绿"
    assert ChairTurn.objects.filter(alliance=world.alliance).count() == 12


def test_swap_takes_the_plan_with_the_unit(cast, world):
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    rotation.plan_turn(acting_user=cast.unit, turn=turns[0], theme="主题", plan="计划")
    first, second = rotation.swap_turns(
        acting_user=cast.street, first=turns[0], second=turns[1], reason="调换"
    )
    assert second.unit_id == cast.places.unit_a.pk and second.theme == "主题" and first.theme == ""


def test_only_the_lead_generates_and_swaps(cast, world):
    with pytest.raises(PermissionDenied):
        rotation.generate_rotation(acting_user=cast.unit, alliance=world.alliance, year=world.year)
    with pytest.raises(PermissionDenied):
        rotation.generate_rotation(acting_user=cast.street2, alliance=world.alliance, year=world.year)
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    with pytest.raises(PermissionDenied):
        rotation.swap_turns(acting_user=cast.unit, first=turns[0], second=turns[1], reason="x")
    with pytest.raises(ValidationError):
        rotation.swap_turns(acting_user=cast.street, first=turns[0], second=turns[1], reason=" ")
    with pytest.raises(ValidationError):
        rotation.generate_rotation(
            acting_user=cast.street, alliance=world.alliance, year=world.year, start_month=13
        )


def test_past_and_reported_months_cannot_be_swapped_and_a_month_is_reported_once_started(cast, world):
    turns = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
    with pytest.raises(ValidationError, match="started"):
        rotation.report_turn(acting_user=cast.unit, turn=turns[0], report="做了")
    with pytest.raises(PermissionDenied):
        rotation.plan_turn(
            acting_user=cast.unit, turn=turns[1], theme="t", plan="p"
        )  # the department's month
    with time_machine.travel(date(world.year, 2, 3), tick=False):
        with pytest.raises(PermissionDenied):
            rotation.report_turn(acting_user=cast.street, turn=turns[0], report="做了")
        rotation.report_turn(acting_user=cast.unit, turn=turns[0], report="一月开展了主题党日")
        with pytest.raises(ValidationError, match="already reported"):
            rotation.report_turn(acting_user=cast.unit, turn=turns[0], report="again")
        with pytest.raises(ValidationError, match="passed"):
            rotation.swap_turns(acting_user=cast.street, first=turns[0], second=turns[4], reason="x")
        with pytest.raises(ValidationError, match="passed"):
            rotation.plan_turn(acting_user=cast.unit, turn=turns[0], theme="t", plan="p")
        # redrawn in February: January (gone by and reported) and February (begun) stay
        before = {t.month: t.unit_id for t in ChairTurn.objects.filter(alliance=world.alliance)}
        again = rotation.generate_rotation(acting_user=cast.street, alliance=world.alliance, year=world.year)
        assert {t.month: t.unit_id for t in again} == before
