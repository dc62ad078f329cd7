"""The alliances' resolutions pages."""

urlpatterns: list = []
