"""The rotating chair's page (alliances:rotation): the year month by month — chair, theme, planned or
reported, the activity it led — with the lead's generate and swap forms and the chair's plan and report
forms. Each form posts to its own address and comes back here; a refusal shows the page again with what
was typed."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from alliances import rotation
from alliances.access import leads
from alliances.forms_act import GenerateForm, PlanForm, ReportForm, SwapForm
from alliances.models import Alliance, ChairTurn
from alliances.queries_act import turns_of
from gongjian.pages import get_visible_or_404, lookup_or_404, run_action

ROTATION_ROLES = (
    Role.ORG_DEPT,
    Role.STREET,
    Role.COMMUNITY,
    Role.UNIT_ADMIN,
    Role.DEPARTMENT,
    Role.INSPECTOR,
)


def chosen_year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def show(request, alliance: Alliance, year: int, *, status: int = 200, **forms):
    turns = list(turns_of(alliance, year))
    is_lead = leads(request.user, alliance)
    rows = []
    for turn in turns:
        is_chair = rotation.chairs(request.user, turn)
        rows.append(
            {
                "turn": turn,
                "planned": rotation.is_planned(turn),
                "reported": rotation.is_reported(turn),
                "can_plan": (is_chair or is_lead)
                and not rotation.is_past(turn)
                and not rotation.is_reported(turn),
                "can_report": is_chair and rotation.has_begun(turn) and not rotation.is_reported(turn),
                "plan_form": forms.get(f"plan_{turn.pk}")
                or PlanForm(initial={"theme": turn.theme, "plan": turn.plan}, prefix=str(turn.pk)),
                "report_form": forms.get(f"report_{turn.pk}") or ReportForm(prefix=str(turn.pk)),
            }
        )
    context = {
        "alliance": alliance,
        "year": year,
        "years": [year - 1, year + 1],
        "rows": rows,
        "is_lead": is_lead,
        "generate_form": forms.get("generate") or GenerateForm(initial={"year": year, "start_month": 1}),
        "swap_form": forms.get("swap") or SwapForm(turns=turns),
    }
    return render(request, "alliances/rotation_year.html", context, status=status)


def back(alliance: Alliance, year: int):
    return redirect(f"{reverse('alliances:rotation', args=[alliance.public_id])}?year={year}")


@role_required(*ROTATION_ROLES)
def rotation_page(request, public_id):
    alliance = get_visible_or_404(Alliance, request.user, public_id)
    return show(request, alliance, chosen_year(request))


@require_POST
@role_required(*ROTATION_ROLES)
def generate(request, public_id):
    alliance = get_visible_or_404(Alliance, request.user, public_id)
    form = GenerateForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        done = run_action(
            request,
            rotation.generate_rotation,
            alliance=alliance,
            year=year,
            start_month=form.cleaned_data["start_month"],
            form=form,
            success=_("The rotation is drawn up."),
        )
        if done.ok:
            return back(alliance, year)
    return show(request, alliance, chosen_year(request), status=422, generate=form)


@require_POST
@role_required(*ROTATION_ROLES)
def swap(request, public_id):
    alliance = get_visible_or_404(Alliance, request.user, public_id)
    year = chosen_year(request)
    turns = list(turns_of(alliance, year))
    form = SwapForm(request.POST, turns=turns)
    if form.is_valid():
        first = lookup_or_404(alliance.chair_turns.all(), form.cleaned_data["first"])
        second = lookup_or_404(alliance.chair_turns.all(), form.cleaned_data["second"])
        done = run_action(
            request,
            rotation.swap_turns,
            first=first,
            second=second,
            reason=form.cleaned_data["reason"],
            form=form,
            success=_("The two months are swapped."),
        )
        if done.ok:
            return back(alliance, year)
    return show(request, alliance, year, status=422, swap=form)


def turn_form_view(form_class, action, field_names, success, key):
    @require_POST
    @role_required(*ROTATION_ROLES)
    def view(request, public_id):
        turn = get_visible_or_404(
            ChairTurn.objects.select_related("alliance", "unit"), request.user, public_id
        )
        form = form_class(request.POST, prefix=str(turn.pk))
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in field_names}
            if run_action(request, action, turn=turn, form=form, success=success, **values).ok:
                return back(turn.alliance, turn.month.year)
        return show(request, turn.alliance, turn.month.year, status=422, **{f"{key}_{turn.pk}": form})

    return view


plan = turn_form_view(
    PlanForm, rotation.plan_turn, ("theme", "plan"), gettext_lazy("The month is planned."), "plan"
)
report = turn_form_view(
    ReportForm, rotation.report_turn, ("report",), gettext_lazy("The month is reported."), "report"
)

urlpatterns: list = [
    path("alliances/<uuid:public_id>/rotation/", rotation_page, name="rotation"),
    path("alliances/<uuid:public_id>/rotation/generate/", generate, name="rotation_generate"),
    path("alliances/<uuid:public_id>/rotation/swap/", swap, name="rotation_swap"),
    path("alliances/chair/<uuid:public_id>/plan/", plan, name="chair_plan"),
    path("alliances/chair/<uuid:public_id>/report/", report, name="chair_report"),
]
