"""Private reflections and what a team keeps from a debrief.

``services`` writes reflections, templates and action points; ``builtin_templates`` and
``nudges`` (the anonymisation nudge) are pure; ``views`` are the reflection pages and
``debrief`` the action-point pages of a meeting.
"""
