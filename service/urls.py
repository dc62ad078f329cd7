"""Service pages. Each group of pages keeps its own list of routes; this module joins them under one
namespace so templates say {% url 'service:…' %} whichever module serves the page."""

from service import member_urls, resident_urls, unit_urls, workbench_urls

app_name = "service"

urlpatterns = [
    *member_urls.urlpatterns,
    *resident_urls.urlpatterns,
    *workbench_urls.urlpatterns,
    *unit_urls.urlpatterns,
]
