"""The alliances' units pages."""

urlpatterns: list = []
