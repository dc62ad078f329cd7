"""Who may reveal ID numbers, and who signs in with a second factor, stay in step: a role that
people.actions.can_reveal lets see another person's full ID number must be in
accounts.roles.ID_NUMBER_REVEAL_ROLES, and those are all in SECOND_FACTOR_ROLES."""

from accounts.models import Role
from accounts.roles import ID_NUMBER_REVEAL_ROLES, SECOND_FACTOR_ROLES
from accounts.scope import scope_for
from accounts.second_factor import needs_second_factor
from people.actions import can_reveal
from people.models import Member, Resident


def test_every_role_that_reveals_an_id_number_signs_in_with_a_second_factor(cast):
    users = [u for u in vars(cast).values() if hasattr(u, "role_grants")]
    held = set().union(*(scope_for(u).roles for u in users))
    assert held >= set(Role.values)  # the cast holds every role, so every role is asked
    people = [*Member.objects.all(), *Resident.objects.all()]
    assert len(people) > 5
    revealing = set()
    for user in users:
        scope = scope_for(user)
        others = [
            p
            for p in people
            if p.pk not in (scope.member_ids if isinstance(p, Member) else scope.resident_ids)
        ]
        if any(can_reveal(user, person, "id_number") for person in others):
            revealing |= scope.roles
            assert needs_second_factor(user), f"{user} reveals ID numbers without a second factor"
    assert revealing and revealing <= set(ID_NUMBER_REVEAL_ROLES)
    assert set(ID_NUMBER_REVEAL_ROLES) <= set(SECOND_FACTOR_ROLES)
