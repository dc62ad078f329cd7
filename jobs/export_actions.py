"""Writes for exports: export a list at once or through a background job, run that job, download.

An export is a .xlsx or a .csv (``jobs.export_files.FORMATS``); the job's params and its audit rows
say which. On SQLite the background run reads its rows a batch at a time rather than through one
long cursor: a connection that writes (the progress) while its own read is still open fails at once
with "database is locked" if anyone else wrote in between, and the progress page being polled
writes (the session) every two seconds. On PostgreSQL it streams its rows a chunk at a time on a
connection of its own (``jobs.export_values.read_apart``), so memory stays flat however long the
list and the run's own connection stays free for the progress.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actions import record_event
from jobs.export_files import DEFAULT_FORMAT, file_format
from jobs.exports import ExportSpec, clean_filters, get_spec
from jobs.models import Job, JobKind, JobStatus
from jobs.running import JobAborted, JobSuperseded, enqueue, finish, progress, update

PROGRESS_EVERY = 500


@dataclass
class InlineExport:
    filename: str
    content: bytes
    rows: int
    format: str = DEFAULT_FORMAT

    @property
    def content_type(self) -> str:
        return file_format(self.format).content_type


def export_list(
    *, acting_user, spec: ExportSpec, query: QueryDict, fmt: str = DEFAULT_FORMAT, request=None
) -> InlineExport | Job:
    """Export a list as the user filtered it, as .xlsx or .csv (``fmt``): at once if small, else
    through a background job."""
    if not spec.allowed(acting_user):
        raise PermissionDenied
    fmt = file_format(fmt).name
    queryset = spec.filtered(acting_user, query, request=request)
    count = queryset.count()
    filters = clean_filters(query)
    if count <= settings.EXPORT_INLINE_MAX_ROWS:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
            rows = spec.export(out, queryset, fmt=fmt)
            out.seek(0)
            content = out.read()
        record_event(
            actor=acting_user,
            action=f"export.{spec.name}",
            request=request,
            detail={"rows": rows, "filters": filters, "inline": True, "format": fmt},
        )
        return InlineExport(spec.filename(fmt), content, rows, fmt)
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
                "format": fmt,
            },
        )
        record_event(
            actor=acting_user,
            action="export.start",
            target=job,
            request=request,
            detail={"export": spec.name, "rows": count, "filters": filters, "format": fmt},
        )
        enqueue(job)
    return job


def run_export(job: Job) -> None:
    """The background run of an export job (called by ``jobs.actions.run_job``, which handles failures)."""
    spec = get_spec(job.params.get("export", ""))
    if spec is None:
        raise ValueError("unknown export")
    user = job.created_by
    if not spec.allowed(user):
        raise JobAborted(_("Your role no longer allows this export."))
    queryset = spec.filtered(user, QueryDict(job.params.get("query", "")))
    update(job, total=queryset.count())
    report = progress(job, "writing")

    def counted(rows):
        for index, obj in enumerate(rows, start=1):
            if index % PROGRESS_EVERY == 0:
                report(index)
            yield obj

    fmt = file_format(job.params.get("format")).name
    batched = connection.vendor != "postgresql"
    with tempfile.TemporaryFile() as out:
        rows = spec.export(out, queryset, fmt=fmt, batched=batched, each=counted)
        out.seek(0)
        try:
            with transaction.atomic():
                job.result_file.save(f"{job.public_id}.{fmt}", File(out), save=False)
                finish(
                    job,
                    result_file=job.result_file.name,
                    status=JobStatus.SUCCEEDED,
                    done=rows,
                    total=rows,
                    finished_at=timezone.now(),
                    summary={"rows": rows, "phase": ""},
                    params={**job.params, "filename": spec.filename(fmt), "format": fmt},
                )
                record_event(
                    actor=user,
                    action=f"export.{spec.name}",
                    target=job,
                    detail={
                        "rows": rows,
                        "filters": job.params.get("filters", {}),
                        "inline": False,
                        "format": fmt,
                    },
                )
        except JobSuperseded:
            job.result_file.delete(save=False)
            raise


def record_download(*, acting_user, job: Job, request=None) -> None:
    record_event(
        actor=acting_user,
        action="job.download",
        target=job,
        request=request,
        detail={
            "kind": job.kind,
            "export": job.params.get("export", ""),
            "format": job.params.get("format", ""),
        },
    )
