"""Every change to a case (街乡吹哨、部门报到): reporting, triage, the whistle (dispatch), acceptance (报到)
and return, progress, the result, the reporter's rating, reopening, merging, the reporter's phone.

Each action checks who is acting (cases/access.py) and the rule, writes the change, a CaseEvent row and
an audit row in one transaction (the steps in cases/steps.py), and queues notifications in that
transaction (the outbox, retried and counted by notifications.delivery). A refused action changes nothing
and raises ValidationError or PermissionDenied with a message for the person. Meetings on a case are in
cases/meetings.py, the registry's writes (categories' handlers, responsibility areas) in cases/keeping.py,
Open311 keys in cases/keys.py, and the deadline work the task framework runs in cases/deadlines.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access import own_member, own_resident, serves_in
from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from cases.access import (
    dispatchable_units_q,
    dispatches,
    handler_unit_ids,
    handles,
    holder_staff,
    is_reporter,
    next_holder,
    triages,
    unit_handlers,
)
from cases.models import (
    CURRENT_DISPATCH_STATES,
    OPEN_CASE_STATES,
    SATISFIED_ANSWERS,
    Case,
    CaseCategory,
    CaseDispatch,
    CaseSource,
    CaseState,
    CaseUpdate,
    DispatchRole,
    DispatchState,
    HolderLevel,
    Open311Key,
    Satisfaction,
    UpdateKind,
)
from cases.steps import case_event, case_url, clean_text, lock_case, require_state, store_photos
from cases.workdays import add_working_days
from gongjian.privacy import InvalidNumber, normalize_phone, seal
from notifications.actions import notify
from orgs.models import Unit
from places.models import Area, AreaLevel, Building, Compound, Grid

# --- reporting ---------------------------------------------------------------------------------------


def _place(*, community, street, grid, compound, building) -> tuple[Area, Area | None, Grid | None]:
    """The street, community and grid a report points at, from the most precise place given."""
    if building is not None:
        compound = building.compound
        grid = grid or building.grid
    if compound is not None:
        if community is not None and compound.community_id != community.pk:
            raise ValidationError({"compound": _("This compound is not in the community chosen.")})
        community = compound.community
    if grid is not None and community is None:
        community = grid.community
    if community is not None:
        if community.level != AreaLevel.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})
        street = community.parent
    if grid is not None:
        street = street or grid.street
        if grid.street_id != street.pk:
            raise ValidationError({"grid": _("This grid is not in the case's street.")})
    if street is None or street.level != AreaLevel.STREET:
        raise ValidationError(
            {"community": _("Say where the problem is: a community, a grid, a compound or a building.")}
        )
    return street, community, grid


def _reporting_as(user, *, key: Open311Key | None, street: Area, community, grid, source: str) -> str:
    """Which source the user reports as, or PermissionDenied: a grid worker in their grid, the community's
    or street's staff in their area (the street and the organisation department also file hotline cases),
    a resident or member in their community, a submitting system inside its area."""
    if key is not None:
        if not key.active:
            raise PermissionDenied(_("This API key has been revoked."))
        if not street.path.startswith(key.area.path):
            raise PermissionDenied(_("This API key may not file cases in %(area)s.") % {"area": street.name})
        return CaseSource.OPEN311
    scope = scope_for(user)
    place = community or street
    if source == CaseSource.HOTLINE:
        if scope.everything or any(scope.holds_area(r, street) for r in (Role.STREET, Role.ORG_DEPT)):
            return CaseSource.HOTLINE
        raise PermissionDenied(_("Hotline cases are filed by the street or the organisation department."))
    if scope.everything or scope.holds_area(Role.COMMUNITY, place):
        return CaseSource.COMMUNITY
    if scope.holds_area(Role.STREET, place) or scope.holds_area(Role.ORG_DEPT, place):
        return CaseSource.STREET
    if grid is not None and any(grid.path.startswith(p) for p in scope.grid_paths):
        return CaseSource.GRID_WORKER
    resident = own_resident(user)
    if resident is not None and community is not None and resident.residence_area_id == community.pk:
        return CaseSource.RESIDENT
    member = own_member(user)
    if (
        member is not None
        and community is not None
        and (member.residence_area_id == community.pk or serves_in(member, community))
    ):
        return CaseSource.MEMBER
    raise PermissionDenied(_("You may not report cases in %(place)s.") % {"place": place.name})


@transaction.atomic
def report_case(
    *,
    acting_user,
    title: str,
    category: CaseCategory,
    description: str = "",
    community: Area | None = None,
    street: Area | None = None,
    grid: Grid | None = None,
    compound: Compound | None = None,
    building: Building | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence = (),
    source: str = "",
    external_id: str = "",
    key: Open311Key | None = None,
    reported_at: datetime | None = None,
    request=None,
) -> Case:
    """A problem reported: it lands with the community (or the street, when no community is known), due
    the category's working days later. A resident, member or grid worker reporting for themself is the
    reporter who will confirm and rate it; the staff, a hotline feed or another system may give the name
    and phone of whoever called."""
    title = clean_text(title, field="title", message=_("Say in a few words what the problem is."), limit=80)
    if not category.active or category.children.exists():
        raise ValidationError({"category": _("Choose a category of problem (not a group).")})
    if latitude is not None and not -90 <= float(latitude) <= 90:
        raise ValidationError({"latitude": _("A latitude is between -90 and 90.")})
    if longitude is not None and not -180 <= float(longitude) <= 180:
        raise ValidationError({"longitude": _("A longitude is between -180 and 180.")})
    street, community, grid = _place(
        community=community, street=street, grid=grid, compound=compound, building=building
    )
    if building is not None:
        compound = building.compound
    source = _reporting_as(acting_user, key=key, street=street, community=community, grid=grid, source=source)
    phone = None
    if reporter_phone:
        try:
            phone = seal("phone", normalize_phone(reporter_phone))
        except InvalidNumber as exc:
            raise ValidationError({"reporter_phone": _("Enter an 11-digit mobile number.")}) from exc
    reporter = None
    if source in (CaseSource.GRID_WORKER, CaseSource.RESIDENT, CaseSource.MEMBER):
        reporter = acting_user
    elif source in (CaseSource.COMMUNITY, CaseSource.STREET) and not reporter_name and not reporter_phone:
        reporter = acting_user
    now = reported_at or timezone.now()
    holder = community or street
    case = Case.objects.create(
        title=title,
        description=(description or "").strip()[:2000],
        category=category,
        source=source,
        street=street,
        community=community,
        area_path=holder.path,
        grid=grid,
        grid_path=grid.path if grid else "",
        compound=compound,
        building=building,
        address=(address or "").strip()[:200],
        latitude=latitude,
        longitude=longitude,
        reporter=reporter,
        reporter_name=(reporter_name or "").strip()[:32],
        reporter_phone_cipher=phone.cipher if phone else "",
        reporter_phone_hint=phone.hint if phone else "",
        external_id=(external_id or "")[:64],
        submitted_via=key,
        holder_level=HolderLevel.COMMUNITY if community else HolderLevel.STREET,
        holder_area=holder,
        reported_at=now,
        due_at=add_working_days(now, category.deadline_days),
        updated_at=now,
    )
    case.number = f"{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    if case.description or photos:
        update = CaseUpdate.objects.create(
            case=case, kind=UpdateKind.REPORT, text=case.description, author=reporter
        )
        store_photos(update, photos)
    case_event(case, "", "report", acting_user)
    record_event(
        actor=acting_user, action="case.report", request=request, target=case, detail={"source": source}
    )
    notify(
        recipients=holder_staff(case),
        kind="case.new",
        title=_("New case: %(title)s") % {"title": case.title},
        url=case_url(case),
    )
    return case


@transaction.atomic
def pass_up(*, acting_user, case: Case, reason: str = "", request=None) -> Case:
    """The community cannot solve it alone: the case goes to the street, who can whistle departments."""
    case = lock_case(case)
    if not triages(acting_user, case):
        raise PermissionDenied(_("Only the community's or street's staff triage this case."))
    require_state(case, CaseState.TRIAGE, doing=_("passed up"))
    if case.holder_level != HolderLevel.COMMUNITY:
        raise ValidationError(_("This case is already with the street."))
    case.holder_level, case.holder_area = HolderLevel.STREET, case.street
    case.save(update_fields=["holder_level", "holder_area"])
    case_event(case, case.state, "pass_up", acting_user, reason)
    record_event(actor=acting_user, action="case.pass_up", request=request, target=case)
    notify(
        recipients=holder_staff(case),
        kind="case.new",
        title=_("Case passed up: %(title)s") % {"title": case.title},
        url=case_url(case),
    )
    return case


# --- the whistle ---------------------------------------------------------------------------------------


@transaction.atomic
def dispatch_case(
    *,
    acting_user,
    case: Case,
    lead: Unit | None = None,
    co_handlers: Iterable[Unit] = (),
    note: str = "",
    due_at: datetime | None = None,
    request=None,
) -> list[CaseDispatch]:
    """吹哨: the street (or the organisation department) calls a lead handler and co-handlers to the case,
    each to accept within the category's window and to finish by the case's deadline (or ``due_at``). A
    case already being handled can be given more co-handlers; a returned case a new lead."""
    case = lock_case(case)
    if not dispatches(acting_user, case):
        raise PermissionDenied(
            _("Only the street committee or the organisation department over this case dispatches it.")
        )
    require_state(case, *OPEN_CASE_STATES, doing=_("dispatched"))
    co_handlers = [u for u in co_handlers if lead is None or u.pk != lead.pk]
    has_lead = case.dispatches.filter(role=DispatchRole.LEAD, state__in=CURRENT_DISPATCH_STATES).exists()
    if lead is None and not has_lead:
        raise ValidationError({"lead": _("Choose the lead handler.")})
    if lead is not None and has_lead:
        raise ValidationError({"lead": _("This case already has a lead handler; add co-handlers instead.")})
    units = ([lead] if lead is not None else []) + list(co_handlers)
    if not units:
        raise ValidationError({"co_handlers": _("Choose at least one department or unit.")})
    allowed = set(
        Unit.objects.filter(dispatchable_units_q(case), pk__in=[u.pk for u in units]).values_list(
            "pk", flat=True
        )
    )
    outside = [u.name for u in units if u.pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "lead": _(
                    "%(units)s cannot be called to a case in %(street)s: departments of the city and member units of the street only."
                )
                % {"units": "、".join(outside), "street": case.street.name}
            }
        )
    already = set(case.dispatches.current().filter(unit__in=units).values_list("unit__name", flat=True))
    if already:
        raise ValidationError(
            {"co_handlers": _("%(units)s is already on this case.") % {"units": "、".join(sorted(already))}}
        )
    now = timezone.now()
    if due_at is None:
        due_at = (
            case.due_at
            if case.due_at and case.due_at > now
            else add_working_days(now, case.category.deadline_days)
        )
    elif due_at <= now:
        raise ValidationError({"due_at": _("The deadline must be in the future.")})
    accept_by = add_working_days(now, case.category.accept_days)
    made = []
    for unit in units:
        role = DispatchRole.LEAD if lead is not None and unit.pk == lead.pk else DispatchRole.CO
        made.append(
            CaseDispatch.objects.create(
                case=case,
                unit=unit,
                role=role,
                note=(note or "")[:200],
                dispatched_by=acting_user,
                dispatched_at=now,
                accept_by=accept_by,
                due_at=due_at,
            )
        )
    previous = case.state
    if lead is not None:
        case.state = CaseState.DISPATCHED
        case.due_at = due_at
    if case.holder_level == HolderLevel.COMMUNITY:
        case.holder_level, case.holder_area = HolderLevel.STREET, case.street
    case.save(update_fields=["state", "due_at", "holder_level", "holder_area"])
    for d in made:
        case_event(case, previous, "dispatch", acting_user, note, unit=d.unit)
        previous = case.state
    record_event(
        actor=acting_user,
        action="case.dispatch",
        request=request,
        target=case,
        detail={"lead": lead.name if lead else "", "co": [u.name for u in co_handlers]},
    )
    notify(
        recipients=unit_handlers([u.pk for u in units]),
        kind="case.dispatched",
        title=_("Case for you to accept: %(title)s") % {"title": case.title},
        url=case_url(case),
    )
    return made


def _lock_dispatch(dispatch: CaseDispatch) -> tuple[CaseDispatch, Case]:
    case = lock_case(dispatch.case)
    return CaseDispatch.objects.select_for_update().select_related("unit").get(pk=dispatch.pk), case


@transaction.atomic
def accept_dispatch(*, acting_user, dispatch: CaseDispatch, request=None) -> CaseDispatch:
    """报到: the department or unit accepts the case; the lead's acceptance starts the handling."""
    dispatch, case = _lock_dispatch(dispatch)
    if not handles(acting_user, dispatch):
        raise PermissionDenied(_("Only %(unit)s accepts this case.") % {"unit": dispatch.unit.name})
    if dispatch.state != DispatchState.AWAITING:
        raise ValidationError(
            _("This dispatch is %(state)s; it cannot be accepted.") % {"state": dispatch.get_state_display()}
        )
    now = timezone.now()
    dispatch.state, dispatch.accepted_at, dispatch.responded_by = DispatchState.ACCEPTED, now, acting_user
    dispatch.accepted_on_time = now <= dispatch.accept_by
    dispatch.save(update_fields=["state", "accepted_at", "responded_by", "accepted_on_time"])
    previous = case.state
    if dispatch.role == DispatchRole.LEAD and case.state == CaseState.DISPATCHED:
        case.state = CaseState.HANDLING
        case.save(update_fields=["state"])
    case_event(case, previous, "accept", acting_user, unit=dispatch.unit)
    record_event(
        actor=acting_user,
        action="case.accept",
        request=request,
        target=case,
        detail={"unit": dispatch.unit.name},
    )
    return dispatch


