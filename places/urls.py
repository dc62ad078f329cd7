from django.urls import path

from places import views

app_name = "places"
urlpatterns = [
    path("areas/", views.area_list, name="area_list"),
    path("areas/<uuid:public_id>/", views.area_detail, name="area_detail"),
    path("compounds/<uuid:public_id>/", views.compound_detail, name="compound_detail"),
    path("buildings/<uuid:public_id>/", views.building_detail, name="building_detail"),
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/<uuid:public_id>/", views.grid_detail, name="grid_detail"),
    path("communities/lookup/", views.community_lookup, name="community_lookup"),
]
