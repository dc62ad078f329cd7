"""The cases API (/api/v1/case-categories, /api/v1/cases): filled in by the API work (issue 13)."""

from ninja import Router

router = Router(tags=["cases"])
