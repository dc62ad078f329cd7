"""The harness's pure parts: percentiles, ratios, the targets of issue 12 and the result table.

Nothing here touches a database, so bench/tests can pin it quickly.
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Issue 12's targets.
PAGE_P95_MS = 150
PAGE_RATIO = 3.0
PAGE_QUERIES = 20
PAGE_KB = 150
SEARCH_RATIO = 2.0
THROUGHPUT_SHARE = 0.5
RECONCILIATION_RATIO = 2.0
TIER_MINUTES = 20
PAGE_TARGET = f"p95 ≤ {PAGE_P95_MS} ms, ≤ {PAGE_RATIO:g}×, ≤ {PAGE_QUERIES} q, ≤ {PAGE_KB} KB"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1): the smallest value with at least that share of
    the values at or below it; p95 of 20 timings is the 19th fastest, never an interpolation."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def ratio(measured: float, baseline: float) -> float | None:
    """measured ÷ baseline, or None when the baseline took no measurable time."""
    return measured / baseline if baseline > 0 else None


@dataclass(frozen=True)
class Timing:
    """Warm timings of one thing, in milliseconds."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    def __str__(self) -> str:
        return f"p50 {self.p50:.1f} / p95 {self.p95:.1f} ms"


def timed(run: Callable[[], object], *, requests: int, warmup: int = 3) -> Timing:
    """``warmup`` untimed calls (caches, plans, connections), then ``requests`` timed ones."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples)


def budget(requests: int, first_seconds: float, *, seconds: float = 20.0, floor: int = 5) -> tuple[int, int]:
    """(warm-ups, timed requests) for a page whose first answer took ``first_seconds``: as asked
    while the page is quick; a slow page gets one warm-up and as many requests as fit in
    ``seconds``, never fewer than ``floor`` (its p95 is then the slowest of those, said in its row)."""
    if first_seconds * (requests + 3) <= seconds:
        return 3, requests
    return 1, max(floor, min(requests, int(seconds / max(first_seconds, 1e-9))))


def page_ok(*, p95_ms: float, ratio: float | None, queries: int, size_bytes: int) -> bool:
    """Issue 12's page target: p95 ≤ 150 ms, ≤ 3× its SQL, ≤ 20 queries, ≤ 150 KB."""
    return (
        p95_ms <= PAGE_P95_MS
        and ratio is not None
        and ratio <= PAGE_RATIO
        and queries <= PAGE_QUERIES
        and size_bytes <= PAGE_KB * 1024
    )


@dataclass
class Row:
    """One line of the table. ``ok`` None: no verdict (not measured, or no target at this size)."""

    bench: str
    measured: str = "—"
    baseline: str = "—"
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        verdict = {True: "yes", False: "NO", None: "—"}[self.ok]
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}×"
        measured = self.measured if not self.note else f"{self.measured} ({self.note})"
        return [self.bench, measured, self.baseline, ratio, self.target, verdict]


HEADINGS = ["bench", "measured", "baseline", "ratio", "target", "ok"]


def markdown_table(rows: list[Row]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(HEADINGS), "|---|---:|---:|---:|---|---|", *(line(r.cells()) for r in rows)])


def text_table(rows: list[Row]) -> str:
    """The same table for a terminal: columns padded to their widest cell."""
    table = [HEADINGS, *(r.cells() for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADINGS))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def git_commit() -> str:
    try:
        out = subprocess.run(  # noqa: S603
            ["git", "describe", "--always", "--dirty"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())