@transaction.atomic
def return_dispatch(*, acting_user, dispatch: CaseDispatch, reason: str, request=None) -> CaseDispatch:
    """The department or unit returns the case with a reason (not theirs, wrong place…). Nothing is lost:
    a returned lead puts the case back on the street's board for a new dispatch; co-handlers stay on."""
    reason = clean_text(reason, field="reason", message=_("Say why you are returning the case."), limit=200)
    dispatch, case = _lock_dispatch(dispatch)
    if not handles(acting_user, dispatch):
        raise PermissionDenied(_("Only %(unit)s returns this case.") % {"unit": dispatch.unit.name})
    if dispatch.state not in CURRENT_DISPATCH_STATES:
        raise ValidationError(
            _("This dispatch is %(state)s; it cannot be returned.") % {"state": dispatch.get_state_display()}
        )
    now = timezone.now()
    dispatch.state, dispatch.returned_at, dispatch.return_reason = DispatchState.RETURNED, now, reason
    dispatch.responded_by = acting_user
    dispatch.save(update_fields=["state", "returned_at", "return_reason", "responded_by"])
    previous = case.state
    if dispatch.role == DispatchRole.LEAD and case.state in (CaseState.DISPATCHED, CaseState.HANDLING):
        case.state = CaseState.TRIAGE
        if case.holder_level == HolderLevel.COMMUNITY:
            case.holder_level, case.holder_area = HolderLevel.STREET, case.street
        case.save(update_fields=["state", "holder_level", "holder_area"])
    case_event(case, previous, "return", acting_user, reason, unit=dispatch.unit)
    record_event(
        actor=acting_user,
        action="case.return",
        request=request,
        target=case,
        detail={"unit": dispatch.unit.name, "reason": reason},
    )
    notify(
        recipients=holder_staff(case),
        kind="case.returned",
        title=_("%(unit)s returned a case: %(title)s") % {"unit": dispatch.unit.name, "title": case.title},
        body=reason,
        url=case_url(case),
    )
    return dispatch


