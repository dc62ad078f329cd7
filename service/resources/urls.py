"""Routes of the resource pages (资源清单)."""

from django.urls import path

from service.resources import views

urlpatterns = [
    path("service/resources/", views.resource_list, name="resource_list"),
    path("service/resources/new/", views.resource_new, name="resource_new"),
    path("service/resources/<uuid:public_id>/edit/", views.resource_edit, name="resource_edit"),
    path("service/resources/<uuid:public_id>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
]
