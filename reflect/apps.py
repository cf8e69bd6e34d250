from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ReflectConfig(AppConfig):
    name = "reflect"


class ReflectAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with Reflect's admin site (``reflect.admin_site``)."""

    default = False  # the ``reflect`` app itself keeps ReflectConfig
    default_site = "reflect.admin_site.ReflectAdminSite"
