"""The audit log cannot be edited by the application, and on PostgreSQL not even by raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.actions import record_event
from audit.models import AppendOnlyError, AuditEvent


def test_rows_cannot_be_changed_or_removed(db):
    event = record_event(actor=None, action="test.event")
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)
def test_database_refuses_raw_update_on_postgresql(db):
    event = record_event(actor=None, action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_admin_changes_are_audited(client, cast):
    cast.login(client, "admin")
    unit = cast.places.unit_a
    url = reverse("admin:orgs_unit_change", args=[unit.pk])
    response = client.post(
        url,
        {
            "name": "龙岩市烟草专卖局",
            "kind": unit.kind,
            "address_area": unit.address_area_id,
            "credit_code": "",
            "address": "",
            "contact_name": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.filter(action="admin.change").latest("id")
    assert event.actor_id == cast.admin.pk and event.target_label == "龙岩市烟草专卖局"


def test_admin_adds_areas_through_the_action(client, cast):
    cast.login(client, "admin")
    response = client.post(
        reverse("admin:places_area_add"),
        {"code": "350802001003", "name": "新社区", "level": "community", "parent": cast.places.street_a.pk},
    )
    assert response.status_code == 302, response.content[:3000]
    from places.models import Area

    area = Area.objects.get(code="350802001003")
    assert area.path == cast.places.street_a.path + "350802001003."
    assert AuditEvent.objects.filter(action="area.create", target_id=str(area.public_id)).exists()


def test_admin_is_for_platform_admins_only(client, cast):
    cast.login(client, "street")
    assert client.get(reverse("admin:index")).status_code == 302
