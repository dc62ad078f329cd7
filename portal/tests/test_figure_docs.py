"""Every figure and every to-do item kind is written down in docs/FIGURES.md with its definition."""

from pathlib import Path

from gongjian.figures import definitions
from gongjian.work import providers

DOC = (Path(__file__).resolve().parents[2] / "docs" / "FIGURES.md").read_text(encoding="utf-8")


def test_every_figure_is_documented():
    keys = set(definitions())
    assert {"members", "in_service", "reported", "rate", "not_reported"} <= keys
    assert [key for key in sorted(keys) if f"`{key}`" not in DOC] == []


def test_every_to_do_provider_is_documented():
    modules = {provider.__module__.replace(".", "/") + ".py" for provider in providers()}
    assert {"checkin/work.py", "service/work.py", "points/work.py", "jobs/work.py"} <= modules
    assert [m for m in sorted(modules) if m not in DOC] == []
