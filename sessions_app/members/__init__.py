"""The organisation's members page for admins: search, filters by role and cohort, and
paging, in a number of queries that does not grow with the organisation. It lives above
``accounts`` because the cohort filter needs cohorts; the role change and removal it
offers are ``accounts``' own views and services."""
