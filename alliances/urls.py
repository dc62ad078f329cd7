"""The alliances' pages, one module a part of the capability (alliances/pages/)."""

from alliances.pages import (
    activities,
    agreements,
    alliances,
    board,
    calendar,
    leaders,
    meetings,
    resolutions,
    rotation,
    units,
    workbench,
)

app_name = "alliances"

urlpatterns = [
    *workbench.urlpatterns,
    *alliances.urlpatterns,
    *agreements.urlpatterns,
    *leaders.urlpatterns,
    *meetings.urlpatterns,
    *resolutions.urlpatterns,
    *calendar.urlpatterns,
    *activities.urlpatterns,
    *rotation.urlpatterns,
    *board.urlpatterns,
    *units.urlpatterns,
]
