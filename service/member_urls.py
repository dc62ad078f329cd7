from django.urls import path

from service import stub_views

urlpatterns = [
    path("service/records/<uuid:public_id>/", stub_views.placeholder, name="record_detail"),
    path("service/confirm/<uuid:public_id>/", stub_views.placeholder, name="confirm_by_code"),
]