def _acting_dispatch(user, case: Case) -> CaseDispatch | None:
    """The user's accepted dispatch on the case (the lead's first)."""
    return (
        case.dispatches.filter(unit_id__in=handler_unit_ids(user), state=DispatchState.ACCEPTED)
        .order_by("role", "id")
        .first()
    )


@transaction.atomic
def record_progress(*, acting_user, case: Case, text: str, photos: Sequence = (), request=None) -> CaseUpdate:
    """A handler (an accepted department or unit) or the triaging staff writes what has been done so far."""
    text = clean_text(text, field="text", message=_("Write what has been done."))
    case = lock_case(case)
    require_state(case, *OPEN_CASE_STATES, doing=_("updated"))
    dispatch = _acting_dispatch(acting_user, case)
    if dispatch is None and not (triages(acting_user, case) or dispatches(acting_user, case)):
        raise PermissionDenied(_("Only the case's handlers and staff record progress."))
    update = CaseUpdate.objects.create(
        case=case, dispatch=dispatch, kind=UpdateKind.PROGRESS, text=text, author=acting_user
    )
    store_photos(update, photos)
    case_event(
        case, case.state, "progress", acting_user, text[:200], unit=dispatch.unit if dispatch else None
    )
    record_event(actor=acting_user, action="case.progress", request=request, target=case)
    return update


