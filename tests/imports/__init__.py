"""CSV import of cohort members and the upload cap (sessions_app/imports)."""
