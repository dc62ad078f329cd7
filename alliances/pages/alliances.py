"""The alliances' alliances pages."""

urlpatterns: list = []
