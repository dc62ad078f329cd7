"""The themed activities' pages: the list (staff and units: by alliance and state; members and residents:
the upcoming activities they may join, phone-first), an activity's page (sign up or give the place back;
for the organiser the big QR code of the check-in address, who signed up and who came, held, confirm
attendance and its results), the create form, and the check-in page the QR code opens."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from alliances import activities
from alliances.access import leads, spoken_units
from alliances.forms_act import ActivityForm, CancelForm
from alliances.models import Activity, ActivitySignup, ActivityState, Alliance, AllianceMember
from alliances.queries_act import joinable, readable_activities, results, with_counts
from gongjian.pages import get_visible_or_404, lookup_or_404, paginate, run_action

STAFF_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)
JOIN_ROLES = (Role.MEMBER, Role.RESIDENT)
ACTIVITY_ROLES = (*STAFF_ROLES, *JOIN_ROLES)


@require_GET
@role_required(*ACTIVITY_ROLES)
def activity_list(request):
    """Staff and units: the activities of their alliances, by alliance and state. Members and residents:
    those they may join and those they signed up for."""
    rows = with_counts(Activity.objects.visible_to(request.user)).order_by("-starts_at", "-id")
    alliances = Alliance.objects.visible_to(request.user).only("public_id", "name")
    chosen = request.GET.get("alliance") or ""
    if chosen:
        rows = rows.filter(alliance=lookup_or_404(alliances, chosen))
    state = request.GET.get("state") or ""
    if state in ActivityState.values:
        rows = rows.filter(state=state)
    mine = ActivitySignup.objects.filter(user=request.user, cancelled_at__isnull=True)
    open_rows = with_counts(joinable(request.user).exclude(pk__in=mine.values("activity_id"))).order_by(
        "starts_at"
    )
    context = {
        "pager": paginate(request, rows),
        "open_rows": list(open_rows[:50]),
        "mine": list(
            mine.filter(activity__ends_at__gte=timezone.now() - timezone.timedelta(days=30))
            .select_related("activity__community")
            .order_by("activity__starts_at")[:50]
        ),
        "alliances": list(alliances),
        "chosen": chosen,
        "state": state,
        "states": ActivityState.choices,
        "is_staff": scope_for(request.user).has(*STAFF_ROLES),
    }
    return render(request, "alliances/activity_list.html", context)


def the_activity(request, public_id) -> Activity:
    source = readable_activities(request.user).select_related(
        "alliance", "organiser_unit", "community", "category", "chair_turn"
    )
    return lookup_or_404(source, public_id)


@require_GET
@role_required(*ACTIVITY_ROLES)
def activity_detail(request, public_id):
    return show(request, the_activity(request, public_id))


def may_join(user, activity: Activity) -> bool:
    """Whether the user is someone the activity is open to (``activities.joiner`` without its refusal)."""
    try:
        activities.joiner(user, activity)
    except PermissionDenied:
        return False
    return True


def show(request, activity: Activity, *, cancel_form=None, status=200):
    organiser = activities.organises(request.user, activity)
    signup = ActivitySignup.objects.filter(
        activity=activity, user=request.user, cancelled_at__isnull=True
    ).first()
    now = timezone.now()
    context = {
        "activity": activity,
        "organiser": organiser,
        "signup": signup,
        "can_sign_up": signup is None
        and activity.state == ActivityState.OPEN
        and activity.starts_at > now
        and may_join(request.user, activity),
        "can_give_back": signup is not None and signup.checked_in_at is None and activity.starts_at > now,
        "taken": activities.taken_places(activity),
        "check_in_open": activities.in_check_in_window(activity, now)
        and activity.state in (ActivityState.OPEN, ActivityState.HELD),
        "cancel_form": cancel_form or CancelForm(),
    }
    if organiser:
        context.update(
            people=list(activity.signups.filter(cancelled_at__isnull=True).select_related("service_record")),
            check_in_url=request.build_absolute_uri(activities.check_in_url(activity)),
            results=results(activity),
            can_hold=activity.state == ActivityState.OPEN and activity.starts_at <= now,
            can_confirm=activity.state in (ActivityState.HELD, ActivityState.CONFIRMED)
            and activity.ends_at <= now,
        )
    return render(request, "alliances/activity_detail.html", context, status=status)


@require_GET
@role_required(*STAFF_ROLES)
def activity_qr(request, public_id):
    """The QR code of the check-in address, as an SVG image, for the organiser to show at the place."""
    activity = get_visible_or_404(
        Activity.objects.select_related("alliance", "organiser_unit"), request.user, public_id
    )
    if not activities.organises(request.user, activity):
        raise Http404
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(request.build_absolute_uri(activities.check_in_url(activity)))
    qr.make(fit=True)
    response = HttpResponse(qr.make_image().to_string(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def act(action, success, *, roles=ACTIVITY_ROLES):
    @require_POST
    @role_required(*roles)
    def view(request, public_id):
        activity = the_activity(request, public_id)
        run_action(request, action, activity=activity, success=success)
        return redirect("alliances:activity_detail", public_id=activity.public_id)

    return view


def confirmed_words(made: int) -> str:
    return _("Attendance confirmed: %(n)d service records made.") % {"n": made}


sign_up = act(activities.sign_up, gettext_lazy("You have signed up."))
cancel_signup = act(activities.cancel_signup, gettext_lazy("Your place is given back."))
mark_held = act(activities.mark_held, gettext_lazy("The activity is marked held."), roles=STAFF_ROLES)
confirm = act(activities.confirm_attendance, confirmed_words, roles=STAFF_ROLES)


@require_POST
@role_required(*STAFF_ROLES)
def cancel(request, public_id):
    activity = the_activity(request, public_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        done = run_action(
            request,
            activities.cancel_activity,
            activity=activity,
            reason=form.cleaned_data["reason"],
            form=form,
            success=gettext_lazy("The activity is cancelled; those signed up are told."),
        )
        if done.ok:
            return redirect("alliances:activity_detail", public_id=activity.public_id)
    return show(request, activity, cancel_form=form, status=422)


def organising_units(user, alliance: Alliance):
    """The member units the user may organise for: all of them for the lead, else the ones they speak for."""
    members = AllianceMember.objects.filter(alliance=alliance).current().select_related("unit")
    if not leads(user, alliance):
        members = members.filter(unit_id__in=spoken_units(user))
    return [m.unit for m in members]


@role_required(*STAFF_ROLES)
def activity_create(request, public_id):
    alliance = get_visible_or_404(Alliance.objects.select_related("area"), request.user, public_id)
    units = organising_units(request.user, alliance)
    if request.method == "POST":
        form = ActivityForm(request.POST, alliance=alliance, units=units)
        if form.is_valid():
            data = form.cleaned_data
            done = run_action(
                request,
                activities.create_activity,
                form=form,
                alliance=alliance,
                title=data["title"],
                theme=data["theme"],
                community=data["community"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                category=data["category"],
                organiser_unit=form.units.get(data["organiser_unit"] or ""),
                capacity=data["capacity"],
                open_to=data["open_to"],
                description=data["description"],
                success=gettext_lazy("The activity is announced."),
            )
            if done.ok and done.result is not None:
                return redirect("alliances:activity_detail", public_id=done.result.public_id)
        status = 422
    else:
        form = ActivityForm(alliance=alliance, units=units)
        status = 200
    return render(
        request, "alliances/activity_form.html", {"alliance": alliance, "form": form}, status=status
    )


@role_required(*JOIN_ROLES)
def activity_check_in(request, public_id, secret):
    """The page the QR code at the place opens: the secret in the address is what lets a person who has
    not signed up find the activity (a wrong one is simply not found)."""
    activity = get_object_or_404(Activity.objects.select_related("community"), public_id=public_id)
    if secret != activity.signin_secret:
        raise Http404
    signup = None
    refusal = ""
    if request.method == "POST":
        done = run_action(
            request,
            activities.check_in,
            activity=activity,
            secret=secret,
            flash_refusal=False,
            success=gettext_lazy("You are signed in. Thank you for coming!"),
        )
        if done.ok:
            return redirect(reverse("alliances:activity_check_in", args=[activity.public_id, secret]))
        refusal = done.refusal
    signup = ActivitySignup.objects.filter(
        activity=activity, user=request.user, cancelled_at__isnull=True
    ).first()
    return render(
        request,
        "alliances/activity_check_in.html",
        {"activity": activity, "signup": signup, "refusal": refusal, "secret": secret},
        status=422 if refusal else 200,
    )


urlpatterns: list = [
    path("alliances/activities/", activity_list, name="activity_list"),
    path("alliances/activities/<uuid:public_id>/", activity_detail, name="activity_detail"),
    path("alliances/activities/<uuid:public_id>/qr.svg", activity_qr, name="activity_qr"),
    path("alliances/activities/<uuid:public_id>/sign-up/", sign_up, name="activity_sign_up"),
    path("alliances/activities/<uuid:public_id>/give-back/", cancel_signup, name="activity_cancel_signup"),
    path("alliances/activities/<uuid:public_id>/held/", mark_held, name="activity_held"),
    path("alliances/activities/<uuid:public_id>/confirm/", confirm, name="activity_confirm"),
    path("alliances/activities/<uuid:public_id>/cancel/", cancel, name="activity_cancel"),
    path(
        "alliances/activities/<uuid:public_id>/check-in/<str:secret>/",
        activity_check_in,
        name="activity_check_in",
    ),
    path("alliances/<uuid:public_id>/activities/new/", activity_create, name="activity_create"),
]
