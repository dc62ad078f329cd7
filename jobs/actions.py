"""Writes for jobs: upload and check a roster, confirm, run, retry; start and run exports.

Roster import, the honest design: the background run first reads and checks the whole file
OUTSIDE any transaction, reporting progress row by row (committed, so the page sees it move);
then it writes every member in ONE transaction, so a failure leaves nothing half-written. Progress
written inside that transaction would be invisible to the page until the commit anyway, so the
write pass shows as a phase ("writing N members") and the bar jumps to 100 % when it commits.
The job's own success is recorded in the same transaction as the members.
"""

from __future__ import annotations

import base64
import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from audit.models import Outcome
from gongjian.privacy import decrypt, encrypt
from jobs.exports import ExportSpec, clean_filters, get_spec
from jobs.models import Job, JobKind, JobStatus
from jobs.roster import MAX_FILE_BYTES, RosterFileError, check_roster, existing_members, read_roster
from orgs.models import Unit
from people.actions import save_member

log = logging.getLogger(__name__)
PROGRESS_EVERY = 500
INPUT_RETENTION = timedelta(hours=24)  # an uploaded roster is kept this long at most
STUCK_AFTER = timedelta(hours=2)  # a job "running" longer than this lost its worker


class JobAborted(Exception):
    """The job cannot finish; its message (and row errors, if any) go on the job."""

    def __init__(self, message: str, row: int | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or [{"row": row, "column": "", "message": str(message)}]


def importable_units(user):
    """Units the user may import rosters for: those they administer; all for platform administrators."""
    if scope_for(user).everything:
        return Unit.objects.all()
    return Unit.objects.filter(role_grants__user=user, role_grants__role=Role.UNIT_ADMIN).distinct()


def _enqueue(job: Job) -> None:
    from jobs.tasks import run_job

    transaction.on_commit(lambda: run_job(job.pk))


def _fail(job: Job, message: str, errors: list[dict] | None = None) -> None:
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.errors = errors or [{"row": None, "column": "", "message": str(message)}]
    job.summary = {**job.summary, "error": str(message), "phase": ""}
    job.save(update_fields=["status", "finished_at", "errors", "summary"])


# Roster import -------------------------------------------------------------------------------


@transaction.atomic
def upload_roster(*, acting_user, unit: Unit, upload, request=None) -> Job:
    """Store the file in a preview job and check every row; nothing is imported yet."""
    if not importable_units(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied
    filename = PurePath(upload.name or "roster").name
    job = Job.objects.create(
        kind=JobKind.IMPORT_MEMBERS,
        status=JobStatus.PREVIEW,
        created_by=acting_user,
        title=(_("Roster import for %(unit)s") % {"unit": unit.name})[:200],
        params={"unit": str(unit.public_id), "filename": filename, "lang": translation.get_language()},
    )
    content = upload.read(MAX_FILE_BYTES + 1)
    try:
        rows = read_roster(content, filename)
    except RosterFileError as exc:
        _fail(job, str(exc))  # nothing worth keeping: the file is not stored
    else:
        check = check_roster(unit=unit, rows=rows)
        if not check.errors:
            _store_input(job, content)  # kept only while it can still be confirmed
        job.total = len(rows)
        job.errors = check.errors
        job.summary = check.summary
        job.save(update_fields=["total", "errors", "summary"])
    record_event(
        actor=acting_user,
        action="import.upload",
        target=job,
        request=request,
        outcome=Outcome.FAILURE if job.status == JobStatus.FAILED else Outcome.SUCCESS,
        detail={"unit": unit.name, "filename": filename, **job.summary},
    )
    return job


def _store_input(job: Job, content: bytes) -> None:
    """Keep the roster until it is imported: encrypted, since it holds ID and phone numbers in full."""
    sealed = encrypt(base64.b64encode(content).decode("ascii")).encode("ascii")
    job.input_file.save(f"{job.public_id}.bin", ContentFile(sealed), save=True)


def _read_input(job: Job) -> bytes:
    if not job.input_file:
        raise JobAborted(_("The uploaded file is no longer kept; upload it again."))
    with job.input_file.open("rb") as handle:
        return base64.b64decode(decrypt(handle.read().decode("ascii")))


def discard_input(job: Job) -> None:
    """Delete the stored roster (once imported, or when a preview goes stale)."""
    if job.input_file:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")


@transaction.atomic
def confirm_import(*, acting_user, job: Job, request=None) -> Job:
    """Accept a clean preview: queue the import."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.kind != JobKind.IMPORT_MEMBERS or job.status != JobStatus.PREVIEW:
        raise ValidationError(_("This job is not waiting for confirmation."))
    if job.errors or not job.summary.get("rows"):
        raise ValidationError(_("Correct the errors in the file and upload it again."))
    if not importable_units(acting_user).filter(public_id=job.params.get("unit")).exists():
        raise PermissionDenied
    job.status = JobStatus.QUEUED
    job.params = {**job.params, "confirmed": True, "lang": translation.get_language()}
    job.save(update_fields=["status", "params"])
    record_event(actor=acting_user, action="import.confirm", target=job, request=request)
    _enqueue(job)
    return job


def can_retry(job: Job) -> bool:
    return job.status == JobStatus.FAILED and (
        job.kind == JobKind.EXPORT or job.params.get("confirmed", False)
    )


@transaction.atomic
def retry_job(*, acting_user, job: Job, request=None) -> Job:
    """Queue a failed job again (an import that failed after confirmation, or an export)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not can_retry(job):
        raise ValidationError(_("Only a failed job can be retried."))
    if (
        job.kind == JobKind.IMPORT_MEMBERS
        and not importable_units(acting_user).filter(public_id=job.params.get("unit")).exists()
    ):
        raise PermissionDenied(_("You no longer administer this unit."))
    job.status = JobStatus.QUEUED
    job.errors = []
    job.done = 0
    job.finished_at = None
    job.summary = {k: v for k, v in job.summary.items() if k != "error"}
    job.save(update_fields=["status", "errors", "done", "finished_at", "summary"])
    record_event(actor=acting_user, action="job.retry", target=job, request=request)
    _enqueue(job)
    return job


def _claim(job_id: int) -> Job | None:
    """Move a queued job to running; None if someone else took it or it is not queued."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    ):
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    job.attempts += 1
    job.save(update_fields=["attempts"])
    return job


def run_job(job_id: int) -> None:
    """Run one queued job to its end; every failure is recorded on the job, never raised."""
    job = _claim(job_id)
    if job is None:
        return
    with translation.override(job.params.get("lang") or settings.LANGUAGE_CODE):
        try:
            if job.kind == JobKind.IMPORT_MEMBERS:
                _run_import(job)
            else:
                _run_export(job)
        except Exception as exc:
            if isinstance(exc, JobAborted):
                message, errors = exc.message, exc.errors
            else:
                log.exception("job %s failed", job.public_id)
                message, errors = _("Unexpected error: %(error)s") % {"error": exc}, None
            _fail(job, message, errors)
            record_event(
                actor=job.created_by,
                action=_audit_action(job),
                target=job,
                outcome=Outcome.FAILURE,
                detail={"error": str(message)},
            )


def _audit_action(job: Job) -> str:
    return (
        "import.members" if job.kind == JobKind.IMPORT_MEMBERS else f"export.{job.params.get('export', '')}"
    )


def _progress(job: Job, phase: str):
    def report(done: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done)

    job.summary = {**job.summary, "phase": phase}
    job.done = 0
    job.save(update_fields=["summary", "done"])
    return report


def _run_import(job: Job) -> None:
    unit = importable_units(job.created_by).filter(public_id=job.params.get("unit")).first()
    if unit is None:
        raise JobAborted(_("The unit no longer exists, or you no longer administer it."))
    try:
        rows = read_roster(_read_input(job), job.params.get("filename", ""))
    except RosterFileError as exc:
        raise JobAborted(str(exc)) from exc
    job.total = len(rows)
    job.save(update_fields=["total"])
    # Pass 1, outside the transaction: check again (the database may have changed since the preview).
    check = check_roster(unit=unit, rows=rows, progress=_progress(job, "checking"))
    if check.errors:
        job.summary = check.summary
        raise JobAborted(
            _("The file no longer passes the checks: %(n)d errors.") % {"n": len(check.errors)},
            errors=check.errors,
        )
    _progress(job, "writing")
    # Pass 2: all rows in one transaction.
    with transaction.atomic():
        from gongjian.privacy import keyed_hash
        from people.models import Member

        hashes = [keyed_hash("id_number", data.id_number) for _n, data in check.members]
        existing = existing_members(hashes)
        ids = [m.pk for m in existing.values()]
        locked = {
            m.pk: m
            for start in range(0, len(ids), 900)
            for m in Member.objects.select_for_update().filter(pk__in=ids[start : start + 900])
        }
        new = updates = 0
        for (number, data), digest in zip(check.members, hashes, strict=True):
            member = existing.get(digest)
            if member is not None:
                member = locked.get(member.pk)
                if member is None or member.unit_id != unit.pk:
                    raise JobAborted(
                        _("Row %(row)d: this ID number now belongs to another unit.") % {"row": number},
                        number,
                    )
            try:
                save_member(acting_user=job.created_by, data=data, member=member, via="import")
            except ValidationError as exc:
                raise JobAborted(
                    _("Row %(row)d: %(error)s") % {"row": number, "error": "; ".join(exc.messages)}, number
                ) from exc
            if member is None:
                new += 1
            else:
                updates += 1
        job.status = JobStatus.SUCCEEDED
        job.done = job.total
        job.finished_at = timezone.now()
        job.errors = []
        job.summary = {"rows": len(rows), "new": new, "updates": updates, "errors": 0, "phase": ""}
        job.save(update_fields=["status", "done", "finished_at", "errors", "summary"])
        record_event(
            actor=job.created_by,
            action="import.members",
            target=unit,
            detail={"job": str(job.public_id), "rows": len(rows), "new": new, "updates": updates},
        )
    discard_input(job)


def sweep_jobs(*, older_than: timedelta = INPUT_RETENTION) -> int:
    """Delete stored rosters nobody will import any more; stale previews are cancelled, and jobs
    whose worker died while running are marked failed (so they can be retried)."""
    now = timezone.now()
    cutoff = now - older_than
    Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - STUCK_AFTER).update(
        status=JobStatus.FAILED,
        finished_at=now,
        errors=[{"row": None, "column": "", "message": _("The worker stopped while running this job.")}],
    )
    stale = (
        Job.objects.exclude(input_file="")
        .filter(created_at__lt=cutoff)
        .exclude(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    )
    count = 0
    for job in stale.iterator():
        discard_input(job)
        if job.status == JobStatus.PREVIEW:
            Job.objects.filter(pk=job.pk, status=JobStatus.PREVIEW).update(status=JobStatus.CANCELLED)
        count += 1
    return count


# Exports -------------------------------------------------------------------------------------


@dataclass
class InlineExport:
    filename: str
    content: bytes
    rows: int


def export_list(*, acting_user, spec: ExportSpec, query: QueryDict, request=None) -> InlineExport | Job:
    """Export a list as the user filtered it: at once if small, else through a background job."""
    if not spec.allowed(acting_user):
        raise PermissionDenied
    queryset = spec.filtered(acting_user, query, request=request)
    count = queryset.count()
    filters = clean_filters(query)
    if count <= settings.EXPORT_INLINE_MAX_ROWS:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
            rows = spec.write(out, queryset.iterator(chunk_size=1000))
            out.seek(0)
            content = out.read()
        record_event(
            actor=acting_user,
            action=f"export.{spec.name}",
            request=request,
            detail={"rows": rows, "filters": filters, "inline": True},
        )
        return InlineExport(spec.filename(), content, rows)
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.EXPORT,
            status=JobStatus.QUEUED,
            created_by=acting_user,
            total=count,
            title=_("Export: %(title)s") % {"title": spec.title},
            params={
                "export": spec.name,
                "query": query.urlencode(),
                "filters": filters,
                "lang": translation.get_language(),
            },
        )
        record_event(
            actor=acting_user,
            action="export.start",
            target=job,
            request=request,
            detail={"export": spec.name, "rows": count, "filters": filters},
        )
        _enqueue(job)
    return job


def _run_export(job: Job) -> None:
    spec = get_spec(job.params.get("export", ""))
    if spec is None:
        raise ValueError("unknown export")
    user = job.created_by
    if not spec.allowed(user):
        raise JobAborted(_("Your role no longer allows this export."))
    queryset = spec.filtered(user, QueryDict(job.params.get("query", "")))
    job.total = queryset.count()
    job.save(update_fields=["total"])
    report = _progress(job, "writing")

    def counted(rows):
        for index, obj in enumerate(rows, start=1):
            if index % PROGRESS_EVERY == 0:
                report(index)
            yield obj

    with tempfile.TemporaryFile() as out:
        rows = spec.write(out, counted(queryset.iterator(chunk_size=1000)))
        out.seek(0)
        with transaction.atomic():
            job.result_file.save(f"{job.public_id}.xlsx", File(out), save=False)
            job.status = JobStatus.SUCCEEDED
            job.done = job.total = rows
            job.finished_at = timezone.now()
            job.summary = {"rows": rows, "phase": ""}
            job.params = {**job.params, "filename": spec.filename()}
            job.save(
                update_fields=["result_file", "status", "done", "total", "finished_at", "summary", "params"]
            )
            record_event(
                actor=user,
                action=f"export.{spec.name}",
                target=job,
                detail={"rows": rows, "filters": job.params.get("filters", {}), "inline": False},
            )


def record_download(*, acting_user, job: Job, request=None) -> None:
    record_event(
        actor=acting_user,
        action="job.download",
        target=job,
        request=request,
        detail={"kind": job.kind, "export": job.params.get("export", "")},
    )
