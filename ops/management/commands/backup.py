"""``gongjian backup --to DIR``: the database, the uploaded files and a manifest in one archive
(docs/BACKUP.md)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from audit.actions import record_event
from audit.models import Outcome
from ops.archive import media_count
from ops.backup import BackupError, make_backup
from ops.databases import DatabaseToolError

SYSTEM = "system"  # the audit log's actor label for what the operator's commands do
logger = logging.getLogger("gongjian.ops")


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # runs from a timer or in an emergency: no URL and API set-up
    help = "Back up the database, the uploaded files and a manifest (row counts, checksums, key fingerprints) into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="the folder the archive is written into")

    def handle(self, *args, **options):
        try:
            backup = make_backup(to=options["to"])
        except (BackupError, DatabaseToolError, OSError) as exc:
            logger.error("backup failed: %s", exc)
            try:
                record_event(
                    actor=None,
                    actor_label=SYSTEM,
                    action="ops.backup",
                    outcome=Outcome.FAILURE,
                    detail={"to": str(options["to"]), "error": str(exc)[:500]},
                )
            except DatabaseError:  # the database itself is why: the log line above is the record
                logger.exception("the failed backup could not be audited")
            raise CommandError(
                _("The backup failed and nothing was written: %(error)s") % {"error": exc}
            ) from exc
        manifest = backup.manifest
        rows = sum(table["rows"] for table in manifest["tables"].values())
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="ops.backup",
            detail={
                "file": backup.path.name,
                "size": backup.size,
                "sha256": backup.sha256,
                "tables": len(manifest["tables"]),
                "rows": rows,
                "media_files": media_count(manifest),
            },
        )
        logger.info("backup written: %s (%s bytes, sha256 %s)", backup.path, backup.size, backup.sha256)
        self.stdout.write(
            _(
                "Backup written: %(path)s\n%(tables)s tables, %(rows)s rows, %(files)s uploaded files, %(size)s bytes, sha256 %(sha)s"
            )
            % {
                "path": backup.path,
                "tables": len(manifest["tables"]),
                "rows": rows,
                "files": media_count(manifest),
                "size": backup.size,
                "sha": backup.sha256,
            }
        )
