from django.apps import AppConfig


class SSOConfig(AppConfig):
    name = "accounts.sso"
    label = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.sso import audit

        audit.connect()
