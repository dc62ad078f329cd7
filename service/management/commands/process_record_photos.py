"""``gongjian process-record-photos``: strips the metadata (EXIF: location, time, device) of service
photos stored before photos were processed on upload, and makes their phone and thumbnail sizes. Run
once after upgrading (docs/SERVICE.md); running it again changes nothing. A file that cannot be read
is named and left as it was (it is not served until someone removes or replaces it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from service.models import RecordPhoto
from service.records.imaging import UnreadablePhoto
from service.records.photo_actions import process_stored_photo


class Command(BaseCommand):
    help = "Strip EXIF from service photos stored before it was done on upload, and make their sizes."

    def handle(self, *args, **options):
        done, unreadable = 0, []
        for photo in RecordPhoto.objects.unprocessed().order_by("pk").iterator(chunk_size=200):
            try:
                if process_stored_photo(photo=photo):
                    done += 1
            except (UnreadablePhoto, FileNotFoundError) as exc:
                reason = exc.reason if isinstance(exc, UnreadablePhoto) else "missing"
                unreadable.append(f"{photo.image.name} ({reason})")
        self.stdout.write(f"Processed {done} photo(s); {len(unreadable)} could not be read.")
        for name in unreadable:
            self.stderr.write(f"  not processed: {name}")
