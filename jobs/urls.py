from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("imports/members/", views.import_members, name="import_members"),
    path("imports/members/template/", views.roster_template, name="roster_template"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:public_id>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<uuid:public_id>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="job_download"),
    path("jobs/failures/", views.task_failures, name="task_failures"),
    path("exports/<slug:name>/", views.export_start, name="export_start"),
    path("exports/<slug:name>/<slug:fmt>/", views.export_start, name="export_start_as"),
]
