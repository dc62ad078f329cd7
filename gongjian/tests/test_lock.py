"""Installs are reproducible: every dependency pyproject.toml names is pinned, at a version its range
allows, in the lock files `make lock` writes (requirements/lock.txt for running, test-lock.txt for the
tests). Reads files only: no network."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(name: str) -> dict[str, Version]:
    """The lock file's ``name==version`` lines, by normalised name (uv writes nothing else unindented)."""
    found = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # exactly one pin, no range
        assert spec.operator == "==", f"{name}: {line} is not a pin"
        found[canonicalize_name(requirement.name)] = Version(spec.version)
    return found


def declared(*, test: bool) -> list[Requirement]:
    named = [Requirement(r) for r in PROJECT["dependencies"]]
    if test:
        named += [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
    return named


@pytest.mark.parametrize(("lock", "test"), [("lock.txt", False), ("test-lock.txt", True)])
def test_every_dependency_is_pinned_within_its_range(lock, test):
    pinned = pins(lock)
    missing, outside = [], []
    for requirement in declared(test=test):
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            missing.append(requirement.name)
        elif not requirement.specifier.contains(version, prereleases=True):
            outside.append(f"{requirement.name}=={version} (pyproject: {requirement.specifier})")
    assert not missing, f"not in requirements/{lock}: {missing}; run `make lock`"
    assert not outside, f"requirements/{lock} is older than pyproject.toml: {outside}; run `make lock`"


def test_the_test_lock_runs_the_same_versions_as_production():
    running, testing = pins("lock.txt"), pins("test-lock.txt")
    differ = {name: (v, testing.get(name)) for name, v in running.items() if testing.get(name) != v}
    assert not differ, f"the test lock must keep the runtime pins: {differ}; run `make lock`"


def test_extras_bring_their_packages():
    """``psycopg[binary]`` must pin psycopg-binary too, or production would build psycopg from source."""
    pinned = pins("lock.txt")
    assert "psycopg-binary" in pinned and pinned["psycopg-binary"] == pinned["psycopg"]
