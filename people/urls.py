from django.urls import path

from people import leaving_views, views

app_name = "people"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<uuid:public_id>/", views.member_detail, name="member_detail"),
    path("members/<uuid:public_id>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("members/<uuid:public_id>/end/", leaving_views.member_end, name="member_end"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<uuid:public_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<uuid:public_id>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("registries/", views.registry_index, name="registry_index"),
    path("applicants/", views.applicant_list, name="applicant_list"),
    path("applicants/<uuid:public_id>/", views.applicant_detail, name="applicant_detail"),
    path("commercial-buildings/", views.commercial_building_list, name="commercial_building_list"),
    path("trade-unions/", views.trade_union_list, name="trade_union_list"),
    path("youth-league-orgs/", views.youth_league_org_list, name="youth_league_org_list"),
]
