"""With DEBUG off, the web process refuses to start until the static files are collected."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongjian.startup import require_collected_static

MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def test_no_manifest_no_start(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    with pytest.raises(ImproperlyConfigured, match="run `gongjian collectstatic --noinput`"):
        require_collected_static()
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": "x"}')
    require_collected_static()


def test_development_storage_needs_no_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    require_collected_static()
