"""The alliances' workbench pages."""

urlpatterns: list = []
