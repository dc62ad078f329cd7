"""Shared test data for the alliances: a street alliance of street A with two member units, each with an
agreement in force (rows written directly, so each part's tests start from the same place)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from alliances.members import add_member_unit, create_alliance
from alliances.models import Agreement, AgreementState, AllianceKind


def street_alliance(cast) -> SimpleNamespace:
    p = cast.places
    today = timezone.localdate()
    a = SimpleNamespace()
    a.alliance = create_alliance(
        acting_user=cast.street,
        name="东城街道党建联盟",
        kind=AllianceKind.STREET,
        area=p.street_a,
        lead_org=p.org_street_a,
        charter="共驻共建、资源共享、优势互补",
        founded_on=today - timedelta(days=400),
    )
    a.member_a = add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=p.unit_a)
    a.member_dept = add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=p.dept_a)

    def agreement(unit, **fields):
        values = {
            "alliance": a.alliance,
            "unit": unit,
            "title": f"{unit.name}共建协议",
            "terms": "每季度组织一次共建活动",
            "starts_on": today - timedelta(days=200),
            "ends_on": today + timedelta(days=165),
            "state": AgreementState.SIGNED,
        }
        values.update(fields)
        return Agreement.objects.create(**values)

    a.agreement_a = agreement(p.unit_a)
    a.agreement_dept = agreement(p.dept_a)
    a.make_agreement = agreement
    return a
