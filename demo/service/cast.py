"""The accounts the people of the demo's service loop act with, and the outbox kept quiet meanwhile.

Every action checks who is acting, so everyone who acts in the loop has an account with the role the
action asks for: the community's staff (the ``community`` account at home), a grid worker for each
street (``grid`` in the first one), a party admin for each unit that takes part (``unit`` for its own),
and the members and residents who serve, ask, confirm and rate. The accounts are made the first time
their owner acts, through ``accounts.actions`` (audited like any other), with no password: only the
demo accounts sign in. Their usernames start with ``CAST_PREFIX``, so a reset finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import F

from accounts.actions import create_user, grant_role
from accounts.models import Role
from demo.accounts import CAST_PREFIX
from demo.layout import CityLayout, CommunityPlace
from notifications import tasks as notification_tasks
from notifications.models import Notification
from people.models import Member, Resident


class Cast:
    def __init__(self, layout: CityLayout, users: dict, member: Member, resident: Resident) -> None:
        self.layout = layout
        self._staff = {layout.communities[0].area.pk: users["community"]}
        self._grid = {layout.streets[0].pk: users["grid"]}
        self._units = {layout.demo_unit.unit.pk: users["unit"]}
        self._streets = {layout.streets[0].pk: users["street"], layout.streets[1].pk: users["street2"]}
        self._departments = {layout.departments[0].unit.pk: users["dept"]}
        self._members = {member.pk: users["member"]}
        self._residents = {resident.pk: users["resident"]}
        self.made = 0

    def _account(self, username: str, full_name: str, role: str, **scope):
        user = create_user(
            acting_user=None, username=CAST_PREFIX + username, password=None, full_name=full_name
        )
        grant_role(acting_user=None, user=user, role=role, **scope)
        self.made += 1
        return user

    def staff(self, place: CommunityPlace):
        """Who works for the community's party organisation."""
        area = place.area
        if area.pk not in self._staff:
            self._staff[area.pk] = self._account(
                f"c{area.code}", f"{area.name}工作人员", Role.COMMUNITY, area=area
            )
        return self._staff[area.pk]

    def grid_worker(self, place: CommunityPlace):
        """The grid worker of the community's street (its first-level grid)."""
        street = place.street
        if street.pk not in self._grid:
            grid = self.layout.top_grids[street.pk]
            self._grid[street.pk] = self._account(
                f"g{street.code}", f"{street.name}网格员", Role.GRID_WORKER, grid=grid
            )
        return self._grid[street.pk]

    def unit_admin(self, unit):
        if unit.pk not in self._units:
            self._units[unit.pk] = self._account(
                f"u{unit.pk}", f"{unit.name}党务专员", Role.UNIT_ADMIN, unit=unit
            )
        return self._units[unit.pk]

    def street_staff(self, street):
        """Who works for the street's working committee (``street`` and ``street2`` for the first two)."""
        if street.pk not in self._streets:
            self._streets[street.pk] = self._account(
                f"s{street.code}", f"{street.name}工作人员", Role.STREET, area=street
            )
        return self._streets[street.pk]

    def department(self, unit):
        """Who answers for a functional department's cases (``dept`` for the first one)."""
        if unit.pk not in self._departments:
            self._departments[unit.pk] = self._account(
                f"d{unit.pk}", f"{unit.name}值班员", Role.DEPARTMENT, unit=unit
            )
        return self._departments[unit.pk]

    def member(self, member: Member):
        """The member's own account (made and linked the first time they act)."""
        if member.pk not in self._members:
            user = self._account(f"m{member.pk}", member.name, Role.MEMBER)
            # No action links a person to an account yet (the sign-up flow will): as demo/accounts.py.
            Member.objects.filter(pk=member.pk).update(user=user)
            member.user = user
            self._members[member.pk] = user
        return self._members[member.pk]

    def has_account(self, resident: Resident) -> bool:
        return resident.pk in self._residents

    def resident(self, resident: Resident):
        if resident.pk not in self._residents:
            user = self._account(f"r{resident.pk}", resident.name, Role.RESIDENT)
            Resident.objects.filter(pk=resident.pk).update(user=user)
            resident.user = user
            self._residents[resident.pk] = user
        return self._residents[resident.pk]


def _not_now() -> None:
    """Stands in for the delivery task while the history is written (see ``quiet_outbox``)."""


@contextmanager
def quiet_outbox() -> Iterator[None]:
    """Let the actions write their notifications, but queue no delivery for them.

    Each action that notifies somebody asks for a delivery run when the build commits: thousands of
    runs for messages of weeks and months ago. The notifications stay in the inboxes, marked delivered
    when they were written (as they would have been, then). The demo accounts' live business, after
    this, is delivered as usual.
    """
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    deliver = notification_tasks.deliver_pending
    notification_tasks.deliver_pending = _not_now  # notifications.actions.notify imports it per call
    try:
        yield
    finally:
        notification_tasks.deliver_pending = deliver
    # A direct write, the only one: no action marks a notification delivered but the delivery itself.
    Notification.objects.filter(pk__gt=last, delivered_at__isnull=True).update(delivered_at=F("created_at"))
