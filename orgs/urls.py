from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("party-orgs/", views.party_org_list, name="party_org_list"),
    path("party-orgs/<uuid:public_id>/", views.party_org_detail, name="party_org_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<uuid:public_id>/", views.unit_detail, name="unit_detail"),
]
