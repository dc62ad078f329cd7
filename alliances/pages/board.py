"""The alliances' board pages."""

urlpatterns: list = []
