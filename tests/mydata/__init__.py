"""Export, Markdown and account deletion, and retention (sessions_app/mydata)."""
