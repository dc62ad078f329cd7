"""Routes of the pages that gather several nouns for one audience."""

from django.urls import path

from service.pages import member, resident, unit, workbench

urlpatterns = [
    # the member's desk
    path("service/", member.member_home, name="member_home"),
    path("service/tasks/", member.my_tasks, name="my_tasks"),
    path("service/log/", member.log_service, name="log_service"),
    path("service/records/", member.my_records, name="my_records"),
    # the resident's requests
    path("service/my-needs/", resident.my_needs, name="my_needs"),
    path("service/projects/<uuid:public_id>/rate/", resident.project_rate, name="project_rate"),
    # the community's service desk
    path("service/workbench/", workbench.workbench, name="workbench"),
    # the unit's members' service
    path("service/unit/", unit.unit_service, name="unit_service"),
]
