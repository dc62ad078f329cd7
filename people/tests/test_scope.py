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
        cursor.execute(
            "SELECT id_number_cipher, phone_cipher, id_number_hint FROM people_member WHERE name = %s",
            ["张三丰"],
        )
        id_cipher, phone_cipher, hint = cursor.fetchone()
    assert "350802" not in id_cipher and "13800000001" not in phone_cipher
    assert id_cipher.startswith("gAAAA")  # Fernet token
    assert cast.m_member.masked_phone == "138****0001"
    assert cast.m_member.masked_id_number.startswith("350802********")


def test_scope_filters_read_only_the_person_tables(cast):
    """visible_to is an OR of indexed columns on the member table: no join to areas, units or grids."""
    for who in ("street", "community", "unit", "grid", "member"):
        sql = str(Member.objects.visible_to(getattr(cast, who)).only("id").query)
        assert "places_area" not in sql and "orgs_unit" not in sql and "places_grid" not in sql, (who, sql)
    for who in ("street", "community", "grid", "resident"):
        sql = str(Resident.objects.visible_to(getattr(cast, who)).only("id").query)
        assert "places_area" not in sql and "places_grid" not in sql, (who, sql)


def test_moving_a_unit_or_a_building_refreshes_the_scope(cast, client):
    """The stored paths follow a unit that moves to street B, and a building re-gridded in the admin."""
    from django.urls import reverse

    cast.login(client, "admin")
    unit = cast.places.unit_a
    response = client.post(
        reverse("admin:orgs_unit_change", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": unit.kind,
            "address_area": cast.places.b1.pk,
            "credit_code": "",
            "address": "",
            "contact_name": "",
        },
    )
    assert response.status_code == 302
    # 李四 works for unit A and lives in A2: now visible to street B through the unit
    assert "李四" in names(Member.objects.visible_to(cast.street2))

    building = cast.places.building_a1
    response = client.post(
        reverse("admin:places_building_change", args=[building.pk]),
        {"name": building.name, "compound": building.compound_id, "grid": ""},
    )
    assert response.status_code == 302
    assert names(Resident.objects.visible_to(cast.grid)) == set()
