"""Service pages, one namespace: templates say {% url 'service:…' %} whichever module serves the page.
Each noun keeps its own routes (``service/<noun>/urls.py``); the pages that gather several nouns for one
audience — the member's desk, the resident's requests, the community's desk, the unit's members' service —
keep theirs in service/pages/urls.py."""

from service.menu import urls as menu
from service.needs import urls as needs
from service.pages import urls as pages
from service.pairings import urls as pairings
from service.posts import urls as posts
from service.projects import urls as projects
from service.records import urls as records
from service.resources import urls as resources

app_name = "service"

urlpatterns = [
    *pages.urlpatterns,
    *needs.urlpatterns,
    *records.urlpatterns,
    *posts.urlpatterns,
    *pairings.urlpatterns,
    *resources.urlpatterns,
    *projects.urlpatterns,
    *menu.urlpatterns,
]
