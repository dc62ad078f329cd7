"""Unit pages: resources (资源清单), co-building projects (项目清单) and a unit's members' service."""

from django.urls import path

from service import project_views, resource_views
from service import unit_views as views

urlpatterns = [
    path("service/resources/", resource_views.resource_list, name="resource_list"),
    path("service/resources/new/", resource_views.resource_new, name="resource_new"),
    path("service/resources/<uuid:public_id>/edit/", resource_views.resource_edit, name="resource_edit"),
    path(
        "service/resources/<uuid:public_id>/withdraw/",
        resource_views.resource_withdraw,
        name="resource_withdraw",
    ),
    path("service/projects/", project_views.project_list, name="project_list"),
    path("service/projects/new/", project_views.project_new, name="project_new"),
    path("service/projects/<uuid:public_id>/", project_views.project_detail, name="project_detail"),
    path("service/projects/<uuid:public_id>/move/", project_views.project_move, name="project_move"),
    path("service/projects/<uuid:public_id>/units/", project_views.project_unit_add, name="project_unit_add"),
    path(
        "service/projects/<uuid:public_id>/commitments/", project_views.project_commit, name="project_commit"
    ),
    path(
        "service/projects/<uuid:public_id>/milestones/",
        project_views.project_milestone_add,
        name="project_milestone_add",
    ),
    path(
        "service/milestones/<uuid:public_id>/done/",
        project_views.project_milestone_done,
        name="project_milestone_done",
    ),
    path("service/unit/", views.unit_service, name="unit_service"),
]
