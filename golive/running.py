"""Running a set-up sheet's job (``jobs.running.register_runner``): read, check, and either leave a
preview (errors, or counts to confirm) or, once confirmed, check again and write every row in ONE
transaction, in bulk. Progress is reported while reading and checking (committed, so the page sees
it); the write shows as its phase and commits at once, with the job's success and its audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from golive.catalogue import SHEETS
from jobs.actions import discard_input, read_input
from jobs.models import Job, JobStatus
from jobs.roster_files import RosterFileError, read_roster
from jobs.running import JobAborted, finish, progress, update


def run_sheet_job(job: Job) -> None:
    sheet = SHEETS.get(job.params.get("sheet", ""))
    if sheet is None:
        raise JobAborted(_("Unknown set-up sheet."))
    progress(job, "reading")
    try:
        rows = read_roster(read_input(job), job.params.get("filename", ""), sheet.columns)
    except RosterFileError as exc:
        raise JobAborted(str(exc)) from exc
    update(job, total=len(rows))
    plan = sheet.check(rows=rows, user=job.created_by, progress=progress(job, "checking"))
    summary = plan.summary
    if not job.params.get("confirmed"):
        with transaction.atomic():
            finish(job, status=JobStatus.PREVIEW, errors=plan.errors, summary=summary)
            record_event(
                actor=job.created_by,
                action="import.check",
                target=job,
                detail={"sheet": sheet.key, "filename": job.params.get("filename", ""), **summary},
            )
        if plan.errors:
            discard_input(job)
        return
    if plan.errors:
        job.summary = summary
        raise JobAborted(
            _("The file no longer passes the checks: %(n)d errors.") % {"n": len(plan.errors)},
            errors=plan.errors,
        )
    progress(job, "writing")
    with transaction.atomic():
        counts = sheet.write(plan=plan, user=job.created_by)
        finish(
            job,
            status=JobStatus.SUCCEEDED,
            done=len(rows),
            finished_at=timezone.now(),
            errors=[],
            summary={**summary, **counts, "errors": 0, "phase": ""},
        )
        record_event(
            actor=job.created_by,
            action=f"import.{sheet.key}",
            target=job,
            detail={"rows": len(rows), **counts},
        )
    discard_input(job)
