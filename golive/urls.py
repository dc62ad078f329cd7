from django.urls import path

from golive import views
from golive.readiness import GAPS

app_name = "golive"
urlpatterns = [
    path("", views.index, name="index"),
    path("divisions/", views.divisions, name="divisions"),
    path("sheets/<slug:key>/", views.sheet_page, name="sheet"),
    path("residents/", views.sheet_page, {"key": "residents"}, name="residents"),
    path("sheets/<slug:key>/template/", views.sheet_template, name="template"),
    path("jobs/<uuid:public_id>/", views.job_page, name="job"),
    path("jobs/<uuid:public_id>/confirm/", views.job_confirm, name="job_confirm"),
    path("readiness/", views.readiness_page, name="readiness"),
    *(path(f"readiness/{key}/", views.gap_list, {"key": key}, name=f"gap_{key}") for key in GAPS),
]
