"""The shared cast: one user per role in street A, and the same roles in street B as outsiders.

    city 350800 龙岩市 → district 350802 新罗区 → street A 350802001 东城街道 (communities A1, A2)
                                               → street B 350802002 西城街道 (community B1)
Use: ``def test_x(cast): cast.street`` (a User), ``cast.places.a1`` (an Area), ``cast.login(client, "street")``.

The cast is built through the actions once per test database (once per xdist worker) and committed;
each test runs in a transaction that is rolled back, and ``cast`` hands it objects freshly read back, so
what one test changes, in the database or in memory, never reaches the next (see "The cast, built
once" below). Transactional tests (``django_db(transaction=True)``, ``live_server``) start from an
empty database as before and call ``build_cast()`` themselves; a plain db test must use the fixture.

Shared helpers: ``bearer`` (fixture) and, from gongjian/testing.py, ``item``, ``refusals``, ``together``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db.models import Model

from accounts.actions import create_user, grant_role, issue_api_token
from accounts.models import Role
from accounts.second_factor import needs_second_factor
from accounts.second_factor_actions import prepare_device, sign_in_verified
from gongjian.browser_testing import ARGS, ARTIFACTS, CHROMIUM, PHONE, TIMEOUT_MS, PolicyGuardedBrowser
from gongjian.testing import id_number
from orgs.actions import create_party_org, create_unit
from orgs.models import PartyOrgKind, UnitKind
from people.actions import MemberData, save_member, save_resident
from places.actions import create_area, create_building, create_compound, create_grid
from places.models import AreaLevel

PASSWORD = "cast-password-123"
_id = id_number  # the name older tests import


def build_cast():
    sys_user = None
    p = SimpleNamespace()
    p.city = create_area(acting_user=sys_user, code="350800", name="龙岩市", level=AreaLevel.CITY)
    p.district = create_area(
        acting_user=sys_user, code="350802", name="新罗区", level=AreaLevel.DISTRICT, parent=p.city
    )
    p.street_a = create_area(
        acting_user=sys_user, code="350802001", name="东城街道", level=AreaLevel.STREET, parent=p.district
    )
    p.street_b = create_area(
        acting_user=sys_user, code="350802002", name="西城街道", level=AreaLevel.STREET, parent=p.district
    )
    p.a1 = create_area(
        acting_user=sys_user,
        code="350802001001",
        name="龙津社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_a,
    )
    p.a2 = create_area(
        acting_user=sys_user,
        code="350802001002",
        name="中山社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_a,
    )
    p.b1 = create_area(
        acting_user=sys_user,
        code="350802002001",
        name="西安社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_b,
    )
    p.grid_a = create_grid(acting_user=sys_user, street=p.street_a, code="G350802001-1", name="东城一级网格")
    p.grid_a2 = create_grid(
        acting_user=sys_user,
        street=p.street_a,
        code="G350802001-1-1",
        name="龙津二级网格",
        parent=p.grid_a,
        community=p.a1,
    )
    p.grid_a3 = create_grid(
        acting_user=sys_user,
        street=p.street_a,
        code="G350802001-1-1-1",
        name="阳光三级网格",
        parent=p.grid_a2,
        community=p.a1,
    )
    p.grid_b = create_grid(acting_user=sys_user, street=p.street_b, code="G350802002-1", name="西城一级网格")
    p.compound_a1 = create_compound(acting_user=sys_user, community=p.a1, name="阳光小区")
    p.building_a1 = create_building(
        acting_user=sys_user, compound=p.compound_a1, name="1号楼", grid=p.grid_a3
    )
    p.compound_b1 = create_compound(acting_user=sys_user, community=p.b1, name="西湖小区")
    p.building_b1 = create_building(acting_user=sys_user, compound=p.compound_b1, name="2号楼", grid=p.grid_b)

    p.unit_a = create_unit(
        acting_user=sys_user, name="龙岩市烟草公司", kind=UnitKind.STATE_FIRM, address_area=p.a1
    )
    p.unit_b = create_unit(
        acting_user=sys_user, name="西城商贸有限公司", kind=UnitKind.PRIVATE_FIRM, address_area=p.b1
    )
    p.dept_a = create_unit(
        acting_user=sys_user, name="新罗区城市管理局", kind=UnitKind.DEPARTMENT, address_area=p.street_a
    )
    p.org_city = create_party_org(
        acting_user=sys_user, name="中共龙岩市委组织部", kind=PartyOrgKind.COMMITTEE, code="O1", area=p.city
    )
    p.org_street_a = create_party_org(
        acting_user=sys_user,
        name="东城街道党工委",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        code="O1-1",
        parent=p.org_city,
        area=p.street_a,
    )
    p.org_a1 = create_party_org(
        acting_user=sys_user,
        name="龙津社区党委",
        kind=PartyOrgKind.COMMITTEE,
        code="O1-1-1",
        parent=p.org_street_a,
        area=p.a1,
    )
    p.org_street_b = create_party_org(
        acting_user=sys_user,
        name="西城街道党工委",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        code="O1-2",
        parent=p.org_city,
        area=p.street_b,
    )
    p.org_unit_a = create_party_org(
        acting_user=sys_user, name="烟草公司党支部", kind=PartyOrgKind.BRANCH, code="U1", unit=p.unit_a
    )
    p.org_unit_b = create_party_org(
        acting_user=sys_user, name="西城商贸党支部", kind=PartyOrgKind.BRANCH, code="U2", unit=p.unit_b
    )

    def member(n, name, unit, org, area, building=None, in_service=True):
        return save_member(
            acting_user=sys_user,
            data=MemberData(
                name=name,
                id_number=id_number(n),
                phone=f"1380000{n:04d}",
                party_org=org,
                unit=unit,
                residence_area=area,
                residence_compound=building.compound if building else None,
                residence_building=building,
                in_service=in_service,
            ),
        )

    c = SimpleNamespace(places=p, password=PASSWORD)
    c.m_member = member(1, "张三丰", p.unit_a, p.org_unit_a, p.a1, p.building_a1)
    c.m_a2 = member(2, "李四", p.unit_a, p.org_unit_a, p.a2)
    c.m_b = member(3, "王五", p.unit_b, p.org_unit_b, p.b1, p.building_b1)
    c.m_b_home_a = member(4, "赵六", p.unit_b, p.org_unit_b, p.a1, p.building_a1)  # unit B, lives in A1
    c.m_retired = member(5, "钱七", None, p.org_a1, p.a1, in_service=False)
    c.r_a = save_resident(
        acting_user=sys_user,
        name="孙大妈",
        residence_area=p.a1,
        phone="13900001111",
        residence_compound=p.compound_a1,
        residence_building=p.building_a1,
    )
    c.r_b = save_resident(
        acting_user=sys_user,
        name="周大爷",
        residence_area=p.b1,
        phone="13900002222",
        residence_compound=p.compound_b1,
        residence_building=p.building_b1,
    )

    def user(username, role, **scope):
        u = create_user(acting_user=sys_user, username=username, password=PASSWORD, full_name=username)
        grant_role(acting_user=sys_user, user=u, role=role, **scope)
        return u

    c.admin = user("admin", Role.PLATFORM_ADMIN)
    c.orgdept = user("orgdept", Role.ORG_DEPT, area=p.city)
    c.street = user("street", Role.STREET, area=p.street_a)
    c.community = user("community", Role.COMMUNITY, area=p.a1)
    c.unit = user("unit", Role.UNIT_ADMIN, unit=p.unit_a)
    c.dept = user("dept", Role.DEPARTMENT, unit=p.dept_a)
    c.inspector = user("inspector", Role.INSPECTOR, unit=p.unit_a)
    c.grid = user("grid", Role.GRID_WORKER, grid=p.grid_a)
    c.member = user("member", Role.MEMBER)
    c.m_member.user = c.member
    c.m_member.save(update_fields=["user"])
    c.resident = user("resident", Role.RESIDENT)
    c.r_a.user = c.resident
    c.r_a.save(update_fields=["user"])
    # outsiders: the same roles in street B
    c.street2 = user("street2", Role.STREET, area=p.street_b)
    c.community2 = user("community2", Role.COMMUNITY, area=p.b1)
    c.unit2 = user("unit2", Role.UNIT_ADMIN, unit=p.unit_b)
    c.grid2 = user("grid2", Role.GRID_WORKER, grid=p.grid_b)
    c.nobody = create_user(acting_user=sys_user, username="nobody", password=PASSWORD)
    # Those whose roles sign in with a second factor have an authenticator, as in production.
    for value in list(vars(c).values()):
        if isinstance(value, Model) and value._meta.label == "accounts.User" and needs_second_factor(value):
            prepare_device(user=value)

    c.login = _login_for(c)
    return c


def _login_for(c):
    def login(client, who: str):
        """Sign ``who`` in, as having given the second factor if their roles need one (the session key
        django-otp reads): the suite runs with TWO_FACTOR_REQUIRED on, as production does."""
        sign_in_verified(client, getattr(c, who))
        return client

    return login


# --- The cast, built once ------------------------------------------------------------------------
# Building the cast through the actions takes about half a second, several times what a test takes.
# So the cast is committed once and each test that asks for it runs in a rolled-back transaction.
# Only tests that ask for it see it: before any other db test or a transactional test the database
# is emptied again (``flush``, as TransactionTestCase does when it ends) and the data-migration rows
# are put back. pytest_collection_modifyitems orders the tests so that a worker builds the cast once
# and empties it once: db tests without the cast, db tests with it, then transactional tests.


def _seed_migration_rows() -> None:
    """Put back the service menu, the default points rule and the case categories, which data migrations made, if they
    are gone (the migrations' forwards are idempotent)."""
    from importlib import import_module

    from django.apps import apps

    from cases.models import CaseCategory
    from service.models import ServiceCategory

    if not ServiceCategory.objects.exists():
        import_module("service.migrations.0002_default_menu").forwards(apps, None)
        import_module("points.migrations.0003_default_rule").forwards(apps, None)
    if not CaseCategory.objects.exists():
        import_module("cases.migrations.0002_standard_categories").forwards(apps, None)


class _Shelf:
    """What the test database holds between tests besides what the migrations made."""

    def __init__(self):
        self.blocker = None  # pytest-django's database blocker, once the test database exists
        self.names: dict[str, dict[str, tuple]] | None = None  # the committed cast: name → (model, pk)
        self.links: dict[tuple, dict[str, tuple | None]] = {}  # (model, pk) → its cached relations
        self.seeded = False  # the menu and the points rule are known to be in the database
        self.city: tuple | None = None  # a committed demo city: (its options, the command's output)

    def seed(self) -> None:
        _seed_migration_rows()
        self.seeded = True

    def commit_cast(self) -> None:
        from django.db import connection, transaction

        with transaction.atomic():
            self.seed()
            built = build_cast()
            # As in a test's transaction, nothing registered for after the commit runs.
            connection.run_on_commit.clear()
        self.names, self.links = _catalogue(built)

    def commit_city(self, options: dict) -> None:
        """Build the demo city with ``options`` once and commit it; the tests that ask for it read it
        in their rolled-back transactions (a build through the actions takes 5-20 s)."""
        from io import StringIO

        from django.core.management import call_command
        from django.db import connection, transaction

        out = StringIO()
        with transaction.atomic():
            self.seed()
            call_command("demo_city", stdout=out, **options)
            connection.run_on_commit.clear()
        self.city = (sorted(options.items()), out.getvalue())

    def flush(self) -> None:
        """Empty every table (what TransactionTestCase does after each test) and seed again."""
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        self.names, self.city, self.seeded = None, None, False
        self.seed()

    def emptied(self) -> None:
        """A transactional test ended: it empties every table, unless it was skipped before its
        database was set up (then the committed cast may still be there: look)."""
        from accounts.models import User

        self.seeded, self.city = False, None
        if self.names and self.blocker is not None:
            with self.blocker.unblock():
                if not User.objects.filter(pk=self.names["cast"]["admin"][1]).exists():
                    self.names = None

    def cast(self) -> SimpleNamespace:
        """The committed cast read back: fresh objects, their relations to each other cached as
        build_cast left them, so a test costs the same queries as with the objects it built."""
        wanted: dict[type, set] = {}
        for group in self.names.values():
            for model, pk in group.values():
                wanted.setdefault(model, set()).add(pk)
        fresh = {}
        for model, pks in wanted.items():
            rows = model._base_manager.in_bulk(pks)
            if len(rows) != len(pks):
                raise RuntimeError(f"committed cast rows of {model.__name__} are gone: did a test commit?")
            fresh.update({(model, pk): obj for pk, obj in rows.items()})
        for key, links in self.links.items():
            cache = fresh[key]._state.fields_cache
            for name, target in links.items():
                cache[name] = None if target is None else fresh[target]
        c = SimpleNamespace(places=SimpleNamespace(**{n: fresh[k] for n, k in self.names["places"].items()}))
        c.password = PASSWORD
        for name, key in self.names["cast"].items():
            setattr(c, name, fresh[key])
        c.login = _login_for(c)
        return c


def _catalogue(c) -> tuple[dict, dict]:
    """Where each object of a built cast lives, and which of its relations hold other cast objects."""
    names = {"places": {}, "cast": {}}
    objects = {}
    for group, namespace in (("places", c.places), ("cast", c)):
        for name, value in vars(namespace).items():
            if isinstance(value, Model):
                key = (type(value), value.pk)
                names[group][name] = key
                objects[id(value)] = (key, value)
    links = {}
    for key, obj in objects.values():
        cached = obj._state.fields_cache
        links[key] = {
            n: None if v is None else objects[id(v)][0]
            for n, v in cached.items()
            if v is None or id(v) in objects
        }
    return names, links


_SHELF = _Shelf()


def _db_kind(item) -> str | None:
    """Whether ``item`` runs in a rolled-back transaction ("db"), commits ("transactional") or has
    no database (None), decided as pytest-django decides it."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return "db" if issubclass(cls, TestCase) else "transactional"
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(names))
    if marker is not None:
        transactional = transactional or bool(
            marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
            or marker.kwargs.get("reset_sequences", marker.args[1] if len(marker.args) > 1 else False)
        )
    if transactional:
        return "transactional"
    return "db" if marker is not None or "db" in names else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's order (db tests, transactional tests, the rest): the db tests that use a
    demo city (city by city, so each city is built once a worker, whichever modules share it), then
    those that use the cast, so each worker commits the cast once."""
    rank = {"db": 0, "transactional": 3, None: 4}

    def key(item) -> tuple[int, str]:
        kind = _db_kind(item)
        if kind != "db":
            return rank[kind], ""
        if "demo_city" in item.fixturenames:  # modules that share a city's options, side by side
            return 1, repr(sorted(item.module.DEMO_OPTIONS.items()))
        return (2 if "cast" in item.fixturenames else 0), ""

    items.sort(key=key)


@pytest.hookimpl
def pytest_runtest_setup(item):
    """Before the test's transaction opens (and after skip marks are read, so a skipped test
    changes nothing): the committed cast in the database if it uses the cast, out of it otherwise."""
    kind = _db_kind(item)
    if kind is None or _SHELF.blocker is None:
        return  # not a db test, or the first: the database is as the migrations made it
    wants_cast = "cast" in item.fixturenames
    city = sorted(item.module.DEMO_OPTIONS.items()) if "demo_city" in item.fixturenames else None
    with _SHELF.blocker.unblock():
        if (_SHELF.names and not wants_cast) or (_SHELF.city and _SHELF.city[0] != city):
            _SHELF.flush()
        if not _SHELF.seeded:
            _SHELF.seed()
        if wants_cast and not _SHELF.names:
            _SHELF.commit_cast()
        if city is not None and not _SHELF.city:
            _SHELF.commit_city(item.module.DEMO_OPTIONS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if _db_kind(item) == "transactional":
        _SHELF.emptied()
    return result


_LOCKS: list = []  # open lock files, held until the run ends


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, pytestconfig):
    """One test run at a time per test database: runs in one working tree share the SQLite file,
    and one run's flush would empty the cast another run committed. A second run waits here."""
    import fcntl
    import hashlib
    import sys
    import tempfile
    from pathlib import Path

    from django.db import connections

    for alias in connections:
        name = str(connections[alias].creation._get_test_db_name())
        digest = hashlib.sha256(f"{connections[alias].vendor}:{name}".encode()).hexdigest()[:16]
        lock = (Path(tempfile.gettempdir()) / f"gongjian-test-db-{digest}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            with pytestconfig.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
                sys.stderr.write(f"\nWaiting for another test run on the test database {name}\n")
            fcntl.flock(lock, fcntl.LOCK_EX)
        _LOCKS.append(lock)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb):
    """The test database as pytest-django made it; emptied if a reused one holds an interrupted run's
    rows, and left as the migrations made it at the end if it is kept for the next run."""
    from accounts.models import User

    _SHELF.blocker = django_db_blocker
    with django_db_blocker.unblock():
        if User.objects.exists():
            _SHELF.flush()
    yield
    with django_db_blocker.unblock():
        if django_db_keepdb and (_SHELF.names or _SHELF.city):
            _SHELF.flush()
    _SHELF.blocker = None


@pytest.fixture(scope="session")
def _committed_cast(django_db_setup, django_db_blocker):
    """The first test that asks for the cast: commit it before that test's transaction opens (the
    higher scope makes pytest set this up first)."""
    if not _SHELF.names:
        with django_db_blocker.unblock():
            _SHELF.commit_cast()


@pytest.fixture
def cast(_committed_cast, db):
    return _SHELF.cast()


@pytest.fixture(scope="module")
def _committed_city(request, django_db_setup, django_db_blocker):
    """The module's demo city, when its first test is the worker's first (the setup hook had no
    database yet) or the city is another module's: commit it before the test's transaction opens."""
    options = request.module.DEMO_OPTIONS
    with django_db_blocker.unblock():
        if _SHELF.city is None or _SHELF.city[0] != sorted(options.items()):
            if _SHELF.names or _SHELF.city:
                _SHELF.flush()
            _SHELF.commit_city(options)


@pytest.fixture
def demo_city(_committed_city, db):
    """The demo city built with the test module's ``DEMO_OPTIONS``, committed once per worker and
    module (before the test's transaction opens: pytest_runtest_setup) and read in the test's
    rolled-back transaction like the cast; the value is the build command's output."""
    return _SHELF.city[1]


@pytest.fixture
def bearer(cast):
    """``bearer("street")`` → headers carrying a fresh API token of that cast member (one per user)."""
    tokens: dict[str, str] = {}

    def headers(who: str) -> dict[str, str]:
        if who not in tokens:
            tokens[who] = issue_api_token(acting_user=getattr(cast, who))
        return {"Authorization": f"Bearer {tokens[who]}"}

    return headers


@pytest.fixture(scope="session")
def _chromium():
    """One Chromium a worker, launched when the first browser test asks for it."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser(_chromium):
    """The worker's Chromium; every context a test opened (its cookies, its pages) is closed when the
    test ends, so nothing of one test reaches the next. Each context watches the Content-Security-Policy:
    a journey whose pages had anything blocked (an inline script or style, a foreign source) fails here,
    so every journey proves its pages keep the policy."""
    guarded = PolicyGuardedBrowser(_chromium)
    yield guarded
    for context in _chromium.contexts:
        context.close()
    if guarded.violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(guarded.violations)))


@pytest.fixture
def browser_page(browser):
    """A page on a 360 px phone, not signed in."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


@pytest.fixture
def api_get(client, bearer):
    """``api_get("community", "needs", state="open")`` → the response of GET /api/v1/needs as that cast member."""

    def call(who: str, path: str, **params):
        return client.get("/api/v1/" + path, params, headers=bearer(who))

    return call


@pytest.fixture
def api_post(client, bearer):
    """``api_post("member", "needs/<id>/take", {...})`` → the response of that JSON POST as that cast member."""

    def call(who: str, path: str, payload: dict | None = None):
        return client.post(
            "/api/v1/" + path, payload or {}, content_type="application/json", headers=bearer(who)
        )

    return call


@pytest.fixture(autouse=True)
def _english_source_strings(settings):
    """Tests read pages in the source language (English) unless they ask for Chinese, which is what
    a browser without an English preference gets (see portal/tests/test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _seeded_menu_and_rule(request):
    """The service menu and the default points rule come from data migrations. A transactional test
    (the browser journeys) empties every table when it ends, so the next test on a reused database
    would find neither: put them back (the migrations' forwards are idempotent)."""
    if not any(m.name == "django_db" for m in request.node.iter_markers()) and not (
        {"db", "transactional_db", "live_server", "cast"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    _seed_migration_rows()
