"""``gongjian restore FILE``: put a backup back into an empty database and prove it (docs/BACKUP.md)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.actions import record_event
from audit.models import Outcome
from ops.archive import CorruptArchive
from ops.databases import DatabaseToolError
from ops.management.commands.backup import SYSTEM
from ops.restore import Restored, RestoreRefused, restore_backup

logger = logging.getLogger("gongjian.ops")


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # runs from a timer or in an emergency: no URL and API set-up
    help = (
        "Restore a backup made by `gongjian backup` into an empty database and MEDIA_ROOT, then verify "
        "every table's row count and checksum against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .tar file `gongjian backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="DANGEROUS: wipe the target database (its whole public schema) and MEDIA_ROOT first",
        )

    def handle(self, *args, **options):
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(_("No such backup file: %(path)s") % {"path": archive})
        try:
            restored = restore_backup(archive=archive, force=options["force"])
        except CorruptArchive as exc:
            logger.error("restore refused, %s is corrupt: %s", archive, exc)
            raise CommandError(_("Restore refused, nothing was changed: %(why)s") % {"why": exc}) from exc
        except RestoreRefused as exc:
            logger.error("restore of %s refused: %s", archive, exc)
            raise CommandError(_("Restore refused, nothing was changed:\n%(why)s") % {"why": exc}) from exc
        except DatabaseToolError as exc:
            logger.error("restore of %s failed: %s", archive, exc)
            raise CommandError(
                _("The restore failed while loading the database: %(error)s") % {"error": exc}
            ) from exc
        self.stdout.write(self.report(restored))
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="ops.restore",
            outcome=Outcome.SUCCESS if restored.ok else Outcome.FAILURE,
            detail={
                "file": archive.name,
                "backup_created_at": restored.manifest.get("created_at"),
                "force": options["force"],
                "tables": len(restored.checks),
                "differences": [check.table for check in restored.differences],
            },
        )
        if not restored.ok:
            logger.error(
                "restore of %s does not match its manifest: %s",
                archive,
                [check.table for check in restored.differences],
            )
            raise CommandError(
                _(
                    "The restored database does NOT match the backup (%(count)s table(s) differ%(migrations)s). "
                    "Do not use it: restore again into a new database."
                )
                % {
                    "count": len(restored.differences),
                    "migrations": "" if restored.migrations_match else _(", and the applied migrations"),
                }
            )
        logger.info("restored %s: %s tables verified", archive, len(restored.checks))
        self.stdout.write(
            _(
                "Restored and verified: %(count)s tables match the backup of %(at)s. Next: `gongjian migrate` "
                "if this version is newer than the backup's."
            )
            % {"count": len(restored.checks), "at": restored.manifest.get("created_at")}
        )

    @staticmethod
    def report(restored: Restored) -> str:
        header = (_("table"), _("rows in backup"), _("rows restored"), _("checksum"))
        rows = [
            (
                check.table,
                str(check.backup_rows if check.backup_rows is not None else "-"),
                str(check.restored_rows if check.restored_rows is not None else "-"),
                _("same") if check.same else _("DIFFERENT"),
            )
            for check in restored.checks
        ]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
        lines = [
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in [header, *rows]
        ]
        return "\n".join(lines)
