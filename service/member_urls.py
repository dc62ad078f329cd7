"""The member's service pages (phone first), the shared record page and the public confirmation page."""

from django.urls import path

from service import member_views as views

urlpatterns = [
    path("service/", views.member_home, name="member_home"),
    path("service/tasks/", views.my_tasks, name="my_tasks"),
    path("service/log/", views.log_service, name="log_service"),
    path("service/records/", views.my_records, name="my_records"),
    path("service/records/<uuid:public_id>/", views.record_detail, name="record_detail"),
    path("service/records/<uuid:public_id>/qr.svg", views.record_qr, name="record_qr"),
    path("service/records/<uuid:public_id>/photos/<int:n>/", views.record_photo, name="record_photo"),
    path("service/records/<uuid:public_id>/confirm/", views.record_confirm, name="record_confirm"),
    path("service/records/<uuid:public_id>/reject/", views.record_reject, name="record_reject"),
    path(
        "service/records/<uuid:public_id>/confirm-mine/",
        views.record_confirm_mine,
        name="record_confirm_mine",
    ),
    path("service/records/<uuid:public_id>/rate/", views.record_rate, name="record_rate"),
    path("service/confirm/<uuid:public_id>/", views.confirm_by_code, name="confirm_by_code"),
    path("service/posts/<uuid:public_id>/claim/", views.post_claim, name="post_claim"),
    path("service/posts/<uuid:public_id>/leave/", views.post_leave, name="post_leave"),
]
