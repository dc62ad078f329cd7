"""The alliances' calendar pages."""

urlpatterns: list = []
