from django.urls import path

from service import stub_views

urlpatterns = [
    path("service/needs/<uuid:public_id>/", stub_views.placeholder, name="need_detail"),
    path("service/pairings/<uuid:public_id>/", stub_views.placeholder, name="pairing_detail"),
]
