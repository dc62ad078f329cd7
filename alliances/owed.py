"""What the alliance owes the residents (联盟对居民的承诺): for each commitment of an agreement in force, what
it promised and what has been delivered, counted from the service loop, never typed in.

How each kind is counted (one grouped query per source, however many commitments):

- hours: the confirmed service minutes (``ServiceRecord.objects.confirmed()``) of the unit's members
  (``ServiceRecord.unit``) in communities under the alliance's area, started within the agreement's
  period, in hours;
- people: the distinct members of the unit who gave such service;
- project: the linked ``service.Project`` — delivered when completed (or evaluated), with its people
  served; a project commitment promises one project when it names no quantity;
- venue, funds, other with a linked ``service.Resource``: the quantity of the resource committed to
  projects (``service.resources.actions.committed_quantity``, here summed for all resources at once),
  or, while nothing is committed yet, the quantity the resource offers (unless withdrawn);
- anything else (a project, venue, funds or other line without a link): **not counted**, shown as such,
  never as 0.

The rate of a commitment is delivered ÷ promised (at most 100 %); the rate of an agreement, a unit or an
alliance is the mean of its counted commitments' rates, each commitment weighing the same (hours and
yuan do not add up). It is "—", with the reason, when nothing countable was promised.

The agreements are read through ``Agreement.objects.visible_to(user)``; what an agreement delivered is a
figure of that agreement, counted over all its unit's confirmed records (a sum and a count, naming
nobody), so that the street, the unit, its inspector and the export all read the same number."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from alliances.models import Agreement, Commitment, CommitmentKind
from places.paths import subtree_q
from service.models import ProjectCommitment, ProjectState, ServiceRecord

# Who reads what an alliance owes (the workbench, the detail and its export): the areas, the member
# units' people and the inspectors following them.
OWED_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)

DONE_PROJECT_STATES = (ProjectState.COMPLETED, ProjectState.EVALUATED)
RESOURCE_KINDS = (CommitmentKind.VENUE, CommitmentKind.FUNDS, CommitmentKind.OTHER)
ONE = Decimal(1)
HUNDRED = Decimal(100)


@dataclass
class Line:
    """One commitment: what it promised, what was delivered (``None``: not counted) and how."""

    commitment: Commitment
    promised: Decimal
    delivered: Decimal | None
    how: Any  # lazy text: what was counted, or why nothing is
    people_served: int | None = None  # a project's

    @property
    def agreement(self) -> Agreement:
        return self.commitment.agreement

    @property
    def counted(self) -> bool:
        return self.delivered is not None and self.promised > 0

    @property
    def rate(self) -> Decimal | None:
        """Delivered ÷ promised, at most 1; None when not counted."""
        if not self.counted:
            return None
        assert self.delivered is not None
        return min(ONE, self.delivered / self.promised)

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else int((self.rate * HUNDRED).to_integral_value())


@dataclass
class Total:
    """The commitments of an agreement, a unit or an alliance, and their rate."""

    lines: list[Line] = field(default_factory=list)

    @property
    def counted(self) -> list[Line]:
        return [line for line in self.lines if line.counted]

    @property
    def not_counted(self) -> int:
        return len(self.lines) - len(self.counted)

    @property
    def rate(self) -> Decimal | None:
        counted = self.counted
        if not counted:
            return None
        return sum((line.rate for line in counted if line.rate is not None), Decimal(0)) / len(counted)

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else int((self.rate * HUNDRED).to_integral_value())

    @property
    def no_rate_reason(self) -> Any:
        if not self.lines:
            return _("no commitment in an agreement in force")
        if not self.counted:
            return _("nothing promised can be counted yet: link the commitments to resources or projects")
        return ""

    @property
    def delivered_lines(self) -> int:
        """Commitments delivered in full."""
        return sum(1 for line in self.counted if line.rate == ONE)


@dataclass
class Owed:
    lines: list[Line]
    by_agreement: dict[int, Total]
    by_unit: dict[int, Total]
    by_alliance: dict[int, Total]

    @property
    def total(self) -> Total:
        return Total(list(self.lines))


def agreements_in_force(user, *, alliances=None, units=None, on: date | None = None) -> QuerySet[Agreement]:
    """The agreements in force the user may see, of these alliances and units (all when not given)."""
    on = on or timezone.localdate()
    found = Agreement.objects.visible_to(user).in_force_on(on)
    if alliances is not None:
        found = found.filter(alliance__in=alliances)
    if units is not None:
        found = found.filter(unit__in=units)
    return found


def owed(user, *, alliances=None, units=None, on: date | None = None) -> Owed:
    """What the alliances (and units) owe the residents, as ``user`` may see it, on the day ``on``."""
    agreements = agreements_in_force(user, alliances=alliances, units=units, on=on)
    commitments = list(
        Commitment.objects.filter(agreement__in=agreements)
        .select_related("agreement__alliance", "agreement__unit", "project", "resource")
        .order_by("agreement__alliance__area_path", "agreement__unit__name", "agreement_id", "sort", "id")
    )
    return tally(commitments)


def tally(commitments: list[Commitment]) -> Owed:
    """Count what each commitment delivered (loaded with its agreement, alliance, project and resource):
    two queries, whatever their number (none for none)."""
    service = _service([c.agreement for c in commitments if c.kind in _SERVICE_KINDS])
    committed = _committed([c.resource_id for c in commitments if c.resource_id and c.kind in RESOURCE_KINDS])
    lines = [_line(c, service, committed) for c in commitments]
    by_agreement: dict[int, Total] = defaultdict(Total)
    by_unit: dict[int, Total] = defaultdict(Total)
    by_alliance: dict[int, Total] = defaultdict(Total)
    for line in lines:
        agreement = line.commitment.agreement
        by_agreement[agreement.pk].lines.append(line)
        by_unit[agreement.unit_id].lines.append(line)
        by_alliance[agreement.alliance_id].lines.append(line)
    return Owed(lines, dict(by_agreement), dict(by_unit), dict(by_alliance))


_SERVICE_KINDS = (CommitmentKind.HOURS, CommitmentKind.PEOPLE)


def _service_q(agreement: Agreement) -> Q:
    return (
        Q(unit_id=agreement.unit_id)
        & subtree_q("community_path", agreement.alliance.area_path)
        & Q(started_at__date__gte=agreement.starts_on, started_at__date__lte=agreement.ends_on)
    )


def _service(agreements: list[Agreement]) -> dict[int, tuple[int, int]]:
    """Per agreement: (confirmed minutes, distinct members) of its unit's service in the alliance's area
    within its period — one query for every agreement."""
    unique = {a.pk: a for a in agreements}
    if not unique:
        return {}
    aggregates: dict[str, Any] = {}
    for pk, agreement in unique.items():
        q = _service_q(agreement)
        aggregates[f"m{pk}"] = Sum("minutes", filter=q)
        aggregates[f"p{pk}"] = Count("member_id", filter=q, distinct=True)
    either = Q()
    for agreement in unique.values():
        either |= _service_q(agreement)
    found = ServiceRecord.objects.confirmed().filter(either).order_by().aggregate(**aggregates)
    return {pk: (found[f"m{pk}"] or 0, found[f"p{pk}"] or 0) for pk in unique}


def _committed(resource_ids: list[int]) -> dict[int, Decimal]:
    """Per resource: the quantity committed to projects (``committed_quantity`` for all at once)."""
    if not resource_ids:
        return {}
    rows = (
        ProjectCommitment.objects.filter(resource_id__in=set(resource_ids))
        .order_by()
        .values("resource_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["resource_id"]: row["total"] or Decimal(0) for row in rows}


def _line(c: Commitment, service: dict[int, tuple[int, int]], committed: dict[int, Decimal]) -> Line:
    promised = c.quantity or Decimal(0)
    if c.kind == CommitmentKind.HOURS:
        minutes, _people = service[c.agreement_id]
        hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"))
        return Line(c, promised, hours, _("confirmed service hours of the unit's members in the area"))
    if c.kind == CommitmentKind.PEOPLE:
        _minutes, people = service[c.agreement_id]
        return Line(c, promised, Decimal(people), _("the unit's members who served in the area"))
    if c.kind == CommitmentKind.PROJECT:
        if c.project is None:
            return Line(c, promised, None, _("not counted: no project linked"))
        done = c.project.state in DONE_PROJECT_STATES
        promised = promised or ONE
        return Line(
            c,
            promised,
            promised if done else Decimal(0),
            _("project completed") if done else c.project.get_state_display(),
            people_served=c.project.beneficiaries_served,
        )
    if c.resource is None:
        return Line(c, promised, None, _("not counted: no resource linked"))
    given = committed.get(c.resource.pk, Decimal(0))
    if given:
        return Line(c, promised, given, _("committed to projects from the resource"))
    if c.resource.withdrawn_at is None:
        return Line(c, promised, c.resource.quantity, _("offered on the resource list"))
    return Line(c, promised, Decimal(0), _("resource withdrawn, nothing committed"))
