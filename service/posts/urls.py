"""Routes of the service-post pages: the desk's list, publishing and closing; a member's claim and leave."""

from django.urls import path

from service.posts import views

urlpatterns = [
    path("service/posts/", views.post_list, name="post_list"),
    path("service/posts/new/", views.post_publish, name="post_publish"),
    path("service/posts/<uuid:public_id>/close/", views.post_close, name="post_close"),
    path("service/posts/<uuid:public_id>/claim/", views.post_claim, name="post_claim"),
    path("service/posts/<uuid:public_id>/leave/", views.post_leave, name="post_leave"),
]
