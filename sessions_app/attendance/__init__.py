"""Who was at a meeting (issue 13): signed in at the door with the meeting's code,
ticked on the facilitator's register, or added as a walk-in.

Attendance is about the person and for the person: they see their own, the facilitators
see the register of the meetings they run, and everyone else sees only headcounts over
at least k people. It is never a per-person metric for anyone else.
"""
