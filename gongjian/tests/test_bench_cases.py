"""bench/case_intake.py run tiny on the test database: the reader reads a page while the writers report
and whistle cases through the actions at the rate asked; the rows compare the page alone and under
writing and the rate achieved with the rate asked; the bench's cases are gone afterwards. (The real
run reads over HTTP from gunicorn in a forked process; here a thread reads through the test client.)"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import case_intake as ci  # noqa: E402

from conftest import build_cast  # noqa: E402


def test_a_phase_reads_alone_and_under_writing(transactional_db):
    from django.test import Client

    from accounts.second_factor_actions import sign_in_verified
    from cases.models import Case, CaseState

    cast = build_cast()
    client = Client()
    sign_in_verified(client, cast.street)

    def read() -> int:
        return client.get("/").status_code

    alone = ci.phase(read, None, seconds=0.5, separate=False)
    assert alone.written == 0 and alone.writes is None and alone.page.samples
    intake = ci.Intake(cast.street)
    loaded = ci.phase(read, intake.write, seconds=1.5, rate=4, workers=1, separate=False)
    assert loaded.failed == []
    assert loaded.written == 6 and len(loaded.writes.samples) == 6
    assert 0 < loaded.rate <= 4.5
    bench = Case.objects.filter(external_id__startswith=ci.MARK)
    assert bench.count() == 6 and set(bench.values_list("state", flat=True)) == {CaseState.DISPATCHED}
    assert all(c.dispatches.count() == 1 for c in bench)

    page, writes = ci.rows(alone, loaded, page="/", rate=4, seconds=1.5, workers=1)
    assert page.ratio == pytest.approx(loaded.page.p50 / alone.page.p50)
    assert "p95" in page.note and "alone" in page.baseline
    assert writes.baseline == "4/s asked" and writes.ratio == pytest.approx(loaded.rate / 4)
    assert ci.forget_bench_cases() >= 6
    assert not Case.objects.filter(external_id__startswith=ci.MARK).exists()


def test_read_loop_counts_what_is_not_200():
    answers = itertools.chain([200, 500, 200], itertools.repeat(200))  # as many reads as 10 ms allow
    samples, errors = ci.read_loop(lambda: next(answers), 0.01)
    assert errors == 1 and len(samples) >= 2
