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

# Someone asked to join a closed cohort. Keyword arguments: ``join_request``, ``now``.
join_requested = Signal()

# A request to join was accepted or declined (``join_request.status`` says which), or,
# with ``withdrawn=True``, taken back before anyone answered. Keyword arguments:
# ``join_request``, ``now``, ``withdrawn``.
join_request_closed = Signal()
