"""The outbox: planning, the dispatcher and its claims, e-mails, SMTP (sessions_app/notifications)."""