@transaction.atomic
def resolve_case(*, acting_user, case: Case, result: str, photos: Sequence = (), request=None) -> Case:
    """The result, with its evidence: by the lead handler of a case being handled, or by the community or
    street closing a case in triage themselves. It waits for the reporter to confirm and rate it (a case
    with no reporter's account closes by itself after CASE_CONFIRM_DAYS). No result, no closing."""
    result = clean_text(
        result, field="result", message=_("A case is not closed without its result: write what was done.")
    )
    case = lock_case(case)
    now = timezone.now()
    lead = (
        case.dispatches.filter(role=DispatchRole.LEAD, state=DispatchState.ACCEPTED)
        .select_related("unit")
        .first()
    )
    if case.state == CaseState.HANDLING and lead is not None and handles(acting_user, lead):
        dispatch = lead
    elif case.state == CaseState.TRIAGE and triages(acting_user, case):
        dispatch = None
    elif case.state in OPEN_CASE_STATES and (
        lead is not None and handles(acting_user, lead) or triages(acting_user, case)
    ):
        raise ValidationError(
            _("This case is %(state)s; it cannot be resolved.") % {"state": case.get_state_display()}
        )
    else:
        raise PermissionDenied(
            _("Only the lead handler, or the community or street before dispatch, resolves a case.")
        )
    update = CaseUpdate.objects.create(
        case=case, dispatch=dispatch, kind=UpdateKind.RESULT, text=result, author=acting_user
    )
    store_photos(update, photos)
    on_time = case.due_at is None or now <= case.due_at
    for d in case.dispatches.filter(state=DispatchState.ACCEPTED):
        d.state, d.done_at, d.completed_on_time = DispatchState.DONE, now, now <= d.due_at
        d.save(update_fields=["state", "done_at", "completed_on_time"])
    case.dispatches.filter(state=DispatchState.AWAITING).update(state=DispatchState.WITHDRAWN)
    previous = case.state
    case.state, case.result, case.resolved_at, case.completed_on_time = (
        CaseState.RESOLVED,
        result,
        now,
        on_time,
    )
    case.save(update_fields=["state", "result", "resolved_at", "completed_on_time"])
    case_event(case, previous, "resolve", acting_user, result[:200], unit=dispatch.unit if dispatch else None)
    record_event(actor=acting_user, action="case.resolve", request=request, target=case)
    if case.reporter_id:
        notify(
            recipients=[case.reporter],
            kind="case.resolved",
            title=_("Your case has a result: %(title)s — is it fixed?") % {"title": case.title},
            url=reverse("cases:my_case", args=[case.public_id]),
        )
    return case


