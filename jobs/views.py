"""Pages for roster import, jobs and their progress, and list exports."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.roles import IMPORT_ROLES
from gongjian.pages import paginate
from jobs import actions, export_actions
from jobs.export_files import DEFAULT_FORMAT, FORMATS, file_format
from jobs.exports import get_spec
from jobs.forms import RosterUploadForm, units_to_import_for
from jobs.models import Job, JobKind, JobStatus, TaskFailure
from jobs.workbooks import XLSX_CONTENT_TYPE, write_roster_template

ERRORS_PER_PAGE = 50
JOBS_PER_PAGE = 25


def _jobs_crumb():
    return {"label": _("Jobs"), "url": reverse("jobs:job_list")}


@role_required(*IMPORT_ROLES)
def import_members(request):
    units = units_to_import_for(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        job = actions.upload_roster(
            acting_user=request.user,
            unit=form.cleaned_data["unit"],
            upload=form.cleaned_data["file"],
            request=request,
        )
        return redirect("jobs:job_detail", job.public_id)
    recent = Job.objects.visible_to(request.user).filter(kind=JobKind.IMPORT_MEMBERS)[:10]
    return render(
        request,
        "jobs/import.html",
        {
            "form": form,
            "recent": recent,
            "breadcrumbs": [_jobs_crumb(), {"label": _("Roster import"), "url": ""}],
        },
    )


@role_required(*IMPORT_ROLES)
def roster_template(request):
    out = io.BytesIO()
    write_roster_template(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("Member roster template") + ".xlsx")
    return response


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    page = paginate(request, jobs, per_page=JOBS_PER_PAGE)["page"]
    return render(request, "jobs/job_list.html", {"page": page, "breadcrumbs": [_jobs_crumb()]})


@role_required(Role.PLATFORM_ADMIN)
def task_failures(request):
    """Background tasks that raised (huey's error signal), newest first: for the platform administrator."""
    failures = TaskFailure.objects.all()
    page = paginate(request, failures, per_page=JOBS_PER_PAGE)["page"]
    context = {"page": page, "recent": TaskFailure.objects.recent().count(), "breadcrumbs": [_jobs_crumb()]}
    return render(request, "jobs/task_failures.html", context)


def _job(request, public_id) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), public_id=public_id)


@login_required
def job_detail(request, public_id):
    job = _job(request, public_id)
    if job.kind == JobKind.IMPORT_SETUP:
        return redirect(job.params.get("page") or "jobs:job_list")  # the set-up's own page (golive)
    errors = paginate(request, job.errors, per_page=ERRORS_PER_PAGE)["page"]
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "errors": errors,
            "can_retry": actions.can_retry(job),
            "breadcrumbs": [_jobs_crumb(), {"label": str(job), "url": ""}],
        },
    )


@login_required
def job_progress(request, public_id):
    job = _job(request, public_id)
    response = render(request, "jobs/_progress.html", {"job": job})
    if job.status not in {JobStatus.QUEUED, JobStatus.RUNNING} and request.htmx:
        # show the rest of the page once the run ends (errors, download, or the checked preview)
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(*IMPORT_ROLES)
def job_confirm(request, public_id):
    job = _job(request, public_id)
    try:
        actions.confirm_import(acting_user=request.user, job=job, request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The import is queued."))
    return redirect("jobs:job_detail", job.public_id)


@require_POST
@login_required
def job_retry(request, public_id):
    job = _job(request, public_id)
    try:
        actions.retry_job(acting_user=request.user, job=job, request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The job is queued again."))
    return redirect("jobs:job_detail", job.public_id)


@login_required
def job_download(request, public_id):
    job = _job(request, public_id)
    if not job.result_file:
        raise Http404
    if job.kind == JobKind.EXPORT:
        # The right to the list is checked again: a role taken away takes its old exports with it.
        spec = get_spec(job.params.get("export", ""))
        if spec is None or not spec.allowed(request.user):
            raise Http404
    export_actions.record_download(acting_user=request.user, job=job, request=request)
    fmt = file_format(job.params.get("format")) if job.kind == JobKind.EXPORT else FORMATS["xlsx"]
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.params.get("filename") or f"{job.public_id}.{fmt.name}",
        content_type=fmt.content_type,
    )


@login_required
def export_start(request, name, fmt=DEFAULT_FORMAT):
    """Export a list as its page filters it: ``/exports/<name>/`` a .xlsx, ``/exports/<name>/csv/`` a .csv."""
    spec = get_spec(name)
    if spec is None or fmt not in FORMATS:
        raise Http404
    if not spec.allowed(request.user):
        raise PermissionDenied
    result = export_actions.export_list(
        acting_user=request.user, spec=spec, query=request.GET, fmt=fmt, request=request
    )
    if isinstance(result, Job):
        messages.info(request, _("The list is long; it is being exported in the background."))
        return redirect("jobs:job_detail", result.public_id)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = content_disposition_header(True, result.filename)
    return response
