"""The members page: search, filters and paging (sessions_app/members)."""
