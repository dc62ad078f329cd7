"""make bench's pure parts (bench/measure.py, bench/baselines.py, bench/search.py,
bench/external.py, bench/throughput.py's parsing), and its baseline SQL on the cast's small city: the
hand-written SQL must fetch the same rows the app shows, or its ratios compare different work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import baselines as b  # noqa: E402
import external  # noqa: E402
import measure as m  # noqa: E402
import search  # noqa: E402
import throughput  # noqa: E402


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(20, 0, -1)]
    assert m.percentile(values, 0.95) == 19
    assert m.percentile(values, 0.5) == 10
    assert m.percentile(values, 1.0) == 20
    assert m.percentile([7.0], 0.95) == 7
    with pytest.raises(ValueError):
        m.percentile([], 0.95)


def test_median_and_ratio():
    assert m.median([3.0, 1.0, 2.0]) == 2
    assert m.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert m.ratio(30.0, 10.0) == 3
    assert m.ratio(5.0, 0.0) is None
    timing = m.Timing([1.0, 2.0, 3.0, 100.0])
    assert (timing.p50, timing.p95) == (2.5, 100.0)
    assert str(timing) == "p50 2.5 / p95 100.0 ms"


def test_timed_warms_up_then_times():
    calls = []
    timing = m.timed(lambda: calls.append(1), requests=5, warmup=2)
    assert len(calls) == 7
    assert len(timing.samples) == 5


def test_slow_pages_get_fewer_requests_never_below_the_floor():
    assert m.budget(20, 0.05) == (3, 20)
    assert m.budget(20, 2.0) == (1, 10)
    assert m.budget(20, 9.0) == (1, 5)


def test_page_target_is_every_limit_at_once():
    good = {"p95_ms": 150.0, "ratio": 3.0, "queries": 20, "size_bytes": 150 * 1024}
    assert m.page_ok(**good)
    for key, bad in [
        ("p95_ms", 150.1),
        ("ratio", 3.01),
        ("ratio", None),
        ("queries", 21),
        ("size_bytes", 150 * 1024 + 1),
    ]:
        assert not m.page_ok(**{**good, key: bad}), key


def test_tables():
    rows = [
        m.Row("city · members", "p50 1.0 / p95 2.0 ms", "p50 0.5 / p95 1.0 ms", 2.0, "≤ 3×", True),
        m.Row("export", note="not yet: a|b"),
    ]
    md = m.markdown_table(rows).splitlines()
    assert md[0] == "| bench | measured | baseline | ratio | target | ok |"
    assert md[2] == "| city · members | p50 1.0 / p95 2.0 ms | p50 0.5 / p95 1.0 ms | 2.00× | ≤ 3× | yes |"
    assert md[3] == "| export | — (not yet: a\\|b) | — | — |  | — |"
    text = m.text_table(rows).splitlines()
    assert len({len(line) for line in text}) == 1  # header as wide as its rule
    assert m.Row("x", ok=False).cells()[-1] == "NO"


def test_ranges():
    assert b.prefix_range("m.name_initials", "zh") == (
        "(m.name_initials >= %s AND m.name_initials < %s)",
        ["zh", "zi"],
    )
    assert b.path_range("path", "350800.350802.") == (
        "(path >= %s AND path < %s)",
        ["350800.350802.", "350800.350802/"],
    )
    assert search.search_sql("phone", "1234")[1] == ["1234"]
    with pytest.raises(ValueError):
        search.search_sql("email", "x")


def test_other_benches_rows():
    row = external.as_row({"measured": 12, "ratio": "0.5", "ok": 1, "extra": "ignored"}, "export")
    assert (row.bench, row.measured, row.ratio, row.ok) == ("export", "12", 0.5, True)
    exports = external.as_row(
        {"name": "export .csv", "seconds": 2, "baseline_seconds": 1, "unit": "MB"}, "export"
    )
    assert (exports.bench, exports.measured, exports.baseline) == ("export .csv", "2.0 MB", "1.0 MB")
    assert external.run("no_such_bench", "roster import", "postgres://x/gj_bench", 10)[0].note.startswith(
        "not yet"
    )


def test_wrk_output():
    out = "Running 10s test\n  8 threads\nRequests/sec:    276.41\nTransfer/sec:      1.2MB\n"
    assert throughput.requests_per_second(out) == 276.41
    with pytest.raises(RuntimeError):
        throughput.requests_per_second("  Non-2xx or 3xx responses: 12\n" + out)


# --- the baselines fetch what the app shows ------------------------------------------------------


def _scope(level, user):
    grant = user.role_grants.select_related("area").get()
    if grant.unit_id:
        return b.Scope(level, unit_id=grant.unit_id)
    return b.Scope(level, path=grant.area.path, area_id=grant.area_id)


def _rows(statement):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


@pytest.mark.parametrize("who", ["orgdept", "street", "community", "unit"])
def test_member_and_unit_baselines_are_the_visible_rows(cast, who):
    from orgs.models import Unit
    from people.models import Member

    user = getattr(cast, who)
    scope = _scope(who, user)
    rows, count = b.members_list(scope, 25)
    expected = list(Member.objects.visible_to(user).values_list("public_id", flat=True)[:25])
    assert expected and [str(r[0]).replace("-", "") for r in _rows((rows[0], rows[1]))] == [
        e.hex for e in expected
    ]
    assert _rows(count)[0][0] == Member.objects.visible_to(user).count()
    units, unit_count = b.units_list(scope, 25)
    assert {str(r[0]).replace("-", "") for r in _rows(units)} == {
        u.hex for u in Unit.objects.visible_to(user).values_list("public_id", flat=True)
    }
    assert _rows(unit_count)[0][0] == Unit.objects.visible_to(user).count()


@pytest.mark.parametrize("who", ["orgdept", "street", "community"])
def test_resident_baseline_is_the_visible_rows(cast, who):
    from people.models import Resident

    user = getattr(cast, who)
    rows, count = b.residents_list(_scope(who, user), 25)
    assert [str(r[0]).replace("-", "") for r in _rows(rows)] == [
        p.hex for p in Resident.objects.visible_to(user).values_list("public_id", flat=True)
    ]
    assert _rows(count)[0][0] == Resident.objects.visible_to(user).count()


def test_search_baseline_finds_what_search_finds(cast):
    from people.models import Member

    for kind, text in [("initials", "zs"), ("name", "张"), ("phone", cast.m_member.phone_hint[-4:])]:
        found = [str(r[0]).replace("-", "") for r in _rows(search.search_sql(kind, text))]
        expected = [p.hex for p in Member.objects.search(text).values_list("public_id", flat=True)[:25]]
        assert found == expected and found, kind


def test_anti_join_counts_the_unreported_in_service_members(cast):
    from checkin.reconciliation import Period, rates

    period = Period.of("month")
    start, end = period.bounds()
    for area in (cast.places.city, cast.places.street_a, cast.places.a1):
        scope = b.Scope("x", path=area.path, area_id=area.pk)
        members, unreported = _rows(b.reported_anti_join(scope, start, end))[0]
        rate = rates(area=area, start=period.start, end=period.end)
        assert (members, members - (unreported or 0)) == (rate.members, rate.reported)


def test_every_page_baseline_runs(cast):
    from checkin.reconciliation import Period

    start, end = Period.of("month").bounds()
    for who in ["orgdept", "street", "community", "unit"]:
        scope = _scope(who, getattr(cast, who))
        for statements in [
            b.home_figures(scope),
            b.area_figures(scope),
            b.reconciliation(scope, start, end),
            b.rankings(scope, 100, start, end),
            b.needs_list(scope, 25),
            b.service_records_list(scope, 50),
        ]:
            b.run_statements(statements)
    street = _scope("street", cast.street)
    members = _rows(b.area_figures(street)[1])
    # 张三丰, 李四, 赵六 and 钱七 live in street A; 钱七 is retired
    assert (sum(n for _, n, _ in members), sum(s for _, _, s in members)) == (4, 3)
