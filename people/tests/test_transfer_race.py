"""Two transfers of one member started at the same moment (PostgreSQL only: SQLite serialises every
write). start_transfer locks the member's row, so the second waits, then finds the first waiting and
is refused; the partial unique constraint would stop it even without the lock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import build_cast
from gongjian.testing import together
from people import transfers
from people.models import Member, MemberTransfer

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_starts_at_once_leave_one_open_transfer():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write, so it cannot show a race; CI runs this on PostgreSQL")
    cast = build_cast()
    p = cast.places

    def start(org):
        member = Member.objects.get(pk=cast.m_member.pk)
        return transfers.start_transfer(acting_user=cast.unit, member=member, to_org=org).pk

    results = together(lambda: start(p.org_a1), lambda: start(p.org_street_a))
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "waiting already" in error.messages[0]
    assert MemberTransfer.objects.open().filter(member=cast.m_member).count() == 1
