"""What the dispatch board, the department inbox and the homes' to-do items read: the sections of work,
each a named filter on ``Case.objects.visible_to(user)`` or on the user's own dispatches
(``CaseDispatch.objects.for_user``), counted together in one query where a page shows their counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from cases.access import held_by_q
from cases.models import (
    CURRENT_DISPATCH_STATES,
    OPEN_CASE_STATES,
    Case,
    CaseDispatch,
    CaseState,
    DispatchRole,
    DispatchState,
)

# A case or dispatch due within this is "due soon" on the board, the inbox and the homes.
DUE_SOON = timedelta(days=2)
# Returned and finished dispatches stay in the inbox this long.
RECENT = timedelta(days=30)


def to_triage_q(user) -> Q:
    """New cases waiting at the user's level (community, street, district) for triage or dispatch."""
    return Q(state=CaseState.TRIAGE) & held_by_q(user)


def returned_q() -> Q:
    """Cases back in triage because their lead handler returned them: to dispatch again."""
    returned_leads = CaseDispatch.objects.filter(role=DispatchRole.LEAD, state=DispatchState.RETURNED)
    return Q(state=CaseState.TRIAGE, pk__in=returned_leads.values("case_id"))


def new_q(user) -> Q:
    """To triage at the user's level, returned ones aside (they have their own section)."""
    return to_triage_q(user) & ~returned_q()


def due_soon_q(now: datetime) -> Q:
    """``CaseQuerySet.due_soon`` with the board's window, as a filter."""
    return Q(state__in=OPEN_CASE_STATES, due_at__gte=now, due_at__lt=now + DUE_SOON)


def overdue_q(now: datetime) -> Q:
    """``CaseQuerySet.overdue``, as a filter."""
    return Q(state__in=OPEN_CASE_STATES, due_at__lt=now)


def with_dispatches(cases: QuerySet) -> QuerySet:
    """Cards' joins: the place, the category, and every dispatch with its unit (``case.handlers``)."""
    return cases.select_related(
        "category", "street", "community", "compound", "building__compound"
    ).prefetch_related(
        Prefetch(
            "dispatches",
            queryset=CaseDispatch.objects.select_related("unit").order_by("role", "-dispatched_at", "-id"),
            to_attr="handlers",
        )
    )


def board_counts(user, now: datetime) -> dict[str, int]:
    """The board's sections counted in one query."""
    cases = Case.objects.visible_to(user)
    stuck = Case.objects.stuck(now).values("pk")
    return cases.order_by().aggregate(
        new=Count("id", filter=new_q(user)),
        due_soon=Count("id", filter=due_soon_q(now)),
        overdue=Count("id", filter=overdue_q(now)),
        returned=Count("id", filter=returned_q()),
        stuck=Count("id", filter=Q(pk__in=stuck)),
    )


def board_sections(user, now: datetime, shown: int) -> dict[str, list[Case]]:
    """The first ``shown`` cards of each section, the most pressing first."""
    cases = with_dispatches(Case.objects.visible_to(user))
    return {
        "new": list(cases.filter(new_q(user)).order_by("reported_at", "id")[:shown]),
        "due_soon": list(cases.filter(due_soon_q(now)).order_by("due_at", "id")[:shown]),
        "overdue": list(cases.filter(overdue_q(now)).order_by("due_at", "id")[:shown]),
        "returned": list(cases.filter(returned_q()).order_by("-updated_at", "-id")[:shown]),
    }


def by_handler(user, now: datetime, limit: int = 50) -> list[dict]:
    """Open dispatches of the user's cases grouped by unit: how many, awaiting acceptance, late to accept,
    past their deadline; the latest first. One query."""
    current = CaseDispatch.objects.filter(
        case__in=Case.objects.visible_to(user), state__in=CURRENT_DISPATCH_STATES
    )
    return list(
        current.order_by()
        .values("unit_id", "unit__name", "unit__kind", "unit__public_id")
        .annotate(
            n=Count("id"),
            awaiting=Count("id", filter=Q(state=DispatchState.AWAITING)),
            late_to_accept=Count("id", filter=Q(state=DispatchState.AWAITING, accept_by__lt=now)),
            late=Count("id", filter=Q(due_at__lt=now)),
        )
        .order_by("-late", "-late_to_accept", "-n", "unit__name")[:limit]
    )


def inbox_dispatches(user) -> QuerySet:
    """The user's units' dispatches with what an inbox card shows."""
    return CaseDispatch.objects.for_user(user).select_related(
        "unit",
        "case__category",
        "case__street",
        "case__community",
        "case__compound",
        "case__building__compound",
    )


def handler_counts(user, now: datetime) -> dict:
    """The inbox's counts and the oldest of each, in one query (the department's home reads it too)."""
    return (
        CaseDispatch.objects.for_user(user)
        .filter(state__in=CURRENT_DISPATCH_STATES)
        .order_by()
        .aggregate(
            to_accept=Count("id", filter=Q(state=DispatchState.AWAITING)),
            to_accept_since=Min("dispatched_at", filter=Q(state=DispatchState.AWAITING)),
            late_to_accept=Count("id", filter=Q(state=DispatchState.AWAITING, accept_by__lt=now)),
            handling=Count("id", filter=Q(state=DispatchState.ACCEPTED)),
            due_soon=Count(
                "id", filter=Q(state=DispatchState.ACCEPTED, due_at__gte=now, due_at__lt=now + DUE_SOON)
            ),
            due_soon_since=Min(
                "accepted_at",
                filter=Q(state=DispatchState.ACCEPTED, due_at__gte=now, due_at__lt=now + DUE_SOON),
            ),
            overdue=Count("id", filter=Q(state=DispatchState.ACCEPTED, due_at__lt=now)),
            overdue_since=Min("due_at", filter=Q(state=DispatchState.ACCEPTED, due_at__lt=now)),
        )
    )
