"""The meetings pages: the list (the viewer's invitations first), calling a meeting, the meeting's own
page — made for a phone in the room: agenda, a big QR code of the sign-in address, live attendance from
sign-ins, the secretary's corrections, cases taken up, minutes with their revisions, resolutions — and the
sign-in page the QR code opens.

Reads go through ``Meeting.objects.visible_to(user)`` (outside the scope: 404); who runs a meeting is
``alliances.meetings.runs_meeting``; each POST calls one action through ``run_action`` and goes back to
the page (PRG), or shows the page again with the refusal beside what was typed (400)."""

from __future__ import annotations

import base64
from datetime import date

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from access import held_units, staffed_q
from accounts.decorators import role_required
from accounts.models import Role
from alliances import meetings as actions
from alliances import resolutions as resolution_actions
from alliances.access import leads
from alliances.meeting_forms import (
    AttendanceForm,
    CallMeetingForm,
    CaseForm,
    InviteForm,
    MinutesForm,
    ResolutionForm,
)
from alliances.models import (
    Alliance,
    AllianceMember,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    Resolution,
)
from alliances.steps import history
from cases.models import Case
from gongjian.pages import get_visible_or_404, paginate, parse_uuids, run_action
from orgs.models import PartyOrg, Unit, UnitKind
from places.paths import ancestor_paths, subtree_q

CALL_ROLES = (Role.STREET, Role.COMMUNITY, Role.ORG_DEPT, Role.UNIT_ADMIN)

EVENT_LABELS = {
    "call": gettext_lazy("Called"),
    "invite": gettext_lazy("Invitations sent"),
    "sign_in": gettext_lazy("Signed in by QR code"),
    "attendance": gettext_lazy("Attendance corrected"),
    "hold": gettext_lazy("Held"),
    "cancel": gettext_lazy("Cancelled"),
    "draft_minutes": gettext_lazy("Minutes saved"),
    "publish_minutes": gettext_lazy("Minutes published"),
    "amend_minutes": gettext_lazy("Minutes amended"),
    "take_up_case": gettext_lazy("Case taken up"),
}


def qr_data_uri(data: str) -> str:
    """A QR code of ``data`` as an inline SVG data URI (the page's CSP allows data: images)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- the list -------------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings the viewer may see, their own invitations first; filters: kind, host, state, period."""
    user = request.user
    rows = Meeting.objects.visible_to(user).select_related("alliance", "party_org")
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        rows = rows.filter(kind=kind)
    state = request.GET.get("state", "")
    if state in MeetingState.values:
        rows = rows.filter(state=state)
    host = request.GET.get("host", "")
    prefix, _sep, host_id = host.partition(":")
    host_ids = parse_uuids([host_id])
    if prefix in ("a", "o") and not host_ids:
        rows = rows.none()  # a host that is not even a UUID matches nothing
    elif prefix == "a":
        rows = rows.filter(alliance__public_id=host_ids[0])
    elif prefix == "o":
        rows = rows.filter(party_org__public_id=host_ids[0])
    period = _parse_day(request.GET.get("period"))
    if period is not None:
        rows = rows.filter(period_start=period)
    mine = Invitation.objects.filter(meeting=OuterRef("pk"), user=user)
    rows = rows.annotate(
        invited=Exists(mine),
        invitees=Count("invitations", distinct=True),
        present=Count("invitations", filter=Q(invitations__signed_in_at__isnull=False), distinct=True),
    ).order_by("-invited", "-starts_at", "-id")
    hosts = [(f"a:{a.public_id}", a.name) for a in Alliance.objects.visible_to(user)[:50]]
    return render(
        request,
        "alliances/meeting_list.html",
        {
            "pager": paginate(request, rows),
            "kinds": MeetingKind.choices,
            "states": MeetingState.choices,
            "hosts": hosts,
            "chosen": {"kind": kind, "state": state, "host": host, "period": request.GET.get("period", "")},
            "filtering": bool(kind or state or host or period),
            "may_call": request.user.is_authenticated and bool(led_alliances(user) or kept_orgs(user)),
        },
    )


# --- calling a meeting ----------------------------------------------------------------------------------


def led_alliances(user) -> list[Alliance]:
    """The active alliances the user leads."""
    return [a for a in Alliance.objects.visible_to(user).active().select_related("area") if leads(user, a)]


def kept_orgs(user):
    """The party organisations whose own meetings the user calls (``keeps_party_org`` for them all)."""
    return PartyOrg.objects.filter(
        Q(area__in=_staffed_area_ids(user)) | Q(unit__in=held_units(user)), dissolved_on__isnull=True
    ).order_by("path")[:100]


def _staffed_area_ids(user):
    from places.models import Area

    return Area.objects.filter(staffed_q(user)).values("pk")


def invitable_units(alliances) -> list[Unit]:
    """The current member units of these alliances."""
    rows = AllianceMember.objects.current().filter(alliance__in=alliances).select_related("unit")
    return list({m.unit_id: m.unit for m in rows}.values())


