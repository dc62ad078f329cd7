"""A case's page — what, where, when due, who holds and handles it, what happened (events, progress and
results with their photos), its dispatches and meetings — with the forms for exactly the steps this
viewer may take now, and the reporter's own status pages.

Reads go through ``Case.objects.visible_to(user)`` (outside the scope: 404). Who may do what is asked of
cases/access.py; each POST calls one action of cases/actions.py through ``run_action`` and goes back to
the page (PRG); a refusal shows the page again with the action's words beside what was typed (400)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from cases import actions, meetings
from cases.access import (
    dispatchable_units,
    dispatches,
    handles,
    is_reporter,
    runs_case,
    sees_reporter,
    triages,
)
from cases.forms import (
    DispatchForm,
    MeetingForm,
    MeetingRecordForm,
    MergeForm,
    RateForm,
    ReasonForm,
    TextPhotosForm,
)
from cases.models import (
    CURRENT_DISPATCH_STATES,
    OPEN_CASE_STATES,
    Case,
    CaseDispatch,
    CaseMeeting,
    CasePhoto,
    CaseState,
    CaseUpdate,
    DispatchRole,
    DispatchState,
    HolderLevel,
    MeetingState,
)
from cases.queries import possible_duplicates
from cases.workdays import working_days_between
from gongjian.pages import get_visible_or_404, paginate, public_id_or_404, run_action
from service.records.imaging import CONTENT_TYPES

EVENT_LABELS = {
    "report": gettext_lazy("Reported"),
    "pass_up": gettext_lazy("Passed up to the street"),
    "dispatch": gettext_lazy("Whistled (dispatched)"),
    "accept": gettext_lazy("Accepted (reported for duty)"),
    "return": gettext_lazy("Returned"),
    "progress": gettext_lazy("Progress"),
    "resolve": gettext_lazy("Result"),
    "rate": gettext_lazy("Rated"),
    "reopen": gettext_lazy("Reopened"),
    "escalate": gettext_lazy("Escalated"),
    "merge": gettext_lazy("Merged into another case"),
    "merged_in": gettext_lazy("A duplicate was merged in"),
    "meeting": gettext_lazy("Meeting called"),
    "meeting_held": gettext_lazy("Meeting held"),
    "auto_close": gettext_lazy("Closed without confirmation"),
}
UPDATE_LABELS = {
    "progress": gettext_lazy("Progress"),
    "result": gettext_lazy("Result"),
}
# Events whose words are shown by the update they wrote (progress, the result).
SHOWN_AS_UPDATES = ("progress", "resolve")
# What the reporter reads: the state in plain words.
PLAIN_STATE = {
    CaseState.TRIAGE: gettext_lazy("Received: the community is looking at it."),
    CaseState.DISPATCHED: gettext_lazy(
        "Sent to the department or unit responsible; waiting for them to take it on."
    ),
    CaseState.HANDLING: gettext_lazy("Being handled by the department or unit responsible."),
    CaseState.RESOLVED: gettext_lazy("Done, they say. Is it fixed? Please tell us below."),
    CaseState.CLOSED: gettext_lazy("Closed."),
    CaseState.MERGED: gettext_lazy("Somebody reported the same problem; it is followed there."),
}
# Who opens a case page at all (visible_to decides which cases): every role, since members, residents and
# inspectors see the cases they reported. Each step asks for the roles that can ever take it;
# cases/access.py decides whether this viewer may take it on this case.
CASE_ROLES = tuple(Role.values)
TRIAGE_ROLES = (Role.COMMUNITY, Role.STREET, Role.ORG_DEPT)
WHISTLE_ROLES = (Role.STREET, Role.ORG_DEPT)
HANDLER_ROLES = (Role.DEPARTMENT, Role.UNIT_ADMIN)
WORK_ROLES = (*TRIAGE_ROLES, *HANDLER_ROLES)


def plain_state(case: Case) -> str:
    return str(PLAIN_STATE.get(case.state, case.get_state_display()))


def _case(request: HttpRequest, public_id) -> Case:
    queryset = Case.objects.select_related(
        "category__parent",
        "street__parent",
        "community",
        "holder_area",
        "grid",
        "compound",
        "building__compound",
        "reporter",
        "merged_into",
    )
    return get_visible_or_404(queryset, request.user, public_id)


def _dispatch(request: HttpRequest, public_id) -> CaseDispatch:
    queryset = CaseDispatch.objects.filter(case__in=Case.objects.visible_to(request.user).values("pk"))
    found = get_object_or_404(queryset.select_related("unit", "case"), public_id=public_id_or_404(public_id))
    return found


def _meeting(request: HttpRequest, public_id) -> CaseMeeting:
    queryset = CaseMeeting.objects.filter(case__in=Case.objects.visible_to(request.user).values("pk"))
    return get_object_or_404(queryset.select_related("case"), public_id=public_id_or_404(public_id))


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case.public_id]) + anchor


def due_words(case: Case, now=None) -> str:
    """ "Due in N working days" or "Overdue by N working days" while the case is open; else ""."""
    if not case.is_open or case.due_at is None:
        return ""
    now = now or timezone.now()
    if case.due_at < now:
        late = working_days_between(case.due_at, now)
        if late == 0:
            return _("Overdue")
        return _("Overdue by %(n)d working days") % {"n": late}
    left = working_days_between(now, case.due_at)
    if left <= 1:
        return _("Due by the end of this working day")
    return _("Due in %(n)d working days") % {"n": left}


def reporter_label(case: Case) -> str:
    """Who reported it, for those who may see: the name given, else the account's name; the phone
    masked."""
    name = case.reporter_name or (
        case.reporter.get_full_name() or case.reporter.username if case.reporter else ""
    )
    parts = [name or "—"]
    if case.reporter_phone_hint:
        parts.append(case.reporter_phone_masked)
    return " · ".join(parts)


def _who(user, case: Case, see_reporter: bool) -> str:
    if user is None:
        return _("the system")
    if user.pk == case.reporter_id and not see_reporter:
        return _("the reporter")
    return user.get_full_name() or user.username


def _timeline(case: Case, see_reporter: bool) -> list[dict]:
    """The case's events and what was written on it (progress and results, with their photos; the
    report's photos with the report), in time order, each with who and when."""
    updates = list(case.updates.select_related("author", "dispatch__unit").prefetch_related("photos"))
    report_photos = [p for u in updates if u.kind == "report" for p in u.photos.all()]
    rows = []
    for event in case.events.select_related("actor", "unit").order_by("at", "id"):
        if event.action in SHOWN_AS_UPDATES:
            continue
        reason = event.reason
        if event.action == "rate" and not see_reporter:
            reason = ""
        rows.append(
            {
                "action": event.action,
                "label": EVENT_LABELS.get(event.action, event.action),
                "who": _who(event.actor, case, see_reporter),
                "unit": event.unit.name if event.unit_id else "",
                "at": event.at,
                "text": reason,
                "photos": report_photos if event.action == "report" else [],
                "key": (event.at, event.pk),
            }
        )
    for update in updates:
        if update.kind == "report":
            continue  # its words are the description, its photos are with the report
        rows.append(
            {
                "action": update.kind,
                "label": UPDATE_LABELS.get(update.kind, update.kind),
                "who": _who(update.author, case, see_reporter),
                "unit": update.dispatch.unit.name if update.dispatch_id else "",
                "at": update.at,
                "text": update.text,
                "photos": list(update.photos.all()),
                "key": (update.at, 0),
            }
        )
    rows.sort(key=lambda r: r["key"])
    return rows