# --- the reporter's word -------------------------------------------------------------------------------


def _not_fixed(case: Case, actor, reason: str) -> str:
    """Back to work: the first time to the same handler (a new deadline), after that one level up for
    triage. Returns the event's action."""
    now = timezone.now()
    previous = case.state
    lead = (
        case.dispatches.filter(role=DispatchRole.LEAD, state=DispatchState.DONE)
        .order_by("-done_at", "-id")
        .first()
    )
    if case.reopen_count == 0:
        case.reopen_count = 1
        case.due_at = add_working_days(now, case.category.deadline_days)
        case.resolved_at = case.completed_on_time = case.closed_at = None
        if lead is not None:
            lead.state, lead.done_at, lead.completed_on_time, lead.due_at = (
                DispatchState.ACCEPTED,
                None,
                None,
                case.due_at,
            )
            lead.save(update_fields=["state", "done_at", "completed_on_time", "due_at"])
            case.state = CaseState.HANDLING
        else:
            case.state = CaseState.TRIAGE
        case.save(
            update_fields=["reopen_count", "due_at", "resolved_at", "completed_on_time", "closed_at", "state"]
        )
        case_event(case, previous, "reopen", actor, reason, unit=lead.unit if lead else None)
        recipients = unit_handlers([lead.unit_id]) if lead else holder_staff(case)
        notify(
            recipients=recipients,
            kind="case.reopened",
            title=_("Case reopened: %(title)s") % {"title": case.title},
            body=reason,
            url=case_url(case),
        )
        return "reopen"
    up = next_holder(case) or (case.holder_level, case.holder_area)
    case.state, case.holder_level, case.holder_area = CaseState.TRIAGE, up[0], up[1]
    case.escalation_level += 1
    case.escalated_at = now
    case.due_at = add_working_days(now, case.category.deadline_days)
    case.resolved_at = case.completed_on_time = case.closed_at = None
    case.save(
        update_fields=[
            "state",
            "holder_level",
            "holder_area",
            "escalation_level",
            "escalated_at",
            "due_at",
            "resolved_at",
            "completed_on_time",
            "closed_at",
        ]
    )
    case_event(case, previous, "escalate", actor, reason)
    notify(
        recipients=holder_staff(case),
        kind="case.escalated",
        title=_("Case escalated: %(title)s") % {"title": case.title},
        body=reason,
        url=case_url(case),
    )
    return "escalate"


