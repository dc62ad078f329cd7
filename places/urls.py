from django.urls import path

from places import keeping, views

app_name = "places"
urlpatterns = [
    path("areas/", views.area_list, name="area_list"),
    path("areas/<uuid:public_id>/", views.area_detail, name="area_detail"),
    path("compounds/<uuid:public_id>/", views.compound_detail, name="compound_detail"),
    path("buildings/<uuid:public_id>/", views.building_detail, name="building_detail"),
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/<uuid:public_id>/", views.grid_detail, name="grid_detail"),
    path("communities/lookup/", views.community_lookup, name="community_lookup"),
    # keeping the registry (places/keeping.py)
    path("compounds/new/", keeping.compound_new, name="compound_new"),
    path("compounds/<uuid:public_id>/edit/", keeping.compound_edit, name="compound_edit"),
    path("compounds/<uuid:public_id>/retire/", keeping.compound_retire, name="compound_retire"),
    path("compounds/<uuid:public_id>/buildings/new/", keeping.building_new, name="building_new"),
    path("buildings/<uuid:public_id>/edit/", keeping.building_edit, name="building_edit"),
    path("buildings/<uuid:public_id>/retire/", keeping.building_retire, name="building_retire"),
    path("grids/new/", keeping.grid_new, name="grid_new"),
    path("grids/<uuid:public_id>/edit/", keeping.grid_edit, name="grid_edit"),
    path("grids/<uuid:public_id>/workers/", keeping.grid_workers, name="grid_workers"),
    path(
        "grids/<uuid:public_id>/workers/<uuid:grant_id>/remove/",
        keeping.grid_worker_remove,
        name="grid_worker_remove",
    ),
    path("grids/<uuid:public_id>/buildings/", keeping.grid_buildings, name="grid_buildings"),
]
