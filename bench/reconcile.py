"""Reconciliation for the city: the city's check-in rate as checkin.reconciliation computes it,
beside the raw anti-join (in-service members with NOT EXISTS a check-in that counts).

Measured: ``rates(area=city, start=, end=)`` over this month — the rate the reconciliation
page shows for the city (its denominator also counts members with no home whose unit is paired in
the city, which the anti-join leaves out: the baseline is the lighter of the two). Baseline:
``baselines.reported_anti_join`` for the city's subtree and the same period.
"""

from __future__ import annotations

import baselines as b
from measure import RECONCILIATION_RATIO, Row, ratio, timed


def run(user, *, requests: int) -> list[Row]:
    from checkin.reconciliation import Period, rates
    from places.models import Area, AreaLevel

    city = Area.objects.get(level=AreaLevel.CITY)
    period = Period.of("month")  # the page's default period
    first, today = period.start, period.end
    start_at, end_at = period.bounds()
    del user  # the city's figures are the same for anyone who may see the city
    app = timed(lambda: rates(area=city, start=first, end=today), requests=requests)
    statement = b.reported_anti_join(b.Scope("city", path=city.path, area_id=city.pk), start_at, end_at)
    sql = timed(lambda: b.run_statements([statement]), requests=requests)
    r = ratio(app.p50, sql.p50)
    rate = rates(area=city, start=first, end=today)
    return [
        Row(
            "reconciliation · city rate",
            measured=f"{app} ({rate.reported:,}/{rate.members:,})",
            baseline=str(sql),
            ratio=r,
            target=f"≤ {RECONCILIATION_RATIO:g}×",
            ok=r is not None and r <= RECONCILIATION_RATIO,
        )
    ]
