"""Routes of the project pages (项目清单)."""

from django.urls import path

from service.projects import views

urlpatterns = [
    path("service/projects/", views.project_list, name="project_list"),
    path("service/projects/new/", views.project_new, name="project_new"),
    path("service/projects/<uuid:public_id>/", views.project_detail, name="project_detail"),
    path("service/projects/<uuid:public_id>/move/", views.project_move, name="project_move"),
    path("service/projects/<uuid:public_id>/units/", views.project_unit_add, name="project_unit_add"),
    path("service/projects/<uuid:public_id>/commitments/", views.project_commit, name="project_commit"),
    path(
        "service/projects/<uuid:public_id>/milestones/",
        views.project_milestone_add,
        name="project_milestone_add",
    ),
    path(
        "service/milestones/<uuid:public_id>/done/",
        views.project_milestone_done,
        name="project_milestone_done",
    ),
]
