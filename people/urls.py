from django.urls import path

from people import keeping_views, leaving_views, transfer_views, views

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
    # kept by their owners (issue 10)
    path("residents/new/", keeping_views.resident_new, name="resident_new"),
    path("residents/<uuid:public_id>/edit/", keeping_views.resident_edit, name="resident_edit"),
    path("applicants/new/", keeping_views.applicant_new, name="applicant_new"),
    path("applicants/<uuid:public_id>/edit/", keeping_views.applicant_edit, name="applicant_edit"),
    path("applicants/<uuid:public_id>/advance/", keeping_views.applicant_advance, name="applicant_advance"),
    path("registries/<str:kind>/new/", keeping_views.registry_new, name="registry_new"),
    path("registries/<str:kind>/<uuid:public_id>/", keeping_views.registry_edit, name="registry_edit"),
    path(
        "registries/<str:kind>/<uuid:public_id>/retire/",
        keeping_views.registry_retire,
        name="registry_retire",
    ),
    path("transfers/", transfer_views.transfer_list, name="transfer_list"),
    path("transfers/<uuid:public_id>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:public_id>/accept/", transfer_views.transfer_accept, name="transfer_accept"),
    path("transfers/<uuid:public_id>/decline/", transfer_views.transfer_decline, name="transfer_decline"),
    path("transfers/<uuid:public_id>/cancel/", transfer_views.transfer_cancel, name="transfer_cancel"),
    path("members/<uuid:public_id>/transfer/", transfer_views.transfer_start, name="transfer_start"),
]
