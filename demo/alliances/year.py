"""A street alliance's year on the clock: the rotating chair and its activities (demo/alliances/chair.py),
and the meetings with their minutes and resolutions (demo/alliances/gatherings.py)."""

from __future__ import annotations

from demo.alliances.chair import plan_rotation
from demo.alliances.gatherings import plan_meetings
from demo.alliances.street import StreetAlliance


def plan_year(st: StreetAlliance) -> None:
    plan_rotation(st)
    plan_meetings(st)
