"""visible_to(user) on members and residents, role by role, across the two streets."""

import pytest

from people.models import Member, Resident


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"张三丰", "李四", "王五", "赵六", "钱七"}),
        ("orgdept", {"张三丰", "李四", "王五", "赵六", "钱七"}),
        # street A: living in A, or working for a unit located in A
        ("street", {"张三丰", "李四", "赵六", "钱七"}),
        ("street2", {"王五", "赵六"}),
        # community A1: living there, or working for a unit located there (unit A is in A1)
        ("community", {"张三丰", "李四", "赵六", "钱七"}),
        ("community2", {"王五", "赵六"}),
        ("unit", {"张三丰", "李四"}),
        ("unit2", {"王五", "赵六"}),
        ("inspector", {"张三丰", "李四"}),
        ("grid", {"张三丰", "赵六"}),
        ("member", {"张三丰"}),
        ("resident", set()),
        ("dept", set()),
        ("nobody", set()),
    ],
)
def test_member_visibility(cast, who, expected):
    assert names(Member.objects.visible_to(getattr(cast, who))) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"孙大妈", "周大爷"}),
        ("street", {"孙大妈"}),
        ("street2", {"周大爷"}),
        ("community", {"孙大妈"}),
        ("grid", {"孙大妈"}),
        ("grid2", {"周大爷"}),
        ("resident", {"孙大妈"}),
        ("unit", set()),
        ("member", set()),
    ],
)
def test_resident_visibility(cast, who, expected):
    assert names(Resident.objects.visible_to(getattr(cast, who))) == expected


def test_numbers_are_ciphertext_in_the_database(cast):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_cipher, phone_cipher, id_number_hint FROM people_member WHERE name = %s", ["张三丰"])
        id_cipher, phone_cipher, hint = cursor.fetchone()
    assert "350802" not in id_cipher and "13800000001" not in phone_cipher
    assert id_cipher.startswith("gAAAA")  # Fernet token
    assert cast.m_member.masked_phone == "138****0001"
    assert cast.m_member.masked_id_number.startswith("350802********")
