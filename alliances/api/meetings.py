"""The alliances' meetings API."""

from ninja import Router

router = Router(tags=["alliances"])