@require_http_methods(["GET", "POST"])
@role_required(*CALL_ROLES)
def meeting_create(request: HttpRequest) -> HttpResponse:
    """Call a meeting of an alliance the user leads, or of a party organisation they keep (三会一课)."""
    alliances = led_alliances(request.user)
    orgs = list(kept_orgs(request.user))
    units = invitable_units(alliances)
    initial = {}
    if request.GET.get("alliance"):
        initial["host"] = f"a:{request.GET['alliance']}"
    elif request.GET.get("org"):
        initial["host"] = f"o:{request.GET['org']}"
    form = CallMeetingForm(request.POST or None, initial=initial, alliances=alliances, orgs=orgs, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            actions.call_meeting,
            form=form,
            success=_("Meeting called; the invitees are told."),
            kind=data["kind"],
            title=data["title"],
            place=data["place"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            agenda=data["agenda"],
            period_start=data["period_start"],
            invite_units=data["invite_units"],
            **data["host"],
        )
        if done.ok and done.result is not None:
            return redirect("alliances:meeting_detail", public_id=done.result.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "alliances/meeting_form.html",
        {"form": form, "no_host": not (alliances or orgs)},
        status=status,
    )


# --- the meeting's page ---------------------------------------------------------------------------------


def owner_choices(meeting: Meeting) -> list[Unit]:
    """Who may own a resolution: the alliance's member units (or the organisation's unit) and the
    departments of the meeting's district."""
    if meeting.alliance_id is not None:
        units = [m.unit for m in meeting.alliance.members.current().select_related("unit")]
    else:
        units = [meeting.party_org.unit] if meeting.party_org and meeting.party_org.unit_id else []
    above = ancestor_paths(meeting.area_path)
    district = above[1] if len(above) > 1 else meeting.area_path
    departments = Unit.objects.filter(subtree_q("address_area__path", district), kind=UnitKind.DEPARTMENT)
    seen = {u.pk for u in units}
    return units + [d for d in departments.order_by("name")[:200] if d.pk not in seen]


def _meeting_queryset():
    return Meeting.objects.select_related(
        "alliance", "party_org", "party_org__unit", "area"
    ).prefetch_related(
        Prefetch(
            "invitations", queryset=Invitation.objects.select_related("unit").order_by("unit_id", "name")
        ),
        Prefetch("resolutions", queryset=Resolution.objects.select_related("owner_unit")),
        "cases",
        "minutes_revisions__author",
    )


def attendance(meeting: Meeting) -> dict:
    """Who signed in, who is on leave, who is missing (from the prefetched invitations)."""
    present, excused, missing = [], [], []
    for invitation in meeting.invitations.all():
        if invitation.signed_in_at:
            present.append(invitation)
        elif invitation.excused:
            excused.append(invitation)
        else:
            missing.append(invitation)
    total = len(present) + len(excused) + len(missing)
    return {
        "present": present,
        "excused": excused,
        "missing": missing,
        "total": total,
        "rate": round(100 * len(present) / total) if total else None,
    }


STEPS = ("minutes", "publish", "resolution", "attendance", "case", "hold", "cancel", "invite")


@require_http_methods(["GET", "POST"])
@login_required
def meeting_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The meeting on a phone: what, when, where; the QR for the room; attendance; minutes; resolutions."""
    meeting = get_visible_or_404(_meeting_queryset(), request.user, public_id)
    runs = actions.runs_meeting(request.user, meeting)
    forms: dict = {}
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step and (step not in STEPS or not runs):
        return redirect("alliances:meeting_detail", public_id=meeting.public_id)
    done = _do(request, meeting, step, forms) if step else None
    if done is True:
        return redirect(f"{reverse('alliances:meeting_detail', args=[meeting.public_id])}#{step}")
    if request.htmx and request.GET.get("part") == "attendance":
        return render(
            request,
            "alliances/meeting_attendance.html",
            {"meeting": meeting, "runs": runs, **attendance(meeting)},
        )
    context = {
        "meeting": meeting,
        "runs": runs,
        "mine": next((i for i in meeting.invitations.all() if i.user_id == request.user.pk), None),
        "resolutions": list(meeting.resolutions.all()),
        "revisions": list(meeting.minutes_revisions.all())[::-1],
        "history": [(e, EVENT_LABELS.get(e.action, e.action)) for e in history(meeting)],
        **attendance(meeting),
    }
    if runs:
        sign_in = request.build_absolute_uri(actions.sign_in_url(meeting))
        context.update(
            sign_in_address=sign_in,
            sign_in_qr=qr_data_uri(sign_in) if meeting.state != MeetingState.CANCELLED else "",
            minutes_form=forms.get("minutes") or MinutesForm(initial={"text": meeting.minutes}),
            resolution_form=forms.get("resolution") or ResolutionForm(units=owner_choices(meeting)),
            case_form=forms.get("case") or CaseForm(cases=_cases_to_take_up(request.user, meeting)),
            invite_form=forms.get("invite") or InviteForm(units=_not_invited(meeting)),
        )
    return render(request, "alliances/meeting_detail.html", context, status=400 if done is False else 200)


def _cases_to_take_up(user, meeting: Meeting):
    """Open cases the lead can see in the meeting's area, newest first (a page of them)."""
    return (
        Case.objects.visible_to(user)
        .filter(subtree_q("area_path", meeting.area_path))
        .exclude(pk__in=[c.pk for c in meeting.cases.all()])
        .order_by("-reported_at")[:50]
    )


def _not_invited(meeting: Meeting) -> list[Unit]:
    """The member units (or the organisation's unit) none of whose people is invited yet."""
    invited = {i.unit_id for i in meeting.invitations.all()}
    if meeting.alliance is not None:
        units = invitable_units([meeting.alliance])
    else:
        units = [meeting.party_org.unit] if meeting.party_org and meeting.party_org.unit else []
    return [u for u in units if u.pk not in invited]


def _do(request, meeting: Meeting, step: str, forms: dict) -> bool:
    """Run the posted step; True when done, False when refused (its form keeps what was typed)."""
    if step == "invite":
        form = InviteForm(request.POST, units=_not_invited(meeting))
        forms["invite"] = form
        return (
            form.is_valid()
            and run_action(
                request,
                actions.invite,
                form=form,
                success=lambda n: _("%(n)d invited and told.") % {"n": n},
                meeting=meeting,
                units=form.cleaned_data["units"],
            ).ok
        )
    if step == "minutes":
        form = MinutesForm(request.POST)
        forms["minutes"] = form
        if not form.is_valid():
            return False
        return run_action(
            request,
            actions.save_minutes,
            form=form,
            success=_("Minutes saved."),
            meeting=meeting,
            text=form.cleaned_data["text"],
            note=form.cleaned_data["note"],
        ).ok
    if step == "publish":
        return run_action(
            request, actions.publish_minutes, success=_("Minutes published."), meeting=meeting
        ).ok
    if step == "hold":
        return run_action(request, actions.hold_meeting, success=_("Recorded as held."), meeting=meeting).ok
    if step == "cancel":
        return run_action(
            request,
            actions.cancel_meeting,
            success=_("Meeting cancelled."),
            meeting=meeting,
            reason=request.POST.get("reason", ""),
        ).ok
    if step == "resolution":
        form = ResolutionForm(request.POST, units=owner_choices(meeting))
        forms["resolution"] = form
        if not form.is_valid():
            return False
        return run_action(
            request,
            resolution_actions.add_resolution,
            form=form,
            success=_("Resolution recorded; the owner unit is told."),
            meeting=meeting,
            **form.cleaned_data,
        ).ok
    if step == "case":
        form = CaseForm(request.POST, cases=_cases_to_take_up(request.user, meeting))
        forms["case"] = form
        if not form.is_valid():
            return False
        return run_action(
            request,
            actions.take_up_case,
            form=form,
            success=_("Case taken up."),
            meeting=meeting,
            **form.cleaned_data,
        ).ok
    # attendance
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return False
    invitation = next(
        (i for i in meeting.invitations.all() if i.public_id == form.cleaned_data["invitation"]), None
    )
    if invitation is None:
        return False
    return run_action(
        request,
        actions.mark_attendance,
        success=_("Attendance corrected."),
        invitation=invitation,
        present=form.cleaned_data["present"],
        excused="" if form.cleaned_data["present"] else form.cleaned_data["excused"],
    ).ok


# --- signing in by the room's QR code -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def meeting_sign_in(request: HttpRequest, public_id, secret: str) -> HttpResponse:
    """The page the room's QR code opens: the invitee confirms (a GET never signs in, so a link preview
    does not), and sees a clear success or the refusal's words. The secret lets an invitee in whose
    list of meetings it is not yet."""
    meeting = get_visible_or_404(Meeting.objects.select_related("alliance"), request.user, public_id)
    outcome = None
    if request.method == "POST":
        outcome = run_action(request, actions.sign_in, flash_refusal=False, meeting=meeting, secret=secret)
    invitation = Invitation.objects.filter(meeting=meeting, user=request.user).first()
    status = 400 if outcome is not None and not outcome.ok else 200
    return render(
        request,
        "alliances/meeting_sign_in.html",
        {
            "meeting": meeting,
            "invitation": invitation,
            "outcome": outcome,
            "opens": actions.sign_in_window(meeting)[0],
            "now": timezone.now(),
        },
        status=status,
    )


urlpatterns: list = [
    path("alliances/meetings/", meeting_list, name="meeting_list"),
    path("alliances/meetings/new/", meeting_create, name="meeting_create"),
    path("alliances/meetings/<uuid:public_id>/", meeting_detail, name="meeting_detail"),
    path(
        "alliances/meetings/<uuid:public_id>/sign-in/<str:secret>/", meeting_sign_in, name="meeting_sign_in"
    ),
]
