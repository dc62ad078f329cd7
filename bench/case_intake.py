"""Case intake and dispatch at a sustained rate while the case figures page is read, on the city tier,
beside the same page read alone in the same run.

gunicorn serves the page as bench/throughput.py starts it (DEBUG=0, 2 gthread workers of 4 threads;
a SECRET_KEY the bench signs its session in with, so the session is the server's too). A reader in its own process
GETs the page back to back, as the street's account (the session cookie of
accounts.second_factor_actions.sign_in_verified, and a bearer token for an API path), for ``seconds``:
alone (the baseline: half before, half after the loaded phase), and while writer threads report cases (cases.actions.report_case, as the
street's staff, in the street's communities) and whistle each to a department (dispatch_case) at
``rate`` a second, each on its schedule (a late writer does not skip: the achieved rate says how far
behind it fell). (Not ``bench/cases.py``: run.py puts the project first on the path, where ``cases`` is
the app.) Rows: the page's p50/p95 alone and under writing, their ratio; the writes' rate asked
and achieved, their p50/p95. The bench's cases are deleted afterwards (external_id ``bench-cases-``).

    .venv/bin/python bench/run.py --only cases                      # /cases/figures/
    .venv/bin/python bench/run.py --only cases --cases-page /api/v1/cases --cases-rate 10
"""

from __future__ import annotations

import multiprocessing
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from measure import ROOT, Row, Timing, ratio

FIGURES_PAGE = "/cases/figures/"
MARK = "bench-cases-"


@dataclass
class Phase:
    """One phase: the page's timings (ms), its non-200 answers, and the writes done."""

    page: Timing
    errors: int
    seconds: float
    writes: Timing | None = None
    written: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def read_loop(read: Callable[[], int], seconds: float) -> tuple[list[float], int]:
    """GET back to back for ``seconds``: the timings (ms) of the 200 answers, and how many were not."""
    samples, errors = [], 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        started = time.perf_counter()
        status = read()
        if status == 200:
            samples.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1
    return samples, errors


def _reader_process(read, seconds, pipe) -> None:
    pipe.send(read_loop(read, seconds))
    pipe.close()


class Writers:
    """``workers`` threads doing ``write()`` at ``rate`` a second, the i-th write due at start + i/rate."""

    def __init__(self, write: Callable[[int], None], *, rate: float, seconds: float, workers: int) -> None:
        self.write, self.rate, self.seconds, self.workers = write, rate, seconds, workers
        self.lock = threading.Lock()
        self.next = 0
        self.samples: list[float] = []
        self.failed: list[str] = []
        self.finished = 0.0

    def _work(self, start: float) -> None:
        from django.db import connection

        try:
            while True:
                with self.lock:
                    n = self.next
                    self.next += 1
                due = start + n / self.rate
                if n >= self.rate * self.seconds:
                    return
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                began = time.perf_counter()
                try:
                    self.write(n)
                except Exception as exc:  # noqa: BLE001 — counted and reported, the others go on
                    with self.lock:
                        self.failed.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                done = time.perf_counter()
                with self.lock:
                    self.samples.append((done - began) * 1000)
                    self.finished = max(self.finished, done)
        finally:
            connection.close()

    def run(self, start: float) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._work, args=(start,)) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        return threads


def phase(
    read: Callable[[], int],
    write: Callable[[int], None] | None,
    *,
    seconds: float,
    rate: float = 0.0,
    workers: int = 2,
    separate: bool = True,
) -> Phase:
    """Read for ``seconds`` (in a forked process when ``separate``: the writers' threads then do not hold
    the reader's interpreter), with writers at ``rate`` meanwhile if ``write`` is given."""
    from django.db import connections

    connections.close_all()  # neither the fork nor the threads inherit a connection
    receive = process = None
    result: dict = {}
    if separate:
        receive, send = multiprocessing.Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=_reader_process, args=(read, seconds, send)
        )
        process.start()
    else:
        reader = threading.Thread(target=lambda: result.update(out=read_loop(read, seconds)))
        reader.start()
    start = time.perf_counter()
    writers = Writers(write, rate=rate, seconds=seconds, workers=workers) if write else None
    threads = writers.run(start) if writers else []
    for thread in threads:
        thread.join()
    if separate:
        samples, errors = receive.recv()
        process.join()
    else:
        reader.join()
        samples, errors = result["out"]
    if not samples:
        raise RuntimeError(f"the page answered nothing but errors ({errors})")
    if writers is None:
        return Phase(Timing(samples), errors, seconds)
    took = max(writers.finished - start, seconds) if writers.samples else seconds
    return Phase(
        Timing(samples),
        errors,
        took,
        writes=Timing(writers.samples) if writers.samples else None,
        written=len(writers.samples),
        failed=writers.failed,
    )


# --- the writes: intake and the whistle, through the actions ------------------------------------------


