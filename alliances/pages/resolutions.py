"""The resolutions pages: the list of tasks (open, overdue, closed; by owner unit — a unit's admin sees its
own), a resolution's page with its updates and evidence files and the steps the viewer may take (report
progress or evidence, close, hand to the whistle, drop), and the evidence files themselves.

Reads go through ``Resolution.objects.visible_to(user)`` (outside the scope: 404); who may do what is
asked of alliances/resolutions.py; each POST runs one action through ``run_action`` (PRG, or the page
again with the refusal beside what was typed, 400)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from alliances import resolutions as actions
from alliances.meeting_forms import CloseForm, ProgressForm, ReasonForm, ToCaseForm
from alliances.models import Resolution, ResolutionFile, ResolutionUpdate
from alliances.steps import history
from cases.models import CaseCategory
from gongjian.pages import get_visible_or_404, lookup_or_404, paginate, parse_uuids, run_action

FILTERS = {
    "open": gettext_lazy("Not done yet"),
    "overdue": gettext_lazy("Overdue"),
    "closed": gettext_lazy("Closed"),
    "all": gettext_lazy("All"),
}
EVENT_LABELS = {
    "add": gettext_lazy("Recorded"),
    "progress": gettext_lazy("Progress"),
    "evidence": gettext_lazy("Evidence"),
    "close": gettext_lazy("Closed"),
    "drop": gettext_lazy("Dropped"),
    "to_case": gettext_lazy("Handed to the whistle"),
}
STEPS = ("progress", "close", "to_case", "drop")
# Evidence shown in the browser (inline); any other declared type is served as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})


@login_required
def resolution_list(request: HttpRequest) -> HttpResponse:
    """Tasks from meetings the viewer may see; a unit's people see the tasks their unit owns."""
    today = timezone.localdate()
    rows = Resolution.objects.visible_to(request.user).select_related("meeting", "owner_unit", "case")
    shown = request.GET.get("state", "open")
    if shown not in FILTERS:
        shown = "open"
    if shown == "open":
        rows = rows.open()
    elif shown == "overdue":
        rows = rows.overdue(today)
    elif shown == "closed":
        rows = rows.exclude(state__in=actions.OPEN_STATES)
    owner_ids = parse_uuids([request.GET.get("owner", "")])
    if owner_ids:
        rows = rows.filter(owner_unit__public_id=owner_ids[0])
    rows = rows.order_by("due_on", "meeting_id", "number")
    return render(
        request,
        "alliances/resolution_list.html",
        {
            "pager": paginate(request, rows),
            "filters": FILTERS,
            "shown": shown,
            "owner": str(owner_ids[0]) if owner_ids else "",
            "today": today,
        },
    )


def _categories():
    return CaseCategory.objects.active().leaves().order_by("name")


@require_http_methods(["GET", "POST"])
@login_required
def resolution_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A resolution: what, whose, when due; its updates with files; the steps this viewer may take."""
    resolution = get_visible_or_404(
        Resolution.objects.select_related(
            "meeting", "meeting__alliance", "meeting__party_org", "owner_unit", "case", "closed_by"
        ).prefetch_related(
            Prefetch(
                "updates",
                queryset=ResolutionUpdate.objects.select_related("author").prefetch_related("files"),
            )
        ),
        request.user,
        public_id,
    )
    leads = actions.leads_resolution(request.user, resolution)
    answers = leads or actions.answers_resolution(request.user, resolution)
    is_open = resolution.state in actions.OPEN_STATES
    forms: dict = {}
    step = request.POST.get("step", "") if request.method == "POST" else ""
    allowed = {"progress": answers, "close": leads, "to_case": leads, "drop": leads}
    if step and not (step in STEPS and allowed[step]):
        return redirect("alliances:resolution_detail", public_id=resolution.public_id)
    done = _do(request, resolution, step, forms) if step else None
    if done:
        return redirect(reverse("alliances:resolution_detail", args=[resolution.public_id]))
    context = {
        "resolution": resolution,
        "overdue": is_open and resolution.due_on < timezone.localdate(),
        "leads": leads and is_open,
        "answers": answers and is_open,
        "has_evidence": any(u.is_evidence for u in resolution.updates.all()),
        "history": [(e, EVENT_LABELS.get(e.action, e.action)) for e in history(resolution)],
        "progress_form": forms.get("progress") or ProgressForm(),
        "close_form": forms.get("close") or CloseForm(),
        "drop_form": forms.get("drop") or ReasonForm(),
        "case_form": forms.get("to_case")
        or (ToCaseForm(categories=_categories()) if leads and is_open else None),
    }
    return render(request, "alliances/resolution_detail.html", context, status=400 if done is False else 200)


def _do(request, resolution: Resolution, step: str, forms: dict) -> bool:
    if step == "progress":
        form = ProgressForm(request.POST, request.FILES)
        forms["progress"] = form
        return (
            form.is_valid()
            and run_action(
                request,
                actions.report_progress,
                form=form,
                success=_("Progress reported."),
                resolution=resolution,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
                evidence=form.cleaned_data["evidence"],
            ).ok
        )
    if step == "close":
        form = CloseForm(request.POST)
        forms["close"] = form
        return (
            form.is_valid()
            and run_action(
                request,
                actions.close_resolution,
                form=form,
                success=_("Resolution closed."),
                resolution=resolution,
                note=form.cleaned_data["note"],
            ).ok
        )
    if step == "drop":
        form = ReasonForm(request.POST)
        forms["drop"] = form
        return (
            form.is_valid()
            and run_action(
                request,
                actions.drop_resolution,
                form=form,
                success=_("Resolution dropped."),
                resolution=resolution,
                reason=form.cleaned_data["reason"],
            ).ok
        )
    form = ToCaseForm(request.POST, categories=_categories())
    forms["to_case"] = form
    return (
        form.is_valid()
        and run_action(
            request,
            actions.hand_to_case,
            form=form,
            success=_("Handed to the whistle as a case."),
            resolution=resolution,
            category=form.cleaned_data["category"],
        ).ok
    )


@require_GET
@login_required
def resolution_file(request: HttpRequest, public_id) -> FileResponse:
    """An evidence file, for whoever may see its resolution."""
    visible = ResolutionFile.objects.filter(
        update__resolution__in=Resolution.objects.visible_to(request.user)
    )
    found = lookup_or_404(visible, public_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The stored type is the one the uploader's browser declared: only raster photos and PDFs are shown
    # in the page; anything else (an SVG can carry a script) is downloaded as bytes.
    if found.content_type in INLINE_TYPES:
        response = FileResponse(handle, content_type=found.content_type)
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(
            handle, as_attachment=True, filename=found.name, content_type="application/octet-stream"
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list = [
    path("alliances/resolutions/", resolution_list, name="resolution_list"),
    path("alliances/resolutions/<uuid:public_id>/", resolution_detail, name="resolution_detail"),
    path("alliances/resolutions/files/<uuid:public_id>/", resolution_file, name="resolution_file"),
]
