"""A person's own data across organisations (export, delete account); mounted at the site root."""

from django.urls import path

from sessions_app.mydata import views

urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export.json", views.my_data_json, name="my_data_json"),
    path("me/data/export.md", views.my_data_markdown, name="my_data_markdown"),
    path("me/data/delete/", views.my_data_delete, name="my_data_delete"),
]
