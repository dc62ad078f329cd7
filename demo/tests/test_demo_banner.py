"""`make demo PORT=8101` prints the address it really serves on, in every banner line."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from demo.tests.test_demo_city import TINY, build


def test_the_makefile_passes_its_host_and_port_to_the_banners():
    assert shutil.which("make"), "make is needed for `make demo`"
    dry_run = subprocess.run(
        ["make", "-n", "demo", "HOST=0.0.0.0", "PORT=8101"],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gongjian demo-city --url http://0.0.0.0:8101" in dry_run
    assert "gongjian demo-accounts --url http://0.0.0.0:8101" in dry_run
    assert "runserver 0.0.0.0:8101" in dry_run
    assert "8000" not in dry_run


def test_the_banners_print_the_address_given(db):
    text = build(url="http://0.0.0.0:8101", **TINY)
    assert "http://0.0.0.0:8101" in text and "8000" not in text
    out = StringIO()
    call_command("demo_accounts", stdout=out, url="http://0.0.0.0:8101")
    assert "打开 / Open: http://0.0.0.0:8101" in out.getvalue() and "8000" not in out.getvalue()
