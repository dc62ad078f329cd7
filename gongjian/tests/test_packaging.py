"""The installed package carries every app: `gongjian` (the console script) imports through the
install, not the checkout, so an app left out of pyproject's package list works under pytest and
manage.py and fails in `make demo` (it did, for `rollups`). And every folder of tests is in pytest's
testpaths: `make test` (and CI) collect only those, so a new app's tests left out never run (they were
not, for `rollups` and `cases`, until this test)."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_app_is_in_the_installed_packages():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"
    ]
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(config.path).parts
    }
    assert ours, "no project apps found"
    missing = sorted(name for name in ours if not any(fnmatch(name, pattern) for pattern in patterns))
    assert missing == [], f"add to [tool.setuptools.packages.find] include: {missing}"


def test_every_folder_of_tests_is_collected():
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
        "testpaths"
    ]
    folders = {
        path.parent.parent.name
        for path in ROOT.glob("*/tests/__init__.py")
        if not {".venv", "node_modules"}.intersection(path.parts)
    }
    assert folders, "no test folders found"
    assert sorted(folders - set(testpaths)) == [], "add these to [tool.pytest.ini_options] testpaths"
