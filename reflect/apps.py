from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
