"""Routes of the service menu's page (服务菜单), kept by the city's organisation department."""

from django.urls import path

from service.menu import views

urlpatterns = [
    path("service/menu/", views.menu, name="menu"),
    path("service/menu/<str:city_value>/add/", views.category_add, name="category_add"),
    path("service/menu/categories/<uuid:public_id>/change/", views.category_change, name="category_change"),
    path("service/menu/categories/<uuid:public_id>/move/", views.category_move, name="category_move"),
    path("service/menu/categories/<uuid:public_id>/retire/", views.category_retire, name="category_retire"),
    path(
        "service/menu/categories/<uuid:public_id>/restore/", views.category_restore, name="category_restore"
    ),
]
