"""The alliances' leaders API."""

from ninja import Router

router = Router(tags=["alliances"])
