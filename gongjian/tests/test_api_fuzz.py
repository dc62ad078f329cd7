"""Schemathesis against the API's own OpenAPI document: no input, valid or not, makes a 5xx, and every
answer is one the document describes.

The document is loaded from the app (as a client would read it) and each operation is called through
the WSGI application (middleware, CSRF, django-axes and all) with bearer tokens of several roles of
the cast, in turn. Two passes per operation, both deterministic so CI is stable:
- schemathesis' coverage cases (boundary values, missing and wrong-typed fields, unexpected methods),
  a fixed sample of them;
- Hypothesis fuzzing, valid and invalid input, a few examples each (derandomized, no database).
Detail paths get real public ids of the cast half the time, so lookups succeed and writes run.
Every call runs in a savepoint that is rolled back: writes are fuzzed too, and the next call sees the
cast unchanged. Budget: about a minute on SQLite on two cores.
"""

import itertools
import random
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.actions import issue_api_token
from checkin import actions as checkin_actions
from gongjian.wsgi import application
from people.transfers import start_transfer

ROLES = ("admin", "street", "community", "unit", "member", "resident", "grid", "inspector")
COVERAGE_SAMPLE = 8  # coverage cases per operation (of up to ~120)
FUZZ_EXAMPLES = 3  # Hypothesis examples per operation and mode (valid, invalid)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@contextmanager
def connection_kept_open():
    """A WSGI request closes the database connection when it ends (Django's request_finished), which
    would drop the test's transaction; the test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast, registries):
    """Bearer headers per role, and real public ids per path parameter name."""
    checkin = checkin_actions.submit_checkin(acting_user=cast.unit, member=cast.m_member)
    p = cast.places
    transfer = start_transfer(acting_user=cast.unit, member=cast.m_a2, to_org=p.org_a1)
    known = {
        "area_id": p.a1,
        "grid_id": p.grid_a,
        "compound_id": p.compound_a1,
        "building_id": p.building_a1,
        "party_org_id": p.org_a1,
        "unit_id": p.unit_a,
        "member_id": cast.m_member,
        "resident_id": cast.r_a,
        "applicant_id": registries.applicant_a,
        "trade_union_id": registries.union_a,
        "org_id": registries.league_a,
        "checkin_id": checkin,
        "transfer_id": transfer,
        "case_id": registries.case_a,
    }
    headers = {
        who: {"Authorization": f"Bearer {issue_api_token(acting_user=getattr(cast, who))}"} for who in ROLES
    }
    return {"headers": headers, "ids": {name: str(obj.public_id) for name, obj in known.items()}}


def calling_in_turn(call):
    """A Hypothesis test body that hands each example to ``call`` with its turn (0, 1, 2…)."""
    turns = itertools.count()

    def fuzz(case):
        call(case, next(turns))

    return fuzz


def test_no_input_makes_a_server_error_or_an_undocumented_answer(world):
    failures: dict[tuple[str, str], str] = {}
    calls = 0

    def call(case, turn: int) -> None:
        nonlocal calls
        who = ROLES[turn % len(ROLES)]
        if turn % 2 and isinstance(case.path_parameters, dict):
            for name in case.path_parameters:
                if name in world["ids"]:
                    case.path_parameters[name] = world["ids"][name]
        calls += 1
        with transaction.atomic():
            response = case.call(headers=world["headers"][who])
            try:
                case.validate_response(response, checks=CHECKS, headers=world["headers"][who])
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.setdefault((case.operation.label, failure.title), f"as {who}: {group}")
            transaction.set_rollback(True)

    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        for result in schema.get_all_operations():
            operation = result.ok()
            generation = schema.config.generation_for(operation=operation, phase="coverage")
            cases = list(
                schema.iter_coverage_cases(operation, generation_modes=MODES, generation_config=generation)
            )
            sample = random.Random(operation.label).sample(cases, min(len(cases), COVERAGE_SAMPLE))
            for turn, case in enumerate(sample):
                call(case, turn)
            for mode in MODES:
                run = settings(
                    max_examples=FUZZ_EXAMPLES,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )(given(case=operation.as_strategy(generation_mode=mode))(calling_in_turn(call)))
                run()

    assert calls > 1000
    report = "\n\n".join(f"{label} — {title}\n{detail[:3000]}" for (label, title), detail in failures.items())
    assert not failures, f"{len(failures)} kinds of failure:\n\n{report}"
