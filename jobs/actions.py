"""Writes for jobs: upload a roster, check it, confirm, run, retry; the sweep. Exports are in
``jobs.export_actions``; the machinery of a running job (lease, progress, heartbeat) in
``jobs.running``.

Roster import, the honest design. The upload request only stores the file (encrypted) and queues
a job: reading a spreadsheet is the expensive, attackable part, so it happens in the worker, within
the limits of ``jobs.roster_files``. The check run reads and checks every row and leaves the job
as a preview (row-numbered errors, or counts to confirm). After confirmation the import run first
reads and checks the whole file again OUTSIDE any transaction, reporting progress row by row
(committed, so the page sees it move); then it writes every member in ONE transaction, so a failure
or a killed worker leaves nothing half-written. Progress written inside that transaction would be
invisible to the page until the commit anyway, so the write pass shows as a phase ("writing N
members") and the bar jumps to 100 % when it commits. The job's own success is recorded in the
same transaction as the members.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from audit.models import Outcome
from gongjian.privacy import decrypt, encrypt
from jobs.export_actions import run_export
from jobs.models import Job, JobKind, JobStatus
from jobs.roster import check_roster
from jobs.roster_checked import discard_checked, read_header, save_checked, write_checked
from jobs.roster_files import RosterFileError, check_upload, read_roster
from jobs.roster_lookups import existing_members
from jobs.running import (
    RUNNERS,
    JobAborted,
    JobSuperseded,
    claim,
    enqueue,
    fail,
    fail_stalled_jobs,
    finish,
    heartbeat,
    progress,
    update,
)
from orgs.models import Unit
from people.actions import save_members_bulk

log = logging.getLogger(__name__)
INPUT_RETENTION = timedelta(hours=24)  # an uploaded roster is kept this long at most


def importable_units(user):
    """Units the user may import rosters for: those they administer; all for platform administrators."""
    if scope_for(user).everything:
        return Unit.objects.all()
    return Unit.objects.filter(role_grants__user=user, role_grants__role=Role.UNIT_ADMIN).distinct()


# Roster import -------------------------------------------------------------------------------


@transaction.atomic
def upload_roster(*, acting_user, unit: Unit, upload, request=None) -> Job:
    """Store the file in a job and queue its check; nothing is read or imported yet."""
    if not importable_units(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied
    filename = PurePath(upload.name or "roster").name
    job = Job.objects.create(
        kind=JobKind.IMPORT_MEMBERS,
        status=JobStatus.QUEUED,
        created_by=acting_user,
        title=(_("Roster import for %(unit)s") % {"unit": unit.name})[:200],
        params={"unit": str(unit.public_id), "filename": filename, "lang": translation.get_language()},
    )
    try:
        check_upload(filename, upload.size)
    except RosterFileError as exc:
        refuse_upload(job, str(exc))  # nothing worth keeping: the file is not stored
    else:
        store_input(job, upload.read())  # kept only while it can still be confirmed
        enqueue(job)
    record_event(
        actor=acting_user,
        action="import.upload",
        target=job,
        request=request,
        outcome=Outcome.FAILURE if job.status == JobStatus.FAILED else Outcome.SUCCESS,
        detail={"unit": unit.name, "filename": filename, "bytes": upload.size},
    )
    return job


def refuse_upload(job: Job, message: str) -> None:
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.errors = [{"row": None, "column": "", "message": message}]
    job.summary = {"error": message, "phase": ""}
    job.save(update_fields=["status", "finished_at", "errors", "summary"])


def store_input(job: Job, content: bytes) -> None:
    """Keep the roster until it is imported: encrypted, since it holds ID and phone numbers in full."""
    sealed = encrypt(base64.b64encode(content).decode("ascii")).encode("ascii")
    job.input_file.save(f"{job.public_id}.bin", ContentFile(sealed), save=True)


def read_input(job: Job) -> bytes:
    if not job.input_file:
        raise JobAborted(_("The uploaded file is no longer kept; upload it again."))
    with job.input_file.open("rb") as handle:
        return base64.b64decode(decrypt(handle.read().decode("ascii")))


def discard_input(job: Job) -> None:
    """Delete the stored roster (once imported, or when a preview goes stale)."""
    if job.input_file:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")
    discard_checked(job.params.get("checked", ""))


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
    enqueue(job)
    return job


def can_retry(job: Job) -> bool:
    """A failed export, or a failed import whose file is still kept (a file that cannot be read is
    not kept: it is uploaded again, corrected)."""
    return job.status == JobStatus.FAILED and (job.kind == JobKind.EXPORT or bool(job.input_file))


@transaction.atomic
def retry_job(*, acting_user, job: Job, request=None) -> Job:
    """Queue a failed job again: an export, or an import (checked again, then written if confirmed)."""
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
    job.heartbeat_at = None
    job.summary = {k: v for k, v in job.summary.items() if k != "error"}
    job.save(update_fields=["status", "errors", "done", "finished_at", "heartbeat_at", "summary"])
    record_event(actor=acting_user, action="job.retry", target=job, request=request)
    enqueue(job)
    return job


def run_job(job_id: int) -> None:
    """Run one queued job to its end; every failure is recorded on the job, never raised."""
    job = claim(job_id)
    if job is None:
        return
    with translation.override(job.params.get("lang") or settings.LANGUAGE_CODE), heartbeat(job):
        try:
            if job.kind == JobKind.EXPORT:
                run_export(job)
            elif job.kind in RUNNERS:
                RUNNERS[job.kind](job)
            elif job.params.get("confirmed"):
                _run_import(job)
            else:
                _run_check(job)
        except JobSuperseded:
            log.warning(
                "job %s was taken from this run (stalled, then retried); its work is dropped", job.public_id
            )
        except Exception as exc:
            if isinstance(exc, JobAborted):
                message, errors = exc.message, exc.errors
            else:
                log.exception("job %s failed", job.public_id)
                message, errors = _("Unexpected error: %(error)s") % {"error": exc}, None
            if not fail(job, message, errors):
                return
            record_event(
                actor=job.created_by,
                action=_audit_action(job),
                target=job,
                outcome=Outcome.FAILURE,
                detail={"error": str(message)},
            )
            if job.kind != JobKind.EXPORT and not job.params.get("confirmed"):
                discard_input(job)  # an unreadable or broken file is uploaded again, not retried


def _audit_action(job: Job) -> str:
    if job.kind in RUNNERS:
        return f"import.{job.params.get('sheet', 'setup')}"
    if job.kind == JobKind.EXPORT:
        return f"export.{job.params.get('export', '')}"
    return "import.members" if job.params.get("confirmed") else "import.check"


def _unit_of(job: Job) -> Unit:
    unit = importable_units(job.created_by).filter(public_id=job.params.get("unit")).first()
    if unit is None:
        raise JobAborted(_("The unit no longer exists, or you no longer administer it."))
    return unit


def _read_rows(job: Job):
    progress(job, "reading")
    try:
        rows = read_roster(read_input(job), job.params.get("filename", ""))
    except RosterFileError as exc:
        raise JobAborted(str(exc)) from exc
    update(job, total=len(rows))
    return rows


def _run_check(job: Job) -> None:
    """Read and check an uploaded roster; the job becomes a preview with its errors or its counts."""
    unit = _unit_of(job)
    rows = _read_rows(job)
    check = check_roster(unit=unit, rows=rows, progress=_every(progress(job, "checking")))
    params = job.params
    if not check.errors:  # kept for the import: the rows built, so the file is not read again
        checked = save_checked(name=f"jobs/checked/{job.public_id}.jsonl.gz", unit=unit, check=check)
        params = {**params, "checked": checked}
    with transaction.atomic():
        finish(job, status=JobStatus.PREVIEW, errors=check.errors, summary=check.summary, params=params)
        record_event(
            actor=job.created_by,
            action="import.check",
            target=job,
            detail={"unit": unit.name, "filename": job.params.get("filename", ""), **check.summary},
        )
    if check.errors:
        discard_input(job)  # it cannot be confirmed: nothing worth keeping


PROGRESS_EVERY = 10_000  # rows between two committed progress writes


def _every(report):
    """``report`` thinned to one committed write per PROGRESS_EVERY rows (and the last)."""
    last = [0]

    def thinned(done: int) -> None:
        if done - last[0] >= PROGRESS_EVERY:
            last[0] = done
            report(done)

    return thinned


def _run_import(job: Job) -> None:
    unit = _unit_of(job)
    checked = job.params.get("checked", "")
    header = read_header(checked)
    if header is not None:
        update(job, total=header["rows"])
        progress(job, "writing")
        # The rows as the check built them, written if the database still says what it said then
        # (jobs.roster_checked); all in one transaction, with the job's success and its audit row.
        with transaction.atomic():
            written = write_checked(name=checked, unit=unit, acting_user=job.created_by)
            if written is not None:
                _import_done(job, unit, rows=header["rows"], new=written.new, updates=written.updates)
        if written is not None:
            discard_input(job)
            return
    _check_and_import(job, unit)


def _import_done(job: Job, unit: Unit, *, rows: int, new: int, updates: int) -> None:
    finish(  # only if this run still holds the job; else everything written is rolled back
        job,
        status=JobStatus.SUCCEEDED,
        done=rows,
        finished_at=timezone.now(),
        errors=[],
        summary={"rows": rows, "new": new, "updates": updates, "errors": 0, "phase": ""},
    )
    record_event(
        actor=job.created_by,
        action="import.members",
        target=unit,
        detail={"job": str(job.public_id), "rows": rows, "new": new, "updates": updates},
    )


def _check_and_import(job: Job, unit: Unit) -> None:
    """The import without a stored check, or when the database changed since: read and check the
    file again, then write."""
    rows = _read_rows(job)
    # Pass 1, outside the transaction: check again (the database may have changed since the preview).
    check = check_roster(unit=unit, rows=rows, progress=_every(progress(job, "checking")))
    if check.errors:
        job.summary = check.summary
        raise JobAborted(
            _("The file no longer passes the checks: %(n)d errors.") % {"n": len(check.errors)},
            errors=check.errors,
        )
    progress(job, "writing")
    # Pass 2: all rows in one transaction, written in bulk (people.actions.save_members_bulk: the rules
    # of save_member, one audit row per member). If the worker is killed in it, nothing is committed;
    # the heartbeat stops and the sweep fails the job, which can be retried.
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
        for (number, _data), digest in zip(check.members, hashes, strict=True):
            member = existing.get(digest)
            if member is not None and (member.pk not in locked or locked[member.pk].unit_id != unit.pk):
                raise JobAborted(
                    _("Row %(row)d: this ID number now belongs to another unit.") % {"row": number}, number
                )
        created, updated = save_members_bulk(
            acting_user=job.created_by,
            rows=[data for _n, data in check.members],
            existing={digest: locked[m.pk] for digest, m in existing.items()},
            via="import",
        )
        _import_done(job, unit, rows=len(rows), new=len(created), updates=len(updated))
    discard_input(job)


def sweep_jobs(*, older_than: timedelta = INPUT_RETENTION) -> int:
    """Every minute: jobs whose worker stopped beating are failed (so they can be retried); stored
    rosters nobody will import any more are deleted, and their previews cancelled. Returns how
    many rosters were deleted."""
    fail_stalled_jobs()
    stale = (
        Job.objects.exclude(input_file="")
        .filter(created_at__lt=timezone.now() - older_than)
        .exclude(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    )
    count = 0
    for job in list(stale):  # read whole: a write while a SQLite read is open can fail at once
        discard_input(job)
        if job.status == JobStatus.PREVIEW:
            Job.objects.filter(pk=job.pk, status=JobStatus.PREVIEW).update(status=JobStatus.CANCELLED)
        count += 1
    return count
