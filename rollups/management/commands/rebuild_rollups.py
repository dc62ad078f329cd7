"""``gongjian rebuild-rollups``: count every roll-up afresh from the source rows (docs/ROLLUPS.md).

Run it after writing rows behind the actions' back (a restore, a bulk load, SQL by hand); the nightly
task runs it too, so a period's tallies are ready before the first page asks."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from rollups.counting import rebuild


class Command(BaseCommand):
    help = "Count every roll-up (area figures) afresh from the source rows."

    def handle(self, *args, **options) -> None:
        written = rebuild(timezone.localdate())
        for name, count in sorted(written.items()):
            self.stdout.write(f"{name}: {count} tallies")
