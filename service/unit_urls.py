"""Unit pages: resources (资源清单), co-building projects (项目清单) and a unit's members' service."""

from django.urls import path

from service import unit_views as views

urlpatterns = [
    path("service/resources/", views.resource_list, name="resource_list"),
    path("service/resources/new/", views.resource_new, name="resource_new"),
    path("service/resources/<uuid:public_id>/edit/", views.resource_edit, name="resource_edit"),
    path("service/resources/<uuid:public_id>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
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
    path("service/unit/", views.unit_service, name="unit_service"),
]
