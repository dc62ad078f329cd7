"""The community's service desk, the shared need page with its changes, posts and household pairings."""

from django.urls import path

from service import need_views, pairing_views, workbench_views

urlpatterns = [
    path("service/workbench/", workbench_views.workbench, name="workbench"),
    path("service/needs/", need_views.need_list, name="need_list"),
    path("service/needs/<uuid:public_id>/", need_views.need_detail, name="need_detail"),
    path("service/needs/<uuid:public_id>/dispatch/", need_views.need_dispatch, name="need_dispatch"),
    path("service/needs/<uuid:public_id>/take/", need_views.need_take, name="need_take"),
    path("service/needs/<uuid:public_id>/complete/", need_views.need_complete, name="need_complete"),
    path("service/needs/<uuid:public_id>/close/", need_views.need_close, name="need_close"),
    path("service/needs/<uuid:public_id>/cancel/", need_views.need_cancel, name="need_cancel"),
    path(
        "service/assignments/<uuid:public_id>/accept/", need_views.assignment_accept, name="assignment_accept"
    ),
    path(
        "service/assignments/<uuid:public_id>/decline/",
        need_views.assignment_decline,
        name="assignment_decline",
    ),
    path(
        "service/assignments/<uuid:public_id>/withdraw/",
        need_views.assignment_withdraw,
        name="assignment_withdraw",
    ),
    path("service/records/all/", workbench_views.record_list, name="record_list"),
    path("service/posts/", workbench_views.post_list, name="post_list"),
    path("service/posts/new/", workbench_views.post_publish, name="post_publish"),
    path("service/posts/<uuid:public_id>/close/", workbench_views.post_close, name="post_close"),
    path("service/pairings/", pairing_views.pairing_list, name="pairing_list"),
    path("service/pairings/new/", pairing_views.pairing_new, name="pairing_new"),
    path("service/pairings/<uuid:public_id>/", pairing_views.pairing_detail, name="pairing_detail"),
    path("service/pairings/<uuid:public_id>/visits/", pairing_views.pairing_visit, name="pairing_visit"),
    path("service/pairings/<uuid:public_id>/end/", pairing_views.pairing_end, name="pairing_end"),
]
