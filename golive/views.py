"""Pages of the city set-up: the steps in order, the division picker, each set-up file (template,
upload, preview, confirm) and the readiness page with its lists."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from golive import actions
from golive.catalogue import SHEETS
from golive.divisions import city_tree, find_cities
from golive.forms import DivisionsForm, SheetUploadForm
from golive.readiness import GAPS, READINESS_ROLES, readiness
from golive.sheets import Sheet
from gongjian.pages import paginate, run_action
from jobs.models import Job, JobKind
from jobs.roster import NOTES_MARKER
from jobs.workbooks import XLSX_CONTENT_TYPE, write_template
from places.models import Area

SETUP_ROLES = (Role.PLATFORM_ADMIN,)  # the platform administrator only
SHEET_ROLES = (Role.COMMUNITY,)  # the residents' sheet; each sheet checks its own roles


def _crumbs(*more):
    return [{"label": _("City set-up"), "url": reverse("golive:index")}, *more]


def _sheet(request, key: str) -> Sheet:
    sheet = SHEETS.get(key)
    if sheet is None:
        raise Http404
    if not actions.may_import(request.user, sheet):
        raise PermissionDenied
    return sheet


@role_required(*SETUP_ROLES)
def index(request):
    jobs = Job.objects.visible_to(request.user).filter(kind=JobKind.IMPORT_SETUP).order_by("-created_at")
    latest: dict[str, Job] = {}
    for job in jobs[:200]:
        latest.setdefault(job.params.get("sheet", ""), job)
    steps = [(sheet, latest.get(key)) for key, sheet in SHEETS.items()]
    return render(request, "golive/index.html", {"steps": steps, "breadcrumbs": _crumbs()})


@role_required(*SETUP_ROLES)
def divisions(request):
    text = request.GET.get("q", "").strip()
    code = request.POST.get("city") or request.GET.get("city", "")
    tree = None
    if code:
        try:
            tree = city_tree(code)
        except ValidationError as exc:
            raise Http404 from exc
    form = DivisionsForm(request.POST or None, tree=tree)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request,
            actions.set_up_divisions,
            form=form,
            success=lambda r: (
                _("%(created)d areas created, %(kept)d already there.")
                % {"created": r.created, "kept": r.kept}
            ),
            city_code=form.cleaned_data["city"],
            street_codes=form.street_codes(),
        )
        if outcome.ok:
            return redirect(f"{reverse('golive:divisions')}?city={code}")
    return render(
        request,
        "golive/divisions.html",
        {
            "q": text,
            "cities": find_cities(text) if text else [],
            "tree": tree,
            "set_up": _set_up_codes(request.user, tree),
            "form": form,
            "breadcrumbs": _crumbs({"label": _("Divisions"), "url": ""}),
        },
    )


def _set_up_codes(user, tree) -> set[str]:
    """The tree's streets that exist already as areas (shown as set up)."""
    if tree is None:
        return set()
    codes = [s.code for d in tree.districts for s in d.streets]
    return set(Area.objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))


@role_required(*SETUP_ROLES, *SHEET_ROLES)
def sheet_page(request, key):
    sheet = _sheet(request, key)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = actions.upload_sheet(
            acting_user=request.user, sheet=sheet, upload=form.cleaned_data["file"], request=request
        )
        return redirect("golive:job", job.public_id)
    recent = Job.objects.visible_to(request.user).filter(kind=JobKind.IMPORT_SETUP, params__sheet=key)[:10]
    parents = [SHEETS[p] for p in sheet.parents if p in SHEETS]
    return render(
        request,
        "golive/sheet.html",
        {
            "sheet": sheet,
            "form": form,
            "recent": recent,
            "parents": parents,
            "breadcrumbs": _crumbs({"label": sheet.title, "url": ""}),
        },
    )


@role_required(*SETUP_ROLES, *SHEET_ROLES)
def sheet_template(request, key):
    sheet = _sheet(request, key)
    name = str(sheet.title)
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.header for c in sheet.columns])
        writer.writerow(
            [f"{NOTES_MARKER}：{c.note}" if i == 0 else str(c.note) for i, c in enumerate(sheet.columns)]
        )
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response
    data = io.BytesIO()
    write_template(data, title=name, columns=sheet.columns, choices=sheet.choices)
    response = HttpResponse(data.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
    return response


def _job(request, public_id) -> Job:
    return get_object_or_404(
        Job.objects.visible_to(request.user).filter(kind=JobKind.IMPORT_SETUP), public_id=public_id
    )


@role_required(*SETUP_ROLES, *SHEET_ROLES)
def job_page(request, public_id):
    job = _job(request, public_id)
    sheet = SHEETS.get(job.params.get("sheet", ""))
    errors = paginate(request, job.errors, per_page=50)["page"]
    return render(
        request,
        "golive/job.html",
        {
            "job": job,
            "sheet": sheet,
            "errors": errors,
            "breadcrumbs": _crumbs(
                {
                    "label": sheet.title if sheet else "",
                    "url": reverse("golive:sheet", args=[sheet.key]) if sheet else "",
                },
                {"label": job.params.get("filename", ""), "url": ""},
            ),
        },
    )


@require_POST
@role_required(*SETUP_ROLES, *SHEET_ROLES)
def job_confirm(request, public_id):
    job = _job(request, public_id)
    run_action(request, actions.confirm_sheet, success=_("The import is queued."), job=job)
    return redirect("golive:job", job.public_id)


@role_required(*READINESS_ROLES)
def readiness_page(request):
    return render(
        request,
        "golive/readiness.html",
        {"gaps": readiness(request.user), "breadcrumbs": [{"label": _("Readiness for go-live"), "url": ""}]},
    )


@role_required(*READINESS_ROLES)
def gap_list(request, key):
    gap = GAPS[key]
    rows = gap.listed(request.user)
    page = paginate(request, rows)["page"]
    table = [[_cell(obj, attr) for _h, attr in gap.columns] for obj in page]
    return render(
        request,
        "golive/gap.html",
        {
            "gap": gap,
            "page": page,
            "table": table,
            "export": f"golive_{key}",
            "breadcrumbs": [
                {"label": _("Readiness for go-live"), "url": reverse("golive:readiness")},
                {"label": gap.label, "url": ""},
            ],
        },
    )


def _cell(obj, attr: str):
    value = getattr(obj, attr, None)
    value = value() if callable(value) else value
    return "" if value is None else value
