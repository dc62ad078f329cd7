"""How service stands among the apps: points sits above it (its entries point at service records), so
no service module imports points; the ledger is reached through service.ledger, which the points app
plugs in. And no module of service or points imports another module's private (underscore) names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from points.ledger import PointsLedger
from service import ledger
from service.models import ServiceCategory
from service.records import actions as record_actions

ROOT = Path(__file__).resolve().parents[2]


def product_modules(*apps: str):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_service_never_imports_points():
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, tree in product_modules("service")
        for module in imported_modules(tree)
        if module == "points" or module.startswith("points.")
    ]
    assert found == []


def test_no_module_imports_another_modules_private_names():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import {alias.name}"
        for path, tree in product_modules("service", "points")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert found == []


def test_the_points_app_plugs_its_ledger_in():
    assert isinstance(ledger.ledger(), PointsLedger)


def test_without_a_ledger_nothing_is_confirmed_unbooked(monkeypatch):
    monkeypatch.setattr(ledger, "_ledger", None)
    with pytest.raises(ImproperlyConfigured):
        ledger.ledger()


@pytest.mark.django_db
def test_confirmation_books_through_the_plugged_ledger(cast, monkeypatch):
    booked = []

    class CountingLedger(PointsLedger):
        def book_service(self, *, acting_user, record) -> int:
            booked.append(record.pk)
            return super().book_service(acting_user=acting_user, record=record)

    monkeypatch.setattr(ledger, "_ledger", CountingLedger())
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=ServiceCategory.objects.get(code="elderly_care"),
        started_at=timezone.now() - timezone.timedelta(hours=3),
        minutes=60,
        description="陪聊",
        community=cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    assert booked == [record.pk]
    assert record.point_entries.count() == 1
