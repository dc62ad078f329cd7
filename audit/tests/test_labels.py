"""Every audit action code the product records has words (audit/labels.py), and the audit pages show
them: a new ``record_event(action="x.y")`` without a label fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from audit.actions import record_event
from audit.labels import ACTION_LABELS, PREFIX_LABELS, action_label
from audit.models import AuditEvent
from service.projects.state import TRANSITIONS

SKIPPED_DIRS = {".venv", "node_modules", "var", "tests", "migrations", "static", "test-artifacts"}


def source_files():
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts):
            yield path


def strings_in(node: ast.AST) -> tuple[set[str], set[str]]:
    """(whole codes, f-string prefixes) that an ``action=`` expression can give."""
    codes, prefixes = set(), set()
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        prefixes.add(head.value if isinstance(head, ast.Constant) else "")
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
        codes.add(node.value)
    else:
        for child in ast.iter_child_nodes(node):
            more_codes, more_prefixes = strings_in(child)
            codes |= more_codes
            prefixes |= more_prefixes
    return codes, prefixes


def recorded_actions() -> tuple[set[str], set[str]]:
    """Every action code passed as ``action=`` to a call in the product's code, with the codes a helper
    function returns when one computes it (``action=_audit_action(job)``)."""
    codes, prefixes = set(), set()
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        functions = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            for keyword in call.keywords:
                if keyword.arg != "action":
                    continue
                value = keyword.value
                if isinstance(value, ast.Call) and getattr(value.func, "id", None) in functions:
                    returns = [
                        r.value for r in ast.walk(functions[value.func.id]) if isinstance(r, ast.Return)
                    ]
                    found = [strings_in(r) for r in returns if r is not None]
                elif name == "record_event" or isinstance(value, ast.Constant):
                    found = [strings_in(value)]
                else:
                    found = []
                for more_codes, more_prefixes in found:
                    codes |= more_codes
                    prefixes |= more_prefixes
    return codes, prefixes


def test_the_scan_finds_the_codes_it_should():
    codes, prefixes = recorded_actions()
    # literal, conditional, passed through a parameter, returned by a helper, built from a name
    assert {"auth.login", "member.update", "checkin.team_join", "import.check"} <= codes
    assert {"export.", "privacy.reveal."} <= prefixes
    assert len(codes) > 60


def test_every_recorded_action_has_a_label():
    codes, prefixes = recorded_actions()
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert not missing, f"add these to audit/labels.py ACTION_LABELS: {missing}"
    # a code built from a name: its prefix has a label, or every name it takes has one (listed here)
    enumerated = {"service.project_": [f"service.project_{name}" for name in TRANSITIONS]}
    unlabelled = sorted(
        prefix
        for prefix in prefixes
        if not any(prefix.startswith(known) for known in PREFIX_LABELS)
        and not (prefix in enumerated and all(code in ACTION_LABELS for code in enumerated[prefix]))
    )
    assert not unlabelled, f"codes built from these prefixes have no label: {unlabelled}"


def test_labels_fall_back_to_a_prefix_then_to_the_code(settings):
    assert action_label("checkin.confirm") == "Check-in confirmed"
    assert action_label("export.members") == "List exported"
    assert action_label("export.reconciliation") == "Reconciliation exported"
    assert action_label("privacy.reveal.phone") == "Phone number revealed"
    assert action_label("something.new") == "something.new"
    assert len(set(map(str, ACTION_LABELS.values()))) == len(ACTION_LABELS)  # no two codes read alike


def test_the_audit_pages_show_the_words_and_keep_the_code(client, cast):
    event = record_event(actor=cast.community, action="checkin.confirm", target=cast.community)
    record_event(actor=cast.community, action="something.new", target=cast.community)
    cast.login(client, "admin")
    body = client.get(reverse("audit:event_list")).content.decode()
    assert "Check-in confirmed" in body and "something.new" in body
    detail = client.get(reverse("audit:event_detail", args=[AuditEvent.objects.get(pk=event.pk).public_id]))
    text = detail.content.decode()
    assert "Check-in confirmed" in text and "checkin.confirm" in text


def test_the_admin_lists_the_words_too(client, cast):
    record_event(actor=cast.community, action="checkin.confirm", target=cast.community)
    cast.login(client, "admin")
    body = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "Check-in confirmed" in body and "checkin.confirm" in body
