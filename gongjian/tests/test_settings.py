"""Settings helpers fail loudly on bad values; the console command maps names to Django's commands."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongjian import cli
from gongjian.env import envbool, envint, envlist, envstr


def test_envbool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert envbool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", False)


def test_envint_envlist_envstr(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert envint("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured):
        envint("X_NUM", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert envlist("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_STR", "")
    assert envstr("X_STR", "default") == "default"


def test_console_command_maps_dashes(monkeypatch):
    called = {}
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: called.update(argv=argv)
    )
    cli.main(["gongjian", "demo-city", "--members", "10"])
    assert called["argv"] == ["gongjian", "demo_city", "--members", "10"]
    cli.main(["gongjian", "run-worker"])
    assert called["argv"] == ["gongjian", "run_huey"]
