"""The alliances' agreements API."""

from ninja import Router

router = Router(tags=["alliances"])