class Intake:
    """What the writers report and whom they whistle: the street account's communities (with their
    buildings), the city's leaf categories and departments, in turn."""

    def __init__(self, user) -> None:
        from cases.models import CaseCategory
        from orgs.models import Unit, UnitKind
        from places.models import Area, AreaLevel, Building

        grant = user.role_grants.select_related("area").get()
        street = grant.area
        self.user = user
        self.communities = list(Area.objects.filter(parent=street, level=AreaLevel.COMMUNITY).order_by("pk"))
        self.buildings = {
            c.pk: list(Building.objects.filter(compound__community=c).select_related("compound", "grid")[:20])
            for c in self.communities
        }
        self.categories = list(CaseCategory.objects.leaves().active().order_by("pk"))
        city = street.path.split(".", 1)[0] + "."
        self.departments = list(
            Unit.objects.filter(kind=UnitKind.DEPARTMENT, address_area__path__startswith=city).order_by("pk")[
                :50
            ]
        )
        if not (self.communities and self.categories and self.departments):
            raise RuntimeError("the street account's street needs communities, categories and departments")

    def write(self, n: int) -> None:
        from cases import actions

        community = self.communities[n % len(self.communities)]
        buildings = self.buildings[community.pk]
        case = actions.report_case(
            acting_user=self.user,
            title=f"压测问题 {n}",
            description="基准测试写入的问题，测试结束后删除。",
            category=self.categories[n % len(self.categories)],
            community=community,
            building=buildings[n % len(buildings)] if buildings else None,
            external_id=f"{MARK}{n}",
        )
        actions.dispatch_case(
            acting_user=self.user, case=case, lead=self.departments[n % len(self.departments)], note="压测"
        )


def forget_bench_cases() -> int:
    """The bench's cases go (their dispatches, updates and events cascade); the audit rows stay."""
    from cases.models import Case

    deleted, _ = Case.objects.filter(external_id__startswith=MARK).delete()
    return deleted


# --- the server -----------------------------------------------------------------------------------


@contextmanager
def server(database_url: str, secret_key: str) -> Iterator[tuple]:
    """gunicorn as bench/throughput.py runs it, with the bench's SECRET_KEY; yields its base URL, the
    process and its log."""
    import subprocess

    from throughput import free_port, server_env

    port = free_port()
    var_dir = ROOT / "var" / "bench" / "server"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, port, str(var_dir))
    env["SECRET_KEY"] = secret_key  # the session signed in here must be valid there
    python = str(ROOT / ".venv/bin/python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    log = var_dir / "gunicorn-cases.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "gongjian.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def http_reader(url: str, *, cookie: str, token: str) -> Callable[[], int]:
    headers = {
        "Cookie": f"sessionid={cookie}",
        "Authorization": f"Bearer {token}",
        "X-Forwarded-Proto": "https",
    }

    def read() -> int:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 — loopback only
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    return read


def rows(alone: Phase, loaded: Phase, *, page: str, rate: float, seconds: float, workers: int) -> list[Row]:
    p50, p95 = ratio(loaded.page.p50, alone.page.p50), ratio(loaded.page.p95, alone.page.p95)
    achieved = loaded.rate / rate if rate else None
    return [
        Row(
            f"cases · {page} while writing",
            measured=str(loaded.page),
            baseline=f"{alone.page} (alone)",
            ratio=p50,
            note=f"p95 {p95:.2f}×; {len(loaded.page.samples)} reads under writing, {len(alone.page.samples)} alone"
            + (f"; {loaded.errors + alone.errors} non-200" if loaded.errors + alone.errors else "")
            if p95 is not None
            else "",
        ),
        Row(
            "cases · intake + dispatch rate",
            measured=f"{loaded.rate:.1f}/s achieved ({loaded.written} in {loaded.seconds:.0f} s)",
            baseline=f"{rate:g}/s asked",
            ratio=achieved,
            target="≥ 95% of the rate, none failed",
            ok=achieved is not None and achieved >= 0.95 and not loaded.failed,
            note=(f"writes {loaded.writes}; " if loaded.writes else "")
            + f"{workers} writer threads, {seconds:g} s"
            + (f"; {len(loaded.failed)} failed: {loaded.failed[0]}" if loaded.failed else ""),
        ),
    ]


def run(
    database_url: str,
    user,
    *,
    page: str = FIGURES_PAGE,
    rate: float = 5.0,
    seconds: float = 30,
    workers: int = 4,
) -> list[Row]:
    from django.test import Client, override_settings
    from throughput import wait_until_up

    from accounts.actions import issue_api_token
    from accounts.second_factor_actions import sign_in_verified

    secret_key = secrets.token_urlsafe(64)
    client = Client()
    with override_settings(SECRET_KEY=secret_key):  # the session's signature and auth hash, as the server's
        sign_in_verified(client, user)
    cookie = client.cookies["sessionid"].value
    token = issue_api_token(acting_user=user)
    intake = Intake(user)
    with server(database_url, secret_key) as (base, process, log):
        wait_until_up(base, token, process, log)
        read = http_reader(base + page, cookie=cookie, token=token)
        status = read()
        if status != 200:
            raise RuntimeError(
                f"{page} answered {status} (the figures page not merged yet? pass --cases-page)"
            )
        read_loop(read, 3)  # warm both workers
        try:
            # the baseline brackets the loaded phase: half alone before it, half after, so neither the
            # caches warming in the first minute nor the table growing by the writes favours one side
            before = phase(read, None, seconds=seconds / 2)
            loaded = phase(read, intake.write, seconds=seconds, rate=rate, workers=workers)
            after = phase(read, None, seconds=seconds / 2)
        finally:
            forget_bench_cases()
    alone = Phase(Timing(before.page.samples + after.page.samples), before.errors + after.errors, seconds)
    return rows(alone, loaded, page=page, rate=rate, seconds=seconds, workers=workers)
