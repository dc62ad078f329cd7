"""Helpers the tests share (the fixtures are in the root conftest.py, which re-exports these).

``from gongjian.testing import item, refusals, together``: a menu item by code; a check that a refused
action changed nothing; calls run in threads at the same moment (PostgreSQL concurrency tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

# The PostgreSQL server allows 100 connections and other test runs share it: at most this many threads
# of one ``together`` hold a connection at a time.
AT_ONCE = 20


def id_number(n: int) -> str:
    """A valid ID card number (check character included) for person ``n``, born in 新罗区 in 1980."""
    from gongjian.privacy import id_check_char

    first17 = f"3508021980{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
    return first17 + id_check_char(first17)


def item(code: str = "home_repair"):
    """The city-wide menu item ``code`` (the menu comes from service's data migration)."""
    from service.models import ServiceCategory

    return ServiceCategory.objects.get(code=code, city__isnull=True)


def row_counts(models) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


def reread(obj) -> dict:
    """The row of ``obj`` as the database holds it now."""
    return type(obj).objects.filter(pk=obj.pk).values().get()


def refusals(watched) -> Callable:
    """``refused = refusals(WATCHED)`` → ``with refused(PermissionDenied, "message", need, ...):``.

    The call inside must raise ``kind`` with ``message`` in its text, and nothing may move in the
    database: the row counts of the ``watched`` models and the rows of the objects given stay as they were.
    """

    @contextmanager
    def refused(kind, message: str, *objects):
        before, states = row_counts(watched), [reread(o) for o in objects]
        with pytest.raises(kind) as info:
            yield info
        text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
        assert message in text
        assert row_counts(watched) == before
        assert [reread(o) for o in objects] == states

    return refused


def together(*calls: Callable, at_once: int = AT_ONCE, timeout: float = 30) -> list[tuple[str, object]]:
    """Run the calls in threads started at once (a barrier); each result is ("ok", value) or
    ("error", exception), in the order of the calls. Each thread closes its connections when done."""
    start = threading.Barrier(len(calls))
    seats = threading.BoundedSemaphore(at_once)
    results: list[tuple[str, object]] = [("", None)] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=timeout)
            with seats:
                try:
                    results[index] = ("ok", call())
                finally:
                    connections.close_all()
        except Exception as exc:  # noqa: BLE001 — the test looks at what each thread got
            results[index] = ("error", exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 4)
    return results
