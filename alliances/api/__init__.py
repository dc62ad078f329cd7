"""The alliances' API (/api/v1/alliances, /agreements, /chair-rotations, /meetings, /resolutions,
/activities, /alliance-posts, /leader-links), one module a part."""

from ninja import Router

from alliances.api import activities, agreements, alliances, leaders, meetings

router = Router()
router.add_router("", alliances.router)
router.add_router("", agreements.router)
router.add_router("", leaders.router)
router.add_router("", meetings.router)
router.add_router("", activities.router)
