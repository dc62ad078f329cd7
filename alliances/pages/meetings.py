"""The alliances' meetings pages."""

urlpatterns: list = []
