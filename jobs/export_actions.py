"""Writes for exports: export a list at once or through a background job, run that job, download.

The background run reads its rows a batch at a time (``rows_in_batches``) rather than through one
long cursor: on SQLite, a connection that writes (the progress) while its own read is still open
fails at once with "database is locked" if anyone else wrote in between, and the progress page
being polled writes (the session) every two seconds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actions import record_event
from jobs.exports import ExportSpec, clean_filters, get_spec
from jobs.models import Job, JobKind, JobStatus
from jobs.running import JobAborted, JobSuperseded, enqueue, finish, progress, update

PROGRESS_EVERY = 500
BATCH = 1000


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
        enqueue(job)
    return job


def rows_in_batches(queryset: QuerySet, size: int = BATCH) -> Iterator:
    """The queryset's objects in its order, each batch read whole, so no cursor stays open between."""
    ids = list(dict.fromkeys(queryset.values_list("pk", flat=True)))
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        found = queryset.in_bulk(batch)
        yield from (found[pk] for pk in batch if pk in found)


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

    with tempfile.TemporaryFile() as out:
        rows = spec.write(out, counted(rows_in_batches(queryset)))
        out.seek(0)
        try:
            with transaction.atomic():
                job.result_file.save(f"{job.public_id}.xlsx", File(out), save=False)
                finish(
                    job,
                    result_file=job.result_file.name,
                    status=JobStatus.SUCCEEDED,
                    done=rows,
                    total=rows,
                    finished_at=timezone.now(),
                    summary={"rows": rows, "phase": ""},
                    params={**job.params, "filename": spec.filename()},
                )
                record_event(
                    actor=user,
                    action=f"export.{spec.name}",
                    target=job,
                    detail={"rows": rows, "filters": job.params.get("filters", {}), "inline": False},
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
        detail={"kind": job.kind, "export": job.params.get("export", "")},
    )
