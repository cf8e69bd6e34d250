from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: its own app (label ``audit``) so its table, trigger and
    migrations stay apart from the accounts tables they describe."""

    name = "accounts.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from accounts.audit import receivers

        receivers.connect()
