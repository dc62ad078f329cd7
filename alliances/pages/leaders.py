"""The alliances' leaders pages."""

urlpatterns: list = []
