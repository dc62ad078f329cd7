"""Writes of the city set-up: areas from the national division list, and set-up files (upload,
confirm). The files' rows are written by their sheets (``golive.running``), each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.scope import scope_for
from audit.actions import record_event
from audit.models import Outcome
from golive.catalogue import SHEETS
from golive.divisions import city_tree, communities_of
from golive.sheets import Sheet
from jobs.actions import refuse_upload, store_input
from jobs.models import Job, JobKind, JobStatus
from jobs.roster_files import RosterFileError, check_upload
from jobs.running import enqueue
from places.actions import create_area, create_areas
from places.models import Area, AreaLevel

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User


def may_set_up(user: User) -> bool:
    """The city set-up (divisions and every file) is the platform administrator's."""
    return scope_for(user).everything


def may_import(user: User, sheet: Sheet) -> bool:
    """The platform administrator imports every sheet; a sheet's own roles (a community: its residents) theirs."""
    return may_set_up(user) or bool(sheet.roles and scope_for(user).has(*sheet.roles))


@dataclass(frozen=True)
class DivisionsSetUp:
    created: int
    kept: int


def _get_or_create(
    acting_user: User, code: str, name: str, level: str, parent: Area | None, request: HttpRequest | None
) -> tuple[Area, bool]:
    area = Area.objects.filter(code=code).first()
    if area is not None:
        if area.level != level:
            raise ValidationError(
                _("Area %(code)s exists already as a %(level)s.")
                % {"code": code, "level": area.get_level_display()}
            )
        return area, False
    return create_area(
        acting_user=acting_user, code=code, name=name, level=level, parent=parent, request=request
    ), True


@transaction.atomic
def set_up_divisions(
    *, acting_user: User, city_code: str, street_codes: list[str], request: HttpRequest | None = None
) -> DivisionsSetUp:
    """Create the city, the chosen streets with their districts, and every community of those streets,
    from the national list. Areas that exist already are kept as they are: running it again creates
    only what is missing."""
    if not may_set_up(acting_user):
        raise PermissionDenied
    city = city_tree(city_code)
    streets = {s.code: (d, s) for d in city.districts for s in d.streets}
    unknown = [code for code in street_codes if code not in streets]
    if unknown:
        raise ValidationError(
            _("Not streets of %(city)s: %(codes)s.") % {"city": city.name, "codes": ", ".join(unknown)}
        )
    if not street_codes:
        raise ValidationError(_("Tick at least one district or street."))
    created = kept = 0
    city_area, new = _get_or_create(acting_user, city.code, city.name, AreaLevel.CITY, None, request)
    created, kept = created + new, kept + (not new)
    districts: dict[str, Area] = {}
    street_areas: dict[str, Area] = {}
    for code in sorted(street_codes):
        district, street = streets[code]
        if district.code not in districts:
            area, new = _get_or_create(
                acting_user, district.code, district.name, AreaLevel.DISTRICT, city_area, request
            )
            districts[district.code] = area
            created, kept = created + new, kept + (not new)
        area, new = _get_or_create(
            acting_user, street.code, street.name, AreaLevel.STREET, districts[district.code], request
        )
        street_areas[code] = area
        created, kept = created + new, kept + (not new)
    found = communities_of(sorted(street_codes))
    wanted = [c.code for items in found.values() for c in items]
    existing = set()
    for start in range(0, len(wanted), 900):
        existing |= set(
            Area.objects.filter(code__in=wanted[start : start + 900]).values_list("code", flat=True)
        )
    for code, items in found.items():
        missing = [(c.code, c.name) for c in items if c.code not in existing]
        if missing:
            create_areas(
                acting_user=acting_user, parent=street_areas[code], children=missing, request=request
            )
        created += len(missing)
        kept += len(items) - len(missing)
    record_event(
        actor=acting_user,
        action="golive.divisions",
        target=city_area,
        request=request,
        detail={"streets": sorted(street_codes), "created": created, "kept": kept},
    )
    return DivisionsSetUp(created=created, kept=kept)


@transaction.atomic
def upload_sheet(
    *, acting_user: User, sheet: Sheet, upload: UploadedFile, request: HttpRequest | None = None
) -> Job:
    """Store a set-up file in a job and queue its check; nothing is read or written yet."""
    if not may_import(acting_user, sheet):
        raise PermissionDenied
    filename = PurePath(upload.name or sheet.filename).name
    job = Job.objects.create(
        kind=JobKind.IMPORT_SETUP,
        status=JobStatus.QUEUED,
        created_by=acting_user,
        title=(_("Set-up import: %(sheet)s") % {"sheet": sheet.title})[:200],
        params={"sheet": sheet.key, "filename": filename, "lang": translation.get_language()},
    )
    try:
        check_upload(filename, upload.size or 0)
    except RosterFileError as exc:
        refuse_upload(job, str(exc))
    else:
        store_input(job, upload.read())
        enqueue(job)
    job.params = {**job.params, "page": reverse("golive:job", args=[job.public_id])}
    job.save(update_fields=["params"])
    record_event(
        actor=acting_user,
        action="golive.upload",
        target=job,
        request=request,
        outcome=Outcome.FAILURE if job.status == JobStatus.FAILED else Outcome.SUCCESS,
        detail={"sheet": sheet.key, "filename": filename, "bytes": upload.size},
    )
    return job


@transaction.atomic
def confirm_sheet(*, acting_user: User, job: Job, request: HttpRequest | None = None) -> Job:
    """Accept a clean preview: queue the write."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    sheet = SHEETS.get(job.params.get("sheet", ""))
    if job.kind != JobKind.IMPORT_SETUP or sheet is None or job.status != JobStatus.PREVIEW:
        raise ValidationError(_("This job is not waiting for confirmation."))
    if not may_import(acting_user, sheet) or job.created_by_id != acting_user.pk:
        raise PermissionDenied
    if job.errors or not job.summary.get("rows"):
        raise ValidationError(_("Correct the errors in the file and upload it again."))
    job.status = JobStatus.QUEUED
    job.params = {**job.params, "confirmed": True, "lang": translation.get_language()}
    job.save(update_fields=["status", "params"])
    record_event(actor=acting_user, action="golive.confirm", target=job, request=request)
    enqueue(job)
    return job
