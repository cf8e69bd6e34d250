"""What the cohorts package announces, for the packages above it (meetings, notifications)
to act on, so that cohorts never import them.

Sent synchronously inside the sender's transaction, never on commit: what a receiver
writes (withdrawn RSVPs, dropped notifications) commits or rolls back with the change
that caused it. Receivers are connected in ``SessionsAppConfig.ready``.
"""

from django.dispatch import Signal

# Someone is leaving ``cohort`` (a CohortMember), or, with ``cohort=None``, the whole
# organisation. Keyword arguments: ``membership``, ``cohort``, ``now``.
member_leaving = Signal()

# A cohort was archived. Keyword arguments: ``cohort``, ``now``.
cohort_archived = Signal()
