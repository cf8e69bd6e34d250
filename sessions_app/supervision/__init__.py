"""A person's supervision log (issue 14 §3): supervision and education hours with totals
per period and progress towards a CPE unit, confirmed entry by entry by the supervisor
the entry names. The owner alone reads their log and its notes; a supervisor sees only
the entries that name them, and admins see nothing of it."""
