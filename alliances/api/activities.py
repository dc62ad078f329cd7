"""The alliances' activities API."""

from ninja import Router

router = Router(tags=["alliances"])
