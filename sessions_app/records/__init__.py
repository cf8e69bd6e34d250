"""What a person downloads from the attendance register (issue 13): their certificate of
attendance / CPD record, and, for facilitators, the leader's log that Balint
accreditation asks for. Both are the person's own and nobody else's; the page is
``/o/<org_slug>/me/records/``.

Top of the dependency direction, beside ``mydata``: it reads meetings, cohorts and
attendance, and nothing imports it.
"""
