"""The alliances' alliances API."""

from ninja import Router

router = Router(tags=["alliances"])
