from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import session_limits, two_factor

        # Session bookkeeping that must happen at every login, allauth's or Django's.
        user_logged_in.connect(session_limits.session_start_at_login, dispatch_uid="reflect_session_start")
        user_logged_in.connect(two_factor.remember_verdict_at_login, dispatch_uid="reflect_two_factor_verdict")
