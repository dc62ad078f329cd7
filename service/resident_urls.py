"""Residents' pages: ask for help, my requests, rate a project."""

from django.urls import path

from service import resident_views as views

urlpatterns = [
    path("service/ask/", views.ask, name="ask"),
    path("service/ask/residents/", views.ask_residents, name="ask_residents"),
    path("service/my-needs/", views.my_needs, name="my_needs"),
    path("service/projects/<uuid:public_id>/rate/", views.project_rate, name="project_rate"),
]
