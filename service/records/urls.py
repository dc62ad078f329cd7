"""Routes of the service-record pages: the desk's list, one record with its QR code, photos and changes,
and the public confirmation page."""

from django.urls import path

from service.records import list_views, views

urlpatterns = [
    path("service/records/all/", list_views.record_list, name="record_list"),
    path("service/records/confirm/", list_views.record_confirm_batch, name="record_confirm_batch"),
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
    path("service/records/<uuid:public_id>/dispute/", views.record_dispute, name="record_dispute"),
    path("service/confirm/<uuid:public_id>/", views.confirm_by_code, name="confirm_by_code"),
]
