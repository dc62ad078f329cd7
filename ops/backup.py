"""``gongjian backup``: one archive of the database, the uploaded files and the manifest."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ops.archive import ArchiveWriter, sha256_of
from ops.checksums import METHODS
from ops.databases import dump, vendor
from ops.manifest import FORMAT, running_fingerprints


class BackupError(Exception):
    """The backup cannot be written where it was asked for."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


def project_version() -> str:
    try:
        return version("gongjian")
    except PackageNotFoundError:
        return "unknown"


def make_backup(*, to: Path, now: datetime | None = None) -> Backup:
    """Write ``gongjian-backup-<UTC time>.tar`` into ``to``. Everything is written inside a temporary
    folder there and the archive renamed into place when complete: a failure (pg_dump's, a full
    disk) leaves nothing behind but the exception."""
    now = now or datetime.now(UTC)
    media = Path(settings.MEDIA_ROOT).resolve()
    if to.resolve() == media or media in to.resolve().parents:
        raise BackupError(
            _("The backup folder %(to)s is inside MEDIA_ROOT: it would back itself up.") % {"to": to}
        )
    to.mkdir(parents=True, exist_ok=True)
    final = to / f"gongjian-backup-{now:%Y%m%dT%H%M%SZ}.tar"
    work = Path(tempfile.mkdtemp(prefix=".gongjian-backup-", dir=to))
    try:
        os.chmod(work, 0o700)
        dump_file, snapshot = dump(work)
        partial = work / "archive.tar"
        with partial.open("wb") as raw:
            os.chmod(partial, 0o600)  # ciphertexts and keyed hashes of people's numbers: owner only
            with tarfile.open(fileobj=raw, mode="w:", format=tarfile.PAX_FORMAT) as tar:
                writer = ArchiveWriter(tar)
                writer.add_file(dump_file, dump_file.name)
                dump_file.unlink()
                writer.add_media(Path(settings.MEDIA_ROOT))
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(),
                    "gongjian": project_version(),
                    "engine": vendor(),
                    "database": dump_file.name,
                    "migrations": snapshot.migrations,
                    "checksum_method": METHODS[vendor()],
                    "tables": {name: figures.as_dict() for name, figures in snapshot.tables.items()},
                    "keys": running_fingerprints(),
                }
                manifest = writer.add_manifest(manifest)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Backup(final, final.stat().st_size, sha256_of(final), manifest)
