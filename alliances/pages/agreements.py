"""The alliances' agreements pages."""

urlpatterns: list = []
