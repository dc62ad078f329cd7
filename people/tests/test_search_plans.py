"""Search by name, pinyin initials and phone tail: the right people, and (on PostgreSQL) an index
range or lookup on the intended index, never a scan of the member table (gongjian/prefixes.py)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection

from gongjian.prefixes import indexed_prefix_q, prefix_range_q, prefix_successor
from people.models import Applicant, Member, Resident, person_search_q

SURNAMES = "张王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


@pytest.mark.parametrize(
    ("prefix", "successor"),
    [
        ("zh", "zi"),
        ("z", "{"),
        ("张", chr(ord("张") + 1)),
        ("a\uffff", "a\U00010000"),
        ("a\U0010ffff", "b"),
        ("\U0010ffff\U0010ffff", None),
        ("\ud7ff", "\ue000"),  # the surrogates are stepped over
        ("", None),
    ],
)
def test_the_successor_is_the_first_text_past_the_prefix(prefix, successor):
    assert prefix_successor(prefix) == successor


def test_an_empty_prefix_asks_nothing_and_an_unbounded_one_only_a_lower_bound():
    assert prefix_range_q("name", "") == prefix_range_q("name", "")
    assert not prefix_range_q("name", "").children
    assert prefix_range_q("name", "\U0010ffff").children == [("name__gte", "\U0010ffff")]


def test_search_finds_by_initials_name_prefix_and_phone_tail(cast):
    found = Member.objects.filter
    assert set(found(person_search_q("zsf"))) == {cast.m_member}
    assert set(found(person_search_q("ZS"))) == {cast.m_member}  # initials are stored lowercase
    assert set(found(person_search_q("张"))) == {cast.m_member}
    assert set(found(person_search_q("张三丰"))) == {cast.m_member}
    assert not found(person_search_q("三丰")).exists()  # the beginning of the name only
    assert set(found(person_search_q("0002"))) == {cast.m_a2}
    assert not found(person_search_q("3800")).exists()  # the phone's end, not its middle
    assert set(Resident.objects.filter(person_search_q("1111"))) == {cast.r_a}
    assert set(Member.objects.search("zs")) == {cast.m_member}


def test_the_applicant_list_searches_like_the_member_list(cast):
    from people.applicants import register_applicant  # noqa: PLC0415

    register_applicant(
        acting_user=cast.community,
        name="欧阳修",
        gender="male",
        phone="13912345678",
        area=cast.places.a1,
        party_org=cast.places.org_a1,
        applied_on=datetime.date(2026, 1, 1),
    )
    assert Applicant.objects.filter(person_search_q("oyx")).count() == 1
    assert Applicant.objects.filter(person_search_q("5678")).count() == 1
    assert Applicant.objects.filter(person_search_q("欧阳")).count() == 1
    assert not Applicant.objects.filter(person_search_q("阳修")).exists()


def _many_members(cast, count: int) -> None:
    """``count`` members of the same organisation with varied names, initials and phones, and
    fresh statistics, so that the planner chooses as it would on a real city."""
    rng = random.Random(12)
    rows = []
    for _ in range(count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        initials = "".join(rng.choice("abcdefghjklmnpqrstwxyz") for _ in range(3))
        rows.append(
            Member(
                name=name,
                name_initials=initials,
                gender="male",
                birth_date=datetime.date(1980, 1, 1),
                party_org=cast.places.org_a1,
                residence_area=cast.places.a1,
                residence_path=cast.places.a1.path,
                phone_hint=f"138{rng.randrange(10_000):04d}",
            )
        )
    Member.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_member")


def _plan(queryset) -> str:
    return queryset.explain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("zh", "people_member_name_initials"),
        ("张伟", "member_name_prefix"),
        ("1234", "member_phone_tail"),
    ],
)
def test_each_search_is_an_index_range_on_its_index(cast, text, index):
    _many_members(cast, 20_000)
    plan = _plan(Member.objects.search(text)[:25])
    assert "Seq Scan on people_member" not in plan, plan
    assert index in plan, plan
    assert "Index" in plan, plan


def test_the_predicates_are_ranges_not_patterns():
    """The shape of the SQL, on either engine: the initials a range (a LIKE is not one on a
    C.UTF-8 PostgreSQL, nor on SQLite), the phone tail the indexed expression."""
    initials = str(Member.objects.filter(person_search_q("zh")).query)
    assert 'name_initials" >= zh' in initials.replace("'", "")
    assert 'name_initials" < zi' in initials.replace("'", "")
    assert "LIKE" not in initials
    tail = str(Member.objects.filter(person_search_q("1234")).query).upper()
    assert "LIKE" not in tail
    assert ("RIGHT(" in tail) or ("SUBSTR(" in tail)
    name = str(Member.objects.filter(indexed_prefix_q("name", "张")).query)
    if connection.vendor == "postgresql":
        assert "LIKE" in name  # the pattern index answers it as the same range, bytewise
    else:
        assert ">=" in name
        assert "LIKE" not in name
