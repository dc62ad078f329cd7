"""What the web process checks before it answers anything (gongjian/wsgi.py)."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def require_collected_static() -> None:
    """With DEBUG off, pages name their static files through collectstatic's manifest: without it
    every page would answer 500. Refuse to start instead, and say what to run."""
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.manifest_storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"The static files have not been collected ({storage.location}/{storage.manifest_name} is "
            "missing): run `gongjian collectstatic --noinput` (after each upgrade), then start again."
        )
