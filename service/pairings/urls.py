"""Routes of the household-pairing pages."""

from django.urls import path

from service.pairings import views

urlpatterns = [
    path("service/pairings/", views.pairing_list, name="pairing_list"),
    path("service/pairings/new/", views.pairing_new, name="pairing_new"),
    path("service/pairings/<uuid:public_id>/", views.pairing_detail, name="pairing_detail"),
    path("service/pairings/<uuid:public_id>/visits/", views.pairing_visit, name="pairing_visit"),
    path("service/pairings/<uuid:public_id>/end/", views.pairing_end, name="pairing_end"),
]
