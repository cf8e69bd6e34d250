"""A person's own data across organisations (export, delete account); mounted at the site root."""

urlpatterns: list = []
