# Cohorts, series, meetings, RSVPs and reflections arrive with the scheduling issue.