def _can(user, case: Case, rows: list[CaseDispatch]) -> dict:
    open_ = case.state in OPEN_CASE_STATES
    staff = triages(user, case)
    whistle = dispatches(user, case)
    mine = [d for d in rows if handles(user, d)]
    lead = next((d for d in rows if d.role == DispatchRole.LEAD and d.state == DispatchState.ACCEPTED), None)
    reporter = is_reporter(user, case)
    return {
        "staff": staff or whistle,
        "pass_up": open_
        and staff
        and case.state == CaseState.TRIAGE
        and case.holder_level == HolderLevel.COMMUNITY,
        "dispatch": open_ and whistle,
        "close_here": case.state == CaseState.TRIAGE and staff,
        "accept": [d for d in mine if d.state == DispatchState.AWAITING],
        "return": [d for d in mine if d.state in CURRENT_DISPATCH_STATES],
        "progress": open_ and (any(d.state == DispatchState.ACCEPTED for d in mine) or staff or whistle),
        "resolve": case.state == CaseState.HANDLING and lead is not None and handles(user, lead),
        "rate": reporter and case.state == CaseState.RESOLVED,
        "reopen": (reporter or staff) and case.state in (CaseState.RESOLVED, CaseState.CLOSED),
        "merge": (staff or whistle) and case.state in (*OPEN_CASE_STATES, CaseState.RESOLVED),
        "meeting": open_ and runs_case(user, case),
    }


