from django.urls import path

from orgs import keeping, views

app_name = "orgs"
urlpatterns = [
    path("party-orgs/", views.party_org_list, name="party_org_list"),
    path("party-orgs/<uuid:public_id>/", views.party_org_detail, name="party_org_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<uuid:public_id>/", views.unit_detail, name="unit_detail"),
    # keeping the registry (orgs/keeping.py)
    path("party-orgs/new/", keeping.party_org_new, name="party_org_new"),
    path("party-orgs/<uuid:public_id>/edit/", keeping.party_org_edit, name="party_org_edit"),
    path("party-orgs/<uuid:public_id>/merge/", keeping.party_org_merge, name="party_org_merge"),
    path("party-orgs/<uuid:public_id>/dissolve/", keeping.party_org_dissolve, name="party_org_dissolve"),
    path("party-orgs/<uuid:public_id>/posts/new/", keeping.post_new, name="post_new"),
    path("party-orgs/<uuid:public_id>/posts/<uuid:post_id>/end/", keeping.post_end, name="post_end"),
    path("units/new/", keeping.unit_new, name="unit_new"),
    path("units/<uuid:public_id>/edit/", keeping.unit_edit, name="unit_edit"),
    path("units/<uuid:public_id>/admins/", keeping.unit_admins, name="unit_admins"),
    path(
        "units/<uuid:public_id>/admins/<uuid:grant_id>/remove/",
        keeping.unit_admin_remove,
        name="unit_admin_remove",
    ),
]
