"""Roll-ups equal full counts after random changes made through the real actions (issue 12), the pages
read them without touching the member table, and the rebuild command counts them afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import reconciliation as rec
from checkin.actions import check_out, confirm_checkin, issue_certificate, submit_checkin
from checkin.models import CheckIn
from checkin.pairing_actions import create_unit_pairing
from gongjian.privacy import decrypt
from gongjian.testing import id_number
from people.actions import MemberData, save_member, save_resident
from people.leaving import end_membership
from people.models import Member
from rollups.counting import counted_afresh, mark_changed, read, rebuild
from rollups.models import Tally

REFUSED = (ValidationError, PermissionDenied)

steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["create", "move", "service", "leave", "submit", "certify", "confirm", "out", "pair"]
        ),
        st.integers(0, 1000),
        st.integers(0, 1000),
    ),
    min_size=1,
    max_size=12,
)


def _areas(cast):
    p = cast.places
    return [p.city, p.district, p.street_a, p.street_b, p.a1, p.a2, p.b1]


def _apply(cast, step, n):
    """One change through the real actions; a change the rules refuse changes nothing."""
    p = cast.places
    kind, i, j = step
    homes = [p.a1, p.a2, p.b1, None]
    members = list(Member.objects.order_by("id"))
    member = members[i % len(members)]
    checkin = CheckIn.objects.filter(member=member).order_by("-id").first()
    try:
        if kind in ("create", "move", "service"):
            creating = kind == "create"
            unit = [p.unit_a, p.unit_b, None][j % 3] if creating else member.unit
            save_member(
                acting_user=None,
                member=None if creating else member,
                data=MemberData(
                    name=f"成员{n}",
                    id_number=id_number(100 + n % 400) if creating else decrypt(member.id_number_cipher),
                    phone="",
                    party_org=p.org_unit_a,
                    unit=unit,
                    residence_area=member.residence_area if kind == "service" else homes[j % 4],
                    in_service=(not member.in_service) if kind == "service" else unit is not None,
                ),
            )
        elif kind == "leave":
            end_membership(acting_user=cast.admin, member=member, reason="left_roster")
        elif kind == "submit":
            submit_checkin(
                acting_user=cast.admin, member=member, community=homes[j % 3], override_reason="测试"
            )
        elif kind == "certify" and checkin is not None:
            issue_certificate(acting_user=cast.admin, checkin=checkin)
        elif kind == "confirm" and checkin is not None:
            confirm_checkin(acting_user=cast.admin, checkin=checkin)
        elif kind == "out" and checkin is not None:
            check_out(acting_user=cast.admin, checkin=checkin, reason="搬走")
        elif kind == "pair":
            create_unit_pairing(
                acting_user=cast.admin,
                unit=[p.unit_a, p.unit_b][j % 2],
                community=homes[i % 3],
                started_on=timezone.localdate() - timedelta(days=j % 40),
            )
    except REFUSED:
        pass


def _check(cast):
    month = rec.Period.of("month")
    span = (month.start, month.end)
    paths = [a.path for a in _areas(cast)]
    rolled = read(
        ["people.members", "people.residents", "checkin.rates", "checkin.awaiting"], paths, span=span
    )
    for name in ("people.members", "people.residents", "checkin.awaiting"):
        assert rolled[name] == counted_afresh(name, paths), name
    assert rolled["checkin.rates"] == counted_afresh("checkin.rates", paths, span=span)
    for area in _areas(cast):  # and the roll-ups agree with the reconciliation's own live count
        live = rec.rates(area=area, start=month.start, end=month.end)
        here = rolled["checkin.rates"][area.path]
        assert (here["in_service"], here["reported"]) == (live.members, live.reported), area.name
        assert (
            rolled["people.members"][area.path]["members"]
            == Member.objects.filter(residence_path__startswith=area.path).count()
        )


counter = iter(range(10**6))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_rollups_equal_full_counts_after_random_changes(cast, steps):
    _check(cast)
    for step in steps:
        _apply(cast, step, next(counter))
        _check(cast)  # exact after every committed write: read, recount what changed, compare


def test_a_write_behind_the_actions_back_shows_once_marked(cast):
    month = rec.Period.of("month")
    span = (month.start, month.end)
    a1 = cast.places.a1.path
    before = read(["people.members"], [a1])["people.members"][a1]["members"]
    Member.objects.filter(pk=cast.m_a2.pk).update(residence_path=a1)  # not through an action
    assert read(["people.members"], [a1])["people.members"][a1]["members"] == before
    mark_changed([a1])
    assert read(["people.members"], [a1])["people.members"][a1]["members"] == before + 1
    assert (
        read(["checkin.rates"], [a1], span=span)["checkin.rates"][a1]
        == counted_afresh("checkin.rates", [a1], span=span)[a1]
    )


def test_rebuild_command_counts_everything_afresh(cast):
    save_resident(acting_user=None, name="新居民", residence_area=cast.places.a2, phone="13900003333")
    Tally.objects.all().delete()
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Tally.objects.filter(group="people.members", period="").exists()
    assert Tally.objects.filter(group="checkin.rates").exclude(period="").exists()
    Tally.objects.filter(group="people.residents").update(value=99)  # wrong on purpose
    written = rebuild(timezone.localdate())
    assert written["people.residents"] == 3  # a1, a2, b1
    _check(cast)


@pytest.mark.parametrize(("who", "name"), [("orgdept", "portal:home"), ("orgdept", "places:area_detail")])
def test_city_figures_do_not_read_the_member_table(client, cast, who, name):
    city = cast.places.city
    url = reverse(name, args=[city.public_id]) if name == "places:area_detail" else reverse(name)
    cast.login(client, who)
    assert client.get(url).status_code == 200  # recounts what the set-up changed

    def page_sql():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    warm = page_sql()
    counted = [sql for sql in warm if '"people_member"' in sql and "GROUP BY" in sql]
    assert not counted, "the city's figures counted members where they live"
    for n in range(20):  # more members: the same queries, once the changed places are recounted
        save_member(
            acting_user=None,
            data=MemberData(
                name=f"新人{n}",
                id_number=id_number(600 + n),
                phone="",
                party_org=cast.places.org_unit_a,
                unit=cast.places.unit_a,
                residence_area=[cast.places.a1, cast.places.b1][n % 2],
                in_service=True,
            ),
        )
    cold = page_sql()
    assert len(page_sql()) == len(warm)
    assert len(cold) - len(warm) < 40  # a bounded recount of each group, not one query per member


def test_stale_recount_is_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    month = rec.Period.of("month")
    rates = lambda: rec.rates_by_area([cast.places.city], month)  # noqa: E731
    rates()
    for grown in (3, 30):
        for n in range(grown):
            save_member(
                acting_user=None,
                data=MemberData(
                    name=f"多{n}",
                    id_number=id_number(700 + grown + n),
                    phone="",
                    party_org=cast.places.org_unit_a,
                    unit=cast.places.unit_a,
                    residence_area=cast.places.a2,
                    in_service=True,
                ),
            )
        with django_assert_max_num_queries(12):
            assert rates()[cast.places.city.pk] == rec.rates(
                area=cast.places.city, start=month.start, end=month.end
            )


def test_moves_and_bulk_writes_keep_the_rollups_exact(cast):
    from people.actions import save_members_bulk
    from people.homes import move_home

    p = cast.places
    month = rec.Period.of("month")
    span = (month.start, month.end)
    names = ["people.members", "people.residents", "checkin.rates"]
    paths = [a.path for a in _areas(cast)]
    read(names, paths, span=span)  # counted once: what follows is recounted through the marks only
    move_home(acting_user=cast.admin, person=cast.m_a2, area=p.b1)
    move_home(acting_user=cast.admin, person=cast.r_a, area=p.a2)
    rows = [
        MemberData(
            name=f"批量{n}",
            id_number=id_number(900 + n),
            phone="",
            party_org=p.org_unit_b,
            unit=p.unit_b,
            residence_area=[p.a2, p.b1, None][n % 3],
            in_service=True,
        )
        for n in range(9)
    ]
    save_members_bulk(acting_user=None, rows=rows, existing={})
    rolled = read(names, paths, span=span)
    for name in names:
        assert rolled[name] == counted_afresh(name, paths, span=span if name == "checkin.rates" else None), (
            name
        )