def _dispatch_form(case: Case, units, data=None) -> DispatchForm:
    has_lead = case.dispatches.filter(role=DispatchRole.LEAD, state__in=CURRENT_DISPATCH_STATES).exists()
    default = case.category.default_handler_id
    default_lead = next((u for u in units if u.pk == default), None)
    return DispatchForm(
        data, units=units, has_lead=has_lead, default_lead=default_lead, auto_id="dispatch_%s"
    )


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, **kept) -> HttpResponse:
    user = request.user
    now = timezone.now()
    rows = list(case.dispatches.select_related("unit").order_by("dispatched_at", "id"))
    can = _can(user, case, rows)
    see = sees_reporter(user, case)
    units = list(dispatchable_units(case)[:300]) if can["dispatch"] or can["meeting"] else []
    forms = {
        "pass_up_form": ReasonForm(auto_id="passup_%s"),
        "return_form": ReasonForm(auto_id="return_%s"),
        "progress_form": TextPhotosForm(auto_id="progress_%s"),
        "resolve_form": TextPhotosForm(auto_id="resolve_%s"),
        "rate_form": RateForm(auto_id="rate_%s"),
        "reopen_form": ReasonForm(auto_id="reopen_%s"),
    }
    if can["dispatch"] and "dispatch_form" not in kept:
        forms["dispatch_form"] = _dispatch_form(case, units)
    if can["meeting"] and "meeting_form" not in kept:
        forms["meeting_form"] = MeetingForm(units=units, auto_id="meeting_%s")
    kept_record = kept.pop("record_form", None)
    forms.update(kept)
    meetings = []
    for meeting in case.meetings.prefetch_related(
        Prefetch("invited_units"), Prefetch("attended_units")
    ).select_related("called_by"):
        form = None
        if meeting.state == MeetingState.CALLED and can["meeting"]:
            invited = list(meeting.invited_units.all())
            if kept_record is not None and kept_record.meeting_id == meeting.pk:
                form = kept_record
            else:
                form = MeetingRecordForm(units=invited, auto_id=f"record{meeting.pk}_%s")
        meetings.append({"meeting": meeting, "form": form})
    duplicates = []
    if can["merge"]:
        candidates = [c.pk for c in possible_duplicates(case)]
        duplicates = list(
            Case.objects.visible_to(user)
            .filter(pk__in=candidates)
            .select_related("category", "community")
            .order_by("reported_at", "id")
        )
    refusal = " ".join(
        str(e) for f in kept.values() if hasattr(f, "errors") for errors in f.errors.values() for e in errors
    )
    if kept_record is not None:
        refusal = " ".join(
            [refusal, *(str(e) for errors in kept_record.errors.values() for e in errors)]
        ).strip()
    context = {
        "case": case,
        "can": can,
        "see_reporter": see,
        "reporter": reporter_label(case) if see else "—",
        "due_words": due_words(case, now),
        "overdue": case.is_overdue,
        "dispatches": rows,
        "timeline": _timeline(case, see),
        "meetings": meetings,
        "duplicates": duplicates,
        "refusal": refusal,
        "plain_state": plain_state(case),
        **forms,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@require_GET
@role_required(*CASE_ROLES)
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _case_page(request, _case(request, public_id))


def _act(request: HttpRequest, case: Case, form, key: str, run, *, anchor: str = "", mine: bool = False):
    """Validate ``form`` and run the action (``run`` returns its Outcome); done: back to the page, else
    the page again with the form as typed and the reason."""
    if form.is_valid():
        outcome = run(form.cleaned_data)
        if outcome.ok:
            if mine:
                return redirect("cases:my_case", public_id=case.public_id)
            return redirect(case_url(case, anchor))
    if mine:
        return _my_case_page(request, case, status=400, **{key: form})
    return _case_page(request, case, status=400, **{key: form})


# --- the community and the street ---------------------------------------------------------------------


@require_POST
@role_required(*TRIAGE_ROLES)
def case_pass_up(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = ReasonForm(request.POST, auto_id="passup_%s")
    return _act(
        request,
        case,
        form,
        "pass_up_form",
        lambda d: run_action(
            request,
            actions.pass_up,
            form=form,
            case=case,
            reason=d["reason"],
            success=_("Passed up to the street."),
        ),
    )


@require_POST
@role_required(*WHISTLE_ROLES)
def case_dispatch(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    units = list(dispatchable_units(case)[:300])
    form = _dispatch_form(case, units, data=request.POST)
    return _act(
        request,
        case,
        form,
        "dispatch_form",
        lambda d: run_action(
            request,
            actions.dispatch_case,
            form=form,
            case=case,
            lead=d.get("lead"),
            co_handlers=d["co_handlers"],
            note=d["note"],
            due_at=form.due_at(),
            success=_("Whistled. The departments and units are told to accept it."),
        ),
    )


@require_POST
@role_required(*TRIAGE_ROLES)
def case_merge(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = MergeForm(request.POST, auto_id="merge_%s")

    def run(d):
        into = get_visible_or_404(Case, request.user, d["into"])
        return run_action(
            request,
            actions.merge_case,
            form=form,
            case=case,
            into=into,
            reason=d["reason"],
            success=_("Merged. Its reporter now follows the case it went into."),
        )

    return _act(request, case, form, "merge_form", run)


@require_POST
@role_required(*WORK_ROLES)
def meeting_call(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = MeetingForm(request.POST, units=list(dispatchable_units(case)[:300]), auto_id="meeting_%s")
    return _act(
        request,
        case,
        form,
        "meeting_form",
        lambda d: run_action(
            request,
            meetings.call_meeting,
            form=form,
            case=case,
            title=d["title"],
            starts_at=d["starts_at"],
            place=d["place"],
            invited_units=d["invited_units"],
            other_parties=d["other_parties"],
            success=_("The meeting is called; the units invited are told."),
        ),
        anchor="#meetings",
    )


@require_POST
@role_required(*WORK_ROLES)
def meeting_record(request: HttpRequest, public_id) -> HttpResponse:
    meeting = _meeting(request, public_id)
    case = _case(request, meeting.case.public_id)
    form = MeetingRecordForm(
        request.POST, units=list(meeting.invited_units.all()), auto_id=f"record{meeting.pk}_%s"
    )
    form.meeting_id = meeting.pk
    return _act(
        request,
        case,
        form,
        "record_form",
        lambda d: run_action(
            request,
            meetings.record_meeting,
            form=form,
            meeting=meeting,
            attended_units=d["attended_units"],
            attendees=d["attendees"],
            agreed=d["agreed"],
            success=_("The meeting is recorded."),
        ),
        anchor="#meetings",
    )


# --- the departments and units -------------------------------------------------------------------------


@require_POST
@role_required(*HANDLER_ROLES)
def dispatch_accept(request: HttpRequest, public_id) -> HttpResponse:
    dispatch = _dispatch(request, public_id)
    case = _case(request, dispatch.case.public_id)
    form = ReasonForm(request.POST, auto_id="accept_%s")
    return _act(
        request,
        case,
        form,
        "accept_form",
        lambda d: run_action(
            request,
            actions.accept_dispatch,
            form=form,
            dispatch=dispatch,
            success=_("Accepted: %(unit)s reported for duty.") % {"unit": dispatch.unit.name},
        ),
    )


@require_POST
@role_required(*HANDLER_ROLES)
def dispatch_return(request: HttpRequest, public_id) -> HttpResponse:
    dispatch = _dispatch(request, public_id)
    case = _case(request, dispatch.case.public_id)
    form = ReasonForm(request.POST, auto_id="return_%s")
    return _act(
        request,
        case,
        form,
        "return_form",
        lambda d: run_action(
            request,
            actions.return_dispatch,
            form=form,
            dispatch=dispatch,
            reason=d["reason"],
            success=_("Returned to the street with your reason."),
        ),
    )


@require_POST
@role_required(*WORK_ROLES)
def case_progress(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = TextPhotosForm(request.POST, request.FILES, auto_id="progress_%s")
    return _act(
        request,
        case,
        form,
        "progress_form",
        lambda d: run_action(
            request,
            actions.record_progress,
            form=form,
            case=case,
            text=d["text"],
            photos=d["photos"],
            success=_("Progress recorded."),
        ),
    )


@require_POST
@role_required(*WORK_ROLES)
def case_resolve(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = TextPhotosForm(request.POST, request.FILES, auto_id="resolve_%s")
    return _act(
        request,
        case,
        form,
        "resolve_form",
        lambda d: run_action(
            request,
            actions.resolve_case,
            form=form,
            case=case,
            result=d["text"],
            photos=d["photos"],
            success=_("The result is in; the reporter is asked to confirm it."),
        ),
    )


# --- the reporter ---------------------------------------------------------------------------------------


@require_POST
@role_required(*CASE_ROLES)
def case_rate(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = RateForm(request.POST, auto_id="rate_%s")
    return _act(
        request,
        case,
        form,
        "rate_form",
        lambda d: run_action(
            request,
            actions.rate_case,
            form=form,
            case=case,
            rating=d["rating"],
            comment=d["comment"],
            success=_("Thank you for your answer."),
        ),
        mine=bool(request.POST.get("mine")),
    )


@require_POST
@role_required(*CASE_ROLES)
def case_reopen(request: HttpRequest, public_id) -> HttpResponse:
    case = _case(request, public_id)
    form = ReasonForm(request.POST, auto_id="reopen_%s")
    return _act(
        request,
        case,
        form,
        "reopen_form",
        lambda d: run_action(
            request,
            actions.reopen_case,
            form=form,
            case=case,
            reason=d["reason"],
            success=_("Reopened: it goes back to work."),
        ),
        mine=bool(request.POST.get("mine")),
    )


def _my_case_page(request: HttpRequest, case: Case, *, status: int = 200, **kept) -> HttpResponse:
    into = case.merged_into
    followed = into if into is not None else case
    result_photos = [
        p
        for u in CaseUpdate.objects.filter(case=followed, kind="result").prefetch_related("photos")
        for p in u.photos.all()
    ]
    context = {
        "case": case,
        "followed": followed,
        "plain_state": plain_state(case),
        "followed_state": plain_state(followed),
        "result_photos": result_photos,
        "due_words": due_words(case),
        "can_rate": case.state == CaseState.RESOLVED,
        "can_reopen": case.state == CaseState.CLOSED,
        "rate_form": kept.get("rate_form") or RateForm(auto_id="rate_%s"),
        "reopen_form": kept.get("reopen_form") or ReasonForm(auto_id="reopen_%s"),
        "refusal": " ".join(str(e) for f in kept.values() for errors in f.errors.values() for e in errors),
    }
    return render(request, "cases/case_mine.html", context, status=status)


@require_GET
@role_required(*CASE_ROLES)
def my_case(request: HttpRequest, public_id) -> HttpResponse:
    """The reporter's status page: the state in plain words, the result, and the rate/reopen forms."""
    case = _case(request, public_id)
    if not is_reporter(request.user, case):
        return redirect(case_url(case))
    return _my_case_page(request, case)


@require_GET
@role_required(*CASE_ROLES)
def my_cases(request: HttpRequest) -> HttpResponse:
    """The cases the user reported, newest first."""
    rows = (
        Case.objects.visible_to(request.user)
        .filter(reporter_id=request.user.pk)
        .select_related("category", "community", "street", "merged_into")
        .order_by("-reported_at", "-id")
    )
    pager = paginate(request, rows, per_page=30)
    page = pager["page"]
    page.object_list = [{"case": c, "plain": plain_state(c)} for c in page.object_list]
    return render(request, "cases/case_mine_list.html", {"pager": pager})


# --- photos ---------------------------------------------------------------------------------------------


@require_GET
@role_required(*CASE_ROLES)
def photo(request: HttpRequest, public_id) -> HttpResponse:
    """A case's photo, served privately to whoever may see the case (``?size=thumb`` for the small one)."""
    visible = Case.objects.visible_to(request.user).values("pk")
    found = get_object_or_404(
        CasePhoto.objects.filter(update__case__in=visible), public_id=public_id_or_404(public_id)
    )
    size = request.GET.get("size", "phone")
    stored = found.thumb if size == "thumb" and found.thumb else found.image
    ext = stored.name.rsplit(".", 1)[-1].lower() if stored and "." in stored.name else ""
    if ext not in CONTENT_TYPES:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[ext])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("cases/<uuid:public_id>/", case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/pass-up/", case_pass_up, name="case_pass_up"),
    path("cases/<uuid:public_id>/dispatch/", case_dispatch, name="case_dispatch"),
    path("cases/<uuid:public_id>/progress/", case_progress, name="case_progress"),
    path("cases/<uuid:public_id>/resolve/", case_resolve, name="case_resolve"),
    path("cases/<uuid:public_id>/rate/", case_rate, name="case_rate"),
    path("cases/<uuid:public_id>/reopen/", case_reopen, name="case_reopen"),
    path("cases/<uuid:public_id>/merge/", case_merge, name="case_merge"),
    path("cases/<uuid:public_id>/meetings/", meeting_call, name="meeting_call"),
    path("cases/meetings/<uuid:public_id>/record/", meeting_record, name="meeting_record"),
    path("cases/dispatches/<uuid:public_id>/accept/", dispatch_accept, name="dispatch_accept"),
    path("cases/dispatches/<uuid:public_id>/return/", dispatch_return, name="dispatch_return"),
    path("cases/photos/<uuid:public_id>/", photo, name="photo"),
    path("cases/mine/", my_cases, name="my_cases"),
    path("cases/mine/<uuid:public_id>/", my_case, name="my_case"),
]
