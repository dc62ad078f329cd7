"""Placeholder: filled in by the cases pages work (issue 13)."""

urlpatterns: list = []
