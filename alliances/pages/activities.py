"""The alliances' activities pages."""

urlpatterns: list = []