@transaction.atomic
def rate_case(*, acting_user, case: Case, rating: str, comment: str = "", request=None) -> Case:
    """The reporter confirms and rates the result. Satisfied (or basically): closed. Unsatisfied: reopened
    once to the same handler, then escalated."""
    if rating not in Satisfaction.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or unsatisfied.")})
    case = lock_case(case)
    if not is_reporter(acting_user, case):
        raise PermissionDenied(_("Only the person who reported the case rates it."))
    require_state(case, CaseState.RESOLVED, doing=_("rated"))
    now = timezone.now()
    comment = (comment or "").strip()[:200]
    case.rating, case.rating_comment, case.rated_at = rating, comment, now
    previous = case.state
    if rating in SATISFIED_ANSWERS:
        case.state, case.closed_at = CaseState.CLOSED, now
    case.save(update_fields=["rating", "rating_comment", "rated_at", "state", "closed_at"])
    case_event(case, previous, "rate", acting_user, f"{rating} {comment}".strip())
    if rating == Satisfaction.UNSATISFIED:
        _not_fixed(case, acting_user, comment or _("The reporter is not satisfied."))
    record_event(
        actor=acting_user, action="case.rate", request=request, target=case, detail={"rating": rating}
    )
    return case


@transaction.atomic
def reopen_case(*, acting_user, case: Case, reason: str, request=None) -> Case:
    """ "Not fixed": the reporter (or the triaging staff, on the reporter's word) sends a resolved or closed
    case back — once to the same handler, then one level up."""
    reason = clean_text(reason, field="reason", message=_("Say what is still wrong."), limit=200)
    case = lock_case(case)
    if not (is_reporter(acting_user, case) or triages(acting_user, case)):
        raise PermissionDenied(_("Only the reporter or the case's staff reopen it."))
    require_state(case, CaseState.RESOLVED, CaseState.CLOSED, doing=_("reopened"))
    action = _not_fixed(case, acting_user, reason)
    record_event(
        actor=acting_user,
        action="case.reopen" if action == "reopen" else "case.escalate",
        request=request,
        target=case,
        detail={"reason": reason},
    )
    return case


@transaction.atomic
def merge_case(*, acting_user, case: Case, into: Case, reason: str = "", request=None) -> Case:
    """A duplicate (same place and problem) merged into the case that carries on: its dispatches are
    withdrawn, its reporter follows the other case's status, and both keep the event."""
    if case.pk == into.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    first, second = sorted([case, into], key=lambda c: c.pk)
    first, second = lock_case(first), lock_case(second)
    case, into = (first, second) if first.pk == case.pk else (second, first)
    if not (triages(acting_user, case) or dispatches(acting_user, case)) or not (
        triages(acting_user, into) or dispatches(acting_user, into)
    ):
        raise PermissionDenied(_("Only the staff over both cases merge them."))
    require_state(case, *OPEN_CASE_STATES, CaseState.RESOLVED, doing=_("merged"))
    if into.state in (CaseState.MERGED,):
        raise ValidationError({"into": _("That case was itself merged; merge into the case it went into.")})
    previous = case.state
    case.dispatches.current().update(state=DispatchState.WITHDRAWN)
    case.state, case.merged_into, case.closed_at = CaseState.MERGED, into, timezone.now()
    case.save(update_fields=["state", "merged_into", "closed_at"])
    case_event(case, previous, "merge", acting_user, reason or into.number or "")
    case_event(into, into.state, "merged_in", acting_user, case.number or "")
    record_event(
        actor=acting_user,
        action="case.merge",
        request=request,
        target=case,
        detail={"into": str(into.public_id)},
    )
    return case


# --- the reporter's phone ---------------------------------------------------------------------------


def reveal_reporter_phone(*, acting_user, case: Case, request=None) -> str:
    """The reporter's phone in full, for a handler or the staff to call back; every attempt is audited
    (``privacy.reveal.reporter_phone``). Not atomic on purpose: a refused attempt keeps its audit row."""
    from audit.models import Outcome
    from cases.access import sees_reporter
    from gongjian.privacy import decrypt

    if not sees_reporter(acting_user, case):
        record_event(
            actor=acting_user,
            action="privacy.reveal.reporter_phone",
            target=case,
            request=request,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied(_("Only the case's handlers and staff see the reporter's phone."))
    record_event(actor=acting_user, action="privacy.reveal.reporter_phone", target=case, request=request)
    return decrypt(case.reporter_phone_cipher) if case.reporter_phone_cipher else ""
