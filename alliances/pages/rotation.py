"""The alliances' rotation pages."""

urlpatterns: list = []
