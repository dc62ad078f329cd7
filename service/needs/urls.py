"""Routes of the need pages: asking for help, the list, one need and its changes, the answers to offers."""

from django.urls import path

from service.needs import ask_views, views

urlpatterns = [
    path("service/ask/", ask_views.ask, name="ask"),
    path("service/ask/residents/", ask_views.ask_residents, name="ask_residents"),
    path("service/needs/", views.need_list, name="need_list"),
    path("service/needs/<uuid:public_id>/", views.need_detail, name="need_detail"),
    path("service/needs/<uuid:public_id>/dispatch/", views.need_dispatch, name="need_dispatch"),
    path("service/needs/<uuid:public_id>/take/", views.need_take, name="need_take"),
    path("service/needs/<uuid:public_id>/complete/", views.need_complete, name="need_complete"),
    path("service/needs/<uuid:public_id>/close/", views.need_close, name="need_close"),
    path("service/needs/<uuid:public_id>/cancel/", views.need_cancel, name="need_cancel"),
    path("service/assignments/<uuid:public_id>/accept/", views.assignment_accept, name="assignment_accept"),
    path(
        "service/assignments/<uuid:public_id>/decline/", views.assignment_decline, name="assignment_decline"
    ),
    path(
        "service/assignments/<uuid:public_id>/withdraw/",
        views.assignment_withdraw,
        name="assignment_withdraw",
    ),
]
