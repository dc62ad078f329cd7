"""``gongjian restore``: check an archive, its keys and the target, put the database and the files
back, and prove it by recomputing every table's row count and checksum."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from ops.archive import MEDIA, unpack
from ops.checksums import METHODS
from ops.databases import DUMP_FILES, Snapshot, clear_target, load, read_target, tables_in_target, vendor
from ops.manifest import FORMAT, key_problems


class RestoreRefused(Exception):
    """The restore did not start: nothing was changed. The message says why."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    backup_rows: int | None
    restored_rows: int | None
    same: bool


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    checks: list[TableCheck]
    migrations_match: bool

    @property
    def differences(self) -> list[TableCheck]:
        return [check for check in self.checks if not check.same]

    @property
    def ok(self) -> bool:
        return self.migrations_match and not self.differences


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def refusals(manifest: dict[str, Any], *, force: bool) -> list[str]:
    """Every reason not to restore this backup here, in the order an operator fixes them."""
    if manifest.get("format") != FORMAT:
        return [
            _("The archive's format %(format)s is not one this version reads (%(ours)s).")
            % {"format": manifest.get("format"), "ours": FORMAT}
        ]
    problems = key_problems(manifest.get("keys") or {})
    engine = vendor()
    if manifest.get("engine") != engine:
        problems.append(
            _("The backup is of a %(backup)s database and the target is %(target)s.")
            % {"backup": manifest.get("engine"), "target": engine}
        )
    elif manifest.get("database") != DUMP_FILES[engine]:
        problems.append(_("The archive's manifest names no database dump of this engine."))
    elif manifest.get("checksum_method") != METHODS[engine]:
        problems.append(
            _("The backup's checksums were made another way (%(method)s); this version cannot verify them.")
            % {"method": manifest.get("checksum_method")}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known
    )
    if unknown:
        problems.append(
            _(
                "The backup was made by a newer version of Gongjian (migrations this one lacks: %(names)s): "
                "install that version, restore, then upgrade."
            )
            % {"names": ", ".join(unknown[:5])}
        )
    if not force:
        if tables_in_target():
            problems.append(
                _(
                    "The target database is not empty. Restore into a new database (createdb), or pass --force "
                    "to wipe this one first."
                )
            )
        if any(path.is_file() for path in media_root().rglob("*")):
            problems.append(
                _("MEDIA_ROOT (%(path)s) already holds files. Restore into an empty folder, or pass --force.")
                % {"path": media_root()}
            )
    return problems


def compare(manifest: dict[str, Any], restored: Snapshot) -> Restored:
    backup_tables: dict[str, dict[str, Any]] = manifest.get("tables", {})
    checks = []
    for table in sorted(backup_tables.keys() | restored.tables.keys()):
        before, after = backup_tables.get(table), restored.tables.get(table)
        checks.append(
            TableCheck(
                table,
                before["rows"] if before else None,
                after.rows if after else None,
                bool(before and after and before == after.as_dict()),
            )
        )
    return Restored(manifest, checks, restored.migrations == manifest.get("migrations"))


def put_media_back(source: Path) -> int:
    root = media_root()
    count = 0
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                count += 1
    return count


def clear_media() -> None:
    root = media_root()
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def restore_backup(*, archive: Path, force: bool = False) -> Restored:
    """Refuse (RestoreRefused, nothing changed) or restore and verify. The caller decides what a
    difference means (the command fails loudly)."""
    with tempfile.TemporaryDirectory(prefix="gongjian-restore-") as scratch:
        unpacked = Path(scratch)
        manifest = unpack(archive, unpacked)
        problems = refusals(manifest, force=force)
        if problems:
            raise RestoreRefused("\n".join(problems))
        if force:
            clear_target()
            clear_media()
        load(unpacked / str(manifest["database"]))
        put_media_back(unpacked / MEDIA)
    return compare(manifest, read_target())
