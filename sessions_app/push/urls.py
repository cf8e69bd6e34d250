"""This browser's push subscription; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.push import views

urlpatterns = [
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
