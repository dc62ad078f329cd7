"""The service loop of the demo city (群众点单、党组织派单、党员接单): units' resources, each community's
points supermarket, service posts and their claims, needs and wishes in every state with their
dispatch history, household pairings with visits, co-building projects, service records with their
confirmation and ratings, the points they booked, and redemptions.

Every row is written by the actions, as the person whose step it is (demo/service/cast.py gives each
one an account), at the moment of the city's past when the step happened (``Loop.at``). So a rule
lives in one place: a need's state is where its actions left it, the points are what the
confirmation booked, a redemption went through the balance and stock checks. The loop runs in
``LOOP_COMMUNITIES`` communities, the community account's street first (demo/service/loop.py).

What the demo accounts find: the ``resident`` has asked twice today, and the ``community`` dispatched
both to the ``member`` with the reasons ``service.needs.suggestions`` gives; the member accepted
both and served one (the record waits for the resident's confirmation); a ``grid`` worker's need
waits for the member's answer. The community has new needs, pending and flagged records; the
``unit`` has resources and a running project; the member has points to spend.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation

from demo.layout import CityLayout, Dice
from demo.service import needs, points, projects, records, words
from demo.service.cast import quiet_outbox
from demo.service.loop import Loop
from points.models import PointEntry
from service.models import ProjectState


def seed_service(dice: Dice, layout: CityLayout, users: dict, *, out: Callable[[str], None] = print) -> Loop:
    """The service loop of the demo city (in its build's transaction); answers the loop, whose cast the
    cases go on with (demo/cases)."""
    with translation.override("zh-hans"):  # notes and messages are stored as the actions would write them
        loop = Loop(dice, layout, users)
        with quiet_outbox():
            projects.resources(loop)
            for n, place in enumerate(loop.places):
                points.catalogue(loop, place)
                records.service_posts(loop, place)
                needs.community_needs(loop, place)
                records.household_pairings(loop, place)
                # states in turn over the communities that have units to work with, so every state shows
                state = words.PROJECT_STATES[loop.counts["projects"] % len(words.PROJECT_STATES)]
                projects.project(loop, place, state, words.PROJECTS[n % len(words.PROJECTS)])
                if place is loop.home:
                    projects.project(loop, place, ProjectState.EVALUATED, words.PROJECTS[1])
                records.odd_records(loop, place)
            points.redemptions(loop)
        needs.live_business(loop)
    c = loop.counts
    entries = PointEntry.objects.filter(community__in=loop.area_of).count()
    out(
        f"  {c['needs']:,} needs and wishes in {len(loop.places)} communities, {c['posts']} service posts, "
        f"{c['records']:,} service records ({c['confirmed']:,} confirmed), {c['resources']} resources, "
        f"{c['projects']} projects, {entries:,} points entries, {c['redemptions']} redemptions; "
        f"{loop.cast.made} accounts act in them"
    )
    return loop
